import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnBothBackends, normals, runOn, setUpBackends } from './compare.js';

/**
 * The fast paths of genbench's wasm kernels against the cpu backend, on the same grid as wasm-kernels.test.ts but
 * with 8 channels, so that Conv2DBackpropInput runs as stride-phase convolutions (phase-conv.ts) and
 * Conv2DBackpropFilter as one dilated convolution (filter-grad-conv.ts), plus paddings that make them fall back to
 * im2col; and the stock-kernel replacements: BatchMatMul with transposed operands, Tile, Identity, Sum and Mean.
 */
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

const GRID = [1, 2].flatMap((stride) =>
  (['same', 'valid'] as const).flatMap((pad) => [3, 4].map((k) => ({ stride, pad: pad as Pad, k }))),
);
const C = 8;

function randn(seed: number, shape: number[]): tf.Tensor {
  return tf.tensor(normals(seed, tf.util.sizeFromShape(shape)), shape, 'float32');
}

/** Value and gradients of Σ r·f(inputs) with respect to every input, r a seeded weighting. */
function grads(f: (...xs: tf.Tensor[]) => tf.Tensor, shapes: number[][]): () => tf.Tensor[] {
  return () =>
    tf.tidy(() => {
      const xs = shapes.map((s, i) => randn(i + 1, s));
      const r = randn(99, f(...xs).shape);
      const { value, grads: g } = tf.valueAndGrads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), r)))(xs);
      return [value, ...g];
    });
}

describe('wasm fast paths match the cpu backend', () => {
  beforeAll(setUpBackends);

  describe.each(GRID)('stride $stride, pad $pad, kernel $k, 8 channels', ({ stride, pad, k }) => {
    it('conv2d: dx by phases, dW by dilated conv', () => {
      const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, pad as 'same');
      expectSameOnBothBackends(grads(f, [[2, 9, 11, C], [k, k, C, 5]]));
    });

    it('conv2dTranspose: forward by phases, dW by dilated conv', () => {
      const out = (n: number) => (pad === 'same' ? n * stride : (n - 1) * stride + k);
      const f = (x: tf.Tensor, w: tf.Tensor) =>
        tf.conv2dTranspose(x as tf.Tensor4D, w as tf.Tensor4D, [2, out(5), out(6), C], stride, pad as 'same');
      expectSameOnBothBackends(grads(f, [[2, 5, 6, 9], [k, k, C, 9]]));
    });
  });

  it.each([
    { pad: 1 as Pad, kh: 3, kw: 3, h: 8 },
    { pad: 2 as Pad, kh: 4, kw: 4, h: 8 },
    { pad: [[0, 0], [1, 2], [0, 1], [0, 0]] as Pad, kh: 3, kw: 4, h: 8 },
    // Fallbacks to im2col: a phase with negative padding (top 3 > taps) and a negative bottom padding for dW.
    { pad: [[0, 0], [3, 0], [0, 0], [0, 0]] as Pad, kh: 3, kw: 3, h: 8 },
    { pad: 'valid' as Pad, kh: 3, kw: 3, h: 10 },
  ])('conv2d stride 2, padding $pad, filter $kh x $kw, height $h', ({ pad, kh, kw, h }) => {
    const f = (x: tf.Tensor, w: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, pad as 'same');
    expectSameOnBothBackends(grads(f, [[2, h, 7, C], [kh, kw, C, 4]]));
  });

  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('matMul transposeA %s transposeB %s: value and gradients (ranks 2, 3), broadcast batch value', (ta, tb) => {
    const [m, k, n] = [5, 7, 3];
    const shape = (t: boolean, r: number, c: number) => (t ? [c, r] : [r, c]);
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b, ta, tb);
    expectSameOnBothBackends(grads(f, [shape(ta, m, k), shape(tb, k, n)]), 1e-4, 'rank 2');
    expectSameOnBothBackends(grads(f, [[2, ...shape(ta, m, k)], [2, ...shape(tb, k, n)]]), 1e-4, 'rank 3');
    // tfjs-core 4.22's BatchMatMul gradient cannot reduce a broadcast batch, so only the value here.
    const a = [2, ...shape(ta, m, k)];
    const b = [1, ...shape(tb, k, n)];
    expectSameOnBothBackends(() => tf.tidy(() => [f(randn(1, a), randn(2, b))]), 1e-4, 'broadcast');
  });

  it.each([
    { shape: [1, 1, 1, 4], reps: [3, 2, 5, 1] },
    { shape: [2, 3], reps: [2, 3] },
    { shape: [3, 1, 2], reps: [1, 4, 1] },
    { shape: [5], reps: [3] },
    { shape: [2, 2], reps: [1, 1] },
    { shape: [2, 0], reps: [2, 3] },
  ])('tile $shape by $reps: float32, int32, bool and the gradient', ({ shape, reps }) => {
    expectSameOnBothBackends(grads((x: tf.Tensor) => tf.tile(x, reps), [shape]), 1e-6);
    const size = tf.util.sizeFromShape(shape);
    const ints = () => tf.tidy(() => [tf.tile(tf.tensor(Int32Array.from({ length: size }, (_, i) => i - 2), shape, 'int32'), reps)]);
    const bools = () => tf.tidy(() => [tf.tile(tf.tensor(Array.from({ length: size }, (_, i) => i % 3 === 0), shape, 'bool'), reps)]);
    for (const fn of [ints, bools]) expect(runOn('wasm', fn)).toEqual(runOn('cpu', fn));
  });

  it('tile of a scalar', () => {
    expect(runOn('wasm', () => tf.tidy(() => [tf.tile(tf.scalar(3), [])]))).toEqual([Float32Array.of(3)]);
  });

  it.each([
    { axes: [0, 1, 2], keepDims: false },
    { axes: [0, 1, 2], keepDims: true },
    { axes: [0], keepDims: false },
    { axes: [1, 0], keepDims: true },
    { axes: [1, 2], keepDims: false }, // not leading: the stock kernel
    { axes: [0, 1, 2, 3], keepDims: false }, // everything: the stock kernel
  ])('sum and mean over axes $axes, keepDims $keepDims: value and gradient', ({ axes, keepDims }) => {
    for (const op of [tf.sum, tf.mean]) {
      expectSameOnBothBackends(grads((x: tf.Tensor) => op(x, axes, keepDims), [[3, 4, 5, 6]]), 1e-5);
    }
    const ints = () => tf.tidy(() => [tf.sum(tf.tensor(Int32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4], 'int32'), [0, 1])]);
    expect(runOn('wasm', ints)).toEqual(runOn('cpu', ints));
  });

  it('identity shares the buffer: a clone outlives its source and leaks nothing', () => {
    tf.setBackend('wasm');
    const buffers = tf.engine().backend.numDataIds();
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(buffers + 1);
    x.dispose();
    expect(y.arraySync()).toEqual([[1, 2], [3, 4]]);
    y.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    expect(tf.clone(tf.tensor1d(['s'], 'string')).arraySync()).toEqual(['s']);
  });
});
