import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../src/io/onnx-model.js';
import { ProtoWriter, varint } from '../../src/io/protobuf.js';

describe('protobuf writer and ONNX encoder', () => {
  it('writes varints as protobuf does, negative int64 as ten bytes', () => {
    expect(varint(0)).toEqual([0]);
    expect(varint(300)).toEqual([172, 2]);
    expect(varint(-1)).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 255, 1]);
    expect([...new ProtoWriter().int(1, 8).string(2, 'ab').finish()]).toEqual([8, 8, 18, 2, 97, 98]);
  });

  it('encodes a model ORT runs: negative attributes, int64 and float64 initializers, uint8 input', async () => {
    const bytes = encodeModel({
      name: 't',
      nodes: [
        { op: 'Cast', inputs: ['x'], outputs: ['xd'], attrs: { to: { int: 11 } } },
        { op: 'Mul', inputs: ['xd', 'two'], outputs: ['y2'] },
        { op: 'Cast', inputs: ['y2'], outputs: ['yf'], attrs: { to: { int: 1 } } },
        { op: 'Reshape', inputs: ['yf', 'shape'], outputs: ['flat'] },
        { op: 'Softmax', inputs: ['flat'], outputs: ['p'], attrs: { axis: { int: -1 } } },
      ],
      initializers: [
        { name: 'two', dims: [], data: Float64Array.of(2) },
        { name: 'shape', dims: [2], data: BigInt64Array.of(0n, -1n) },
      ],
      inputs: [{ name: 'x', type: 'uint8', shape: ['N', 2, 2] }],
      outputs: [
        { name: 'flat', type: 'float32', shape: ['N', 4] },
        { name: 'p', type: 'float32', shape: ['N', 4] },
      ],
    });
    const s = await ort.InferenceSession.create(bytes);
    const r = await s.run({ x: new ort.Tensor('uint8', Uint8Array.of(0, 1, 2, 3), [1, 2, 2]) });
    await s.release();
    expect([...(r['flat']!.data as Float32Array)]).toEqual([0, 2, 4, 6]);
    const e = [0, 2, 4, 6].map(Math.exp);
    const sum = e.reduce((a, b) => a + b, 0);
    [...(r['p']!.data as Float32Array)].forEach((v, i) => expect(v).toBeCloseTo(e[i]! / sum, 6));
  });
});
