import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { input, type WasmKernelArgs } from './shared.js';
import { runStock, stockSetup } from './stock.js';

/**
 * Sum and Mean on wasm, wrapping tfjs-backend-wasm's: a float32 reduction over the leading axes (e.g. [0, 1, 2] of
 * an NHWC tensor: every bias and BatchNorm gradient, BatchNorm's batch moments) is one pass of column sums in
 * JavaScript with a float64 accumulator. The stock kernels first transpose the reduced axes to the end (a full
 * copy), which made these ~3 ms each at [64, 14, 14, 64], 17 of them per DCGAN step. Anything else (other axes,
 * int32) goes to the stock kernel.
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.sum(x, [0, 1, 2]); // per-channel sums of an NHWC tensor, one pass
 */
export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.Sum),
  kernelFunc: ((args: WasmKernelArgs) => reduceLeading(args, tf.Sum)) as unknown as tf.KernelFunc,
};

export const meanConfig: tf.KernelConfig = {
  kernelName: tf.Mean,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.Mean),
  kernelFunc: ((args: WasmKernelArgs) => reduceLeading(args, tf.Mean)) as unknown as tf.KernelFunc,
};

function reduceLeading(args: WasmKernelArgs, name: typeof tf.Sum | typeof tf.Mean): tf.TensorInfo {
  const x = input(args, name, 'x');
  const { axis, keepDims } = args.attrs as unknown as tf.SumAttrs;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const k = axes.length;
  const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
  if (x.dtype !== 'float32' || !leading) return runStock(args.backend, name, args.inputs, args.attrs);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, k));
  const shape = keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  return columnSums(args.backend, x, rows, shape, name === tf.Mean ? 1 / rows : 1);
}

/** out[c] = scale · Σ_r x[r, c] over `rows` rows of x (float64 accumulation). */
function columnSums(backend: BackendWasm, x: tf.TensorInfo, rows: number, shape: number[], scale: number): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  const cols = tf.util.sizeFromShape(shape);
  const acc = new Float64Array(cols);
  const v = backend.typedArrayFromHeap(x) as Float32Array;
  for (let r = 0, o = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++, o++) acc[c]! += v[o]!;
  }
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
  return out;
}
