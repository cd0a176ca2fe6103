import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../../errors.js';
import { input, type WasmKernelArgs } from './shared.js';

/**
 * UnsortedSegmentSum on wasm: out[s, ...] = Σ_{i : ids[i] = s} x[i, ...], for s in [0, numSegments); ids outside
 * that range are dropped (as in TensorFlow). tf.gather's gradient (so Embedding's) is built on it.
 * One pass over x; float32 rows are summed in a Float64 accumulator, int32 rows in an Int32Array.
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.unsortedSegmentSum(tf.tensor1d([1, 2, 3]), tf.tensor1d([0, 1, 0], 'int32'), 2); // [4, 2]
 */
export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
};

const NAME = tf.UnsortedSegmentSum;

function unsortedSegmentSum(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const x = input(args, NAME, 'x');
  const ids = input(args, NAME, 'segmentIds');
  const numSegments = (args.attrs as unknown as tf.UnsortedSegmentSumAttrs).numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new GenbenchError('UNSUPPORTED', `${NAME} (wasm): x must be float32 or int32, got ${x.dtype} (cast it first)`);
  }
  if (ids.dtype !== 'int32' || ids.shape.some((v, i) => v !== x.shape[i])) {
    throw new GenbenchError(
      'INPUT',
      `${NAME} (wasm): segmentIds must be int32 with shape a prefix of x's [${x.shape.join(', ')}], got ${ids.dtype} [${ids.shape.join(', ')}]`,
    );
  }
  const n = tf.util.sizeFromShape(ids.shape);
  const inner = n === 0 ? 0 : tf.util.sizeFromShape(x.shape) / n;
  const acc = x.dtype === 'float32' ? new Float64Array(numSegments * inner) : new Int32Array(numSegments * inner);
  const xv = backend.typedArrayFromHeap(x);
  const iv = backend.typedArrayFromHeap(ids);
  for (let i = 0; i < n; i++) {
    const s = iv[i]!;
    if (s < 0 || s >= numSegments) continue;
    const src = i * inner;
    const dst = s * inner;
    for (let k = 0; k < inner; k++) acc[dst + k]! += xv[src + k]!;
  }
  const out = backend.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], x.dtype);
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}
