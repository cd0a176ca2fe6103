import { createHash } from 'node:crypto';
import { encodeModel, type OnnxNode } from '../../src/io/onnx-model.js';
import type { Part } from './helpers.js';

/**
 * A valid but deliberately slow MNIST-shaped ONNX generator, built at test time with genbench's ONNX encoder:
 * z [N, 64] -> `width` wide -> `layers` chained width x width MatMuls (one shared identity weight, so values stay
 * finite) -> tanh -> [N, 1, 28, 28]. Each layer costs 2 width^2 FLOP per sample: 1000 layers of 1024 make one batch
 * of 64 samples about 134 GFLOP, tens of seconds on two cores. Returns the upload parts (ONNX + manifest with its
 * sha256).
 *
 * @example
 * const { onnx, manifest } = slowOnnxParts({ layers: 1000, width: 1024 }); // onnx.data: about 7.7 MB
 */
export function slowOnnxParts(opts: { layers: number; width: number; name?: string }): { onnx: Part; manifest: Part } {
  const width = opts.width;
  const latent = 64;
  const ramp = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => ((((i * 37) % 101) - 50) / 50) * scale);
  const eye = new Float32Array(width * width);
  for (let i = 0; i < width; i++) eye[i * width + i] = 1;
  const nodes: OnnxNode[] = [{ op: 'MatMul', inputs: ['z', 'w_in'], outputs: ['h0'] }];
  for (let k = 0; k < opts.layers; k++) nodes.push({ op: 'MatMul', inputs: [`h${k}`, 'w'], outputs: [`h${k + 1}`] });
  nodes.push(
    { op: 'MatMul', inputs: [`h${opts.layers}`, 'w_out'], outputs: ['o'] },
    { op: 'Tanh', inputs: ['o'], outputs: ['t'] },
    { op: 'Reshape', inputs: ['t', 'shape'], outputs: ['x'] },
  );
  const bytes = encodeModel(
    {
      name: 'slow_generator',
      nodes,
      initializers: [
        { name: 'w_in', dims: [latent, width], data: ramp(latent * width, 0.1) },
        { name: 'w', dims: [width, width], data: eye },
        { name: 'w_out', dims: [width, 784], data: ramp(width * 784, 0.05) },
        { name: 'shape', dims: [4], data: BigInt64Array.of(-1n, 1n, 28n, 28n) },
      ],
      inputs: [{ name: 'z', type: 'float32', shape: ['N', latent] }],
      outputs: [{ name: 'x', type: 'float32', shape: ['N', 1, 28, 28] }],
    },
    { opset: 13 },
  );
  const name = opts.name ?? 'slow';
  return { onnx: { name: `${name}.onnx`, data: bytes }, manifest: manifestPart(name, bytes, latent) };
}

/**
 * A valid MNIST-shaped ONNX generator that needs a lot of memory: z [N, 64] -> [N, 784] -> tiled `repeats` times
 * along a new axis ([N, 784, repeats] float32, 784 * repeats * 4 bytes per sample) -> mean over that axis -> tanh ->
 * [N, 1, 28, 28]. Its values are those of the small network (the mean of equal copies), so only its memory is wrong.
 *
 * @example
 * const { onnx, manifest } = hungryOnnxParts({ repeats: 8192 }); // 25.7 MB per sample, 1.6 GB for a batch of 64
 */
export function hungryOnnxParts(opts: { repeats: number; name?: string }): { onnx: Part; manifest: Part } {
  const latent = 64;
  const ramp = (n: number, scale: number) => Float32Array.from({ length: n }, (_, i) => ((((i * 37) % 101) - 50) / 50) * scale);
  const bytes = encodeModel(
    {
      name: 'hungry_generator',
      nodes: [
        { op: 'MatMul', inputs: ['z', 'w'], outputs: ['h'] },
        { op: 'Unsqueeze', inputs: ['h', 'axis'], outputs: ['h3'] },
        { op: 'Tile', inputs: ['h3', 'repeats'], outputs: ['big'] },
        { op: 'ReduceMean', inputs: ['big'], outputs: ['m'], attrs: { axes: { ints: [2] }, keepdims: { int: 0 } } },
        { op: 'Tanh', inputs: ['m'], outputs: ['t'] },
        { op: 'Reshape', inputs: ['t', 'shape'], outputs: ['x'] },
      ],
      initializers: [
        { name: 'w', dims: [latent, 784], data: ramp(latent * 784, 0.1) },
        { name: 'axis', dims: [1], data: BigInt64Array.of(2n) },
        { name: 'repeats', dims: [3], data: BigInt64Array.of(1n, 1n, BigInt(opts.repeats)) },
        { name: 'shape', dims: [4], data: BigInt64Array.of(-1n, 1n, 28n, 28n) },
      ],
      inputs: [{ name: 'z', type: 'float32', shape: ['N', latent] }],
      outputs: [{ name: 'x', type: 'float32', shape: ['N', 1, 28, 28] }],
    },
    { opset: 13 },
  );
  return { onnx: { name: `${opts.name ?? 'hungry'}.onnx`, data: bytes }, manifest: manifestPart(opts.name ?? 'hungry', bytes, latent) };
}

/** The generator manifest of an MNIST-shaped ONNX named `name`, with the file's sha256. */
function manifestPart(name: string, bytes: Uint8Array, latent: number): Part {
  const manifest = {
    name,
    format: 'onnx',
    file: `${name}.onnx`,
    input: 'z',
    latent_dim: latent,
    output: 'x',
    output_layout: 'NCHW',
    output_range: '[-1,1]',
    image_shape: [1, 28, 28],
    conditional: null,
    dataset: 'mnist',
    license: 'CC0-1.0',
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  return { name: `${name}.genbench.json`, data: JSON.stringify(manifest) };
}
