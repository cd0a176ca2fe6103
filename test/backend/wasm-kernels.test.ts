import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { WASM_KERNEL_NAMES, WASM_KERNEL_REPLACEMENTS, registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { expectSameOnBothBackends, normals, setUpBackends } from './compare.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Quad = [number, number, number, number];

const GRID = [1, 2].flatMap((stride) =>
  (['same', 'valid'] as const).flatMap((pad) => [3, 4].map((k) => ({ stride, pad: pad as Pad, k }))),
);
// Numeric pads only with square filters: tfjs-core 4.22 computes the output width of a numeric pad from the filter
// height (computeOutputShape2D), so cpu and wasm disagree on the forward pass itself for a 3x4 filter.
const EXPLICIT: { pad: Pad; kh: number; kw: number }[] = [
  { pad: 1, kh: 3, kw: 3 },
  { pad: 2, kh: 4, kw: 4 },
  { pad: [[0, 0], [1, 2], [0, 1], [0, 0]], kh: 3, kw: 4 },
];
const BATCH = 3;

/** Float32 tensor of seeded normals on the active backend. */
function randn(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(normals(seed, tf.util.sizeFromShape(shape)), shape, 'float32');
}

/** Gradients of Σ r·f(x, w) with respect to x and w, with a seeded weighting r (so dy is not all ones). */
function convGrads(f: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D, xShape: Quad, wShape: Quad): () => tf.Tensor[] {
  return () =>
    tf.tidy(() => {
      const x = randn(1, xShape) as tf.Tensor4D;
      const w = randn(2, wShape) as tf.Tensor4D;
      const probe = f(x, w);
      const r = randn(3, probe.shape);
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D), r)),
      )([x, w]);
      return [value, ...grads];
    });
}

describe('wasm gradient kernels match the cpu backend', () => {
  beforeAll(setUpBackends);

  it('registers every kernel on wasm, idempotently', () => {
    registerWasmKernels();
    expect(registerWasmKernels()).toEqual([]);
    for (const name of WASM_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    for (const c of WASM_KERNEL_REPLACEMENTS) expect(tf.getKernel(c.kernelName, 'wasm')?.kernelFunc).toBe(c.kernelFunc);
  });

  describe.each(GRID)('stride $stride, pad $pad, kernel $k', ({ stride, pad, k }) => {
    it('conv2d: dx (Conv2DBackpropInput) and dW (Conv2DBackpropFilter)', () => {
      const f = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, stride, pad as 'same');
      expectSameOnBothBackends(convGrads(f, [BATCH, 9, 11, 2], [k, k, 2, 3]));
    });

    it('conv2dTranspose: forward (Conv2DBackpropInput), dx and dW (Conv2DBackpropFilter on swapped roles)', () => {
      const [h, w] = [5, 6];
      const out = (n: number) => (pad === 'same' ? n * stride : (n - 1) * stride + k);
      const f = (x: tf.Tensor4D, f: tf.Tensor4D) =>
        tf.conv2dTranspose(x, f, [BATCH, out(h), out(w), 2], stride, pad as 'same');
      expectSameOnBothBackends(convGrads(f, [BATCH, h, w, 3], [k, k, 2, 3]));
    });

    it.each([1, 2])('depthwiseConv2d, channel multiplier %i: dx and dW', (m) => {
      const f = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(x, w, stride, pad as 'same');
      expectSameOnBothBackends(convGrads(f, [BATCH, 9, 11, 3], [k, k, 3, m]));
    });
  });

  it.each(EXPLICIT)('numeric and explicit padding $pad, filter $kh x $kw', ({ pad, kh, kw }) => {
    const conv = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.conv2d(x, w, 2, pad as 'same');
    expectSameOnBothBackends(convGrads(conv, [BATCH, 8, 7, 2], [kh, kw, 2, 3]), 1e-4, 'conv2d');
    const dw = (x: tf.Tensor4D, w: tf.Tensor4D) => tf.depthwiseConv2d(x, w, 2, pad as 'same');
    expectSameOnBothBackends(convGrads(dw, [BATCH, 8, 7, 2], [kh, kw, 2, 2]), 1e-4, 'depthwise');
  });

  it('gather gradient (UnsortedSegmentSum), as in Embedding', () => {
    const ids = [0, 3, 3, 1, 0, 4, 3];
    expectSameOnBothBackends(() =>
      tf.tidy(() => {
        const table = randn(4, [5, 4]);
        const r = randn(5, [ids.length, 4]);
        const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, tf.tensor1d(ids, 'int32')), r)))(table);
        return [g];
      }),
    );
  });

  it('UnsortedSegmentSum drops out-of-range ids and keeps int32', () => {
    tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const [floats, ints, matrix] = tf.tidy(() => [
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3, 4, 5]), tf.tensor1d([0, 2, 0, -1, 7], 'int32'), 3).arraySync(),
      tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([1, 1, 0], 'int32'), 2).arraySync(),
      tf.unsortedSegmentSum(tf.tensor2d([[1, 2], [3, 4], [5, 6]]), tf.tensor1d([1, 0, 1], 'int32'), 2).arraySync(),
    ]);
    expect(floats).toEqual([4, 0, 2]);
    expect(ints).toEqual([3, 3]);
    expect(matrix).toEqual([[3, 4], [6, 8]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects dilations > 1 and NCHW with a one-line GenbenchError', () => {
    tf.setBackend('wasm');
    const x = tf.zeros([1, 6, 6, 2]);
    const dy = tf.zeros([1, 6, 6, 2]);
    const attrs = { strides: 1, pad: 'same', dilations: 2, filterShape: [3, 3, 2, 1] };
    const run = (kernel: string, a: object) => () => tf.engine().runKernel(kernel, { x, dy }, a as tf.NamedAttrMap);
    expect(run(tf.DepthwiseConv2dNativeBackpropFilter, attrs)).toThrow(/dilations 2 are not supported/);
    expect(run(tf.Conv2DBackpropFilter, { ...attrs, dilations: 1, dataFormat: 'NCHW' })).toThrow(GenbenchError);
    tf.dispose([x, dy]);
  });
});
