import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GenbenchError } from '../../errors.js';
import { runStock } from './stock.js';

/**
 * Helpers shared by the wasm gradient kernels: argument checks with one-line errors, and typed-array views on the
 * wasm heap. A view is only valid until the next heap allocation (the heap may grow and detach it), so kernels
 * allocate every output first and take views after.
 */

/** The arguments tfjs passes to a kernel function, with the backend narrowed to wasm. */
export interface WasmKernelArgs {
  readonly inputs: tf.NamedTensorInfoMap;
  readonly backend: BackendWasm;
  readonly attrs: tf.NamedAttrMap;
}

/** Returns input `name`, or throws if tfjs did not pass it. */
export function input(args: WasmKernelArgs, kernel: string, name: string): tf.TensorInfo {
  const t = args.inputs[name];
  if (t === undefined) throw new GenbenchError('USAGE', `${kernel} (wasm): input '${name}' is missing`);
  return t;
}

/** Throws unless the tensor is float32 of the given rank. */
export function expectFloat32(t: tf.TensorInfo, kernel: string, name: string, rank: number): void {
  if (t.dtype !== 'float32' || t.shape.length !== rank) {
    throw new GenbenchError(
      'UNSUPPORTED',
      `${kernel} (wasm): input '${name}' must be float32 of rank ${rank}, got ${t.dtype} [${t.shape.join(', ')}] (cast it with tf.cast)`,
    );
  }
}

/** Throws for dilations other than 1: these kernels (like tfjs-core's conv gradients) implement dilation 1 only. */
export function expectNoDilation(dilations: unknown, kernel: string): void {
  const d = dilations === undefined || dilations === null ? [1, 1] : typeof dilations === 'number' ? [dilations] : dilations;
  if (!Array.isArray(d) || d.some((v) => v !== 1)) {
    throw new GenbenchError(
      'UNSUPPORTED',
      `${kernel} (wasm): dilations ${JSON.stringify(dilations)} are not supported, only 1 (use dilationRate 1 or the cpu backend)`,
    );
  }
}

/** Throws for NCHW data: the wasm backend (and these kernels) work on NHWC only. */
export function expectChannelsLast(dataFormat: unknown, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new GenbenchError(
      'UNSUPPORTED',
      `${kernel} (wasm): dataFormat '${String(dataFormat)}' is not supported, only NHWC (use channelsLast layers)`,
    );
  }
}

/** Throws unless `actual` equals `expected` (a shape mismatch between dy and the conv geometry). */
export function expectShape(actual: readonly number[], expected: readonly number[], kernel: string, name: string): void {
  if (actual.length !== expected.length || actual.some((v, i) => v !== expected[i])) {
    throw new GenbenchError(
      'INPUT',
      `${kernel} (wasm): input '${name}' has shape [${actual.join(', ')}], expected [${expected.join(', ')}] from strides and padding`,
    );
  }
}

/** A Float32Array view on the heap memory of a float32 tensor (see the note above on validity). */
export function f32(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Allocates a float32 output on the wasm heap and copies `values` into it. */
export function outputFrom(backend: BackendWasm, shape: number[], values: Float64Array | Float32Array): tf.TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).set(values);
  return out;
}

/**
 * a · b through the stock wasm BatchMatMul kernel (XNNPACK), returned with shape `shape` (same data).
 * Untransposed on purpose: tfjs-backend-wasm 4.22 sends transposed operands to a naive loop ~10x slower.
 */
export function matMul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  const out = runStock(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
  return { dataId: out.dataId, shape, dtype: out.dtype };
}

/** The attributes the four convolution-gradient kernels read (each kernel's attrs carry a subset). */
interface ConvGradAttrs {
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
  readonly dataFormat?: unknown;
  readonly dilations?: unknown;
  readonly filterShape?: [number, number, number, number];
  readonly inputShape?: [number, number, number, number];
}

/**
 * The common start of Conv2DBackpropFilter/Input and their depthwise versions: reads the two float32 rank-4 inputs
 * (x and dy for a filter gradient, dy and filter for an input gradient), refuses NCHW and dilation > 1, computes the
 * convolution geometry and checks dy against it.
 *
 * @example
 * const { first: x, second: dy, info } = convGradSetup(args, tf.Conv2DBackpropFilter, 'filter', false);
 */
export function convGradSetup(
  args: WasmKernelArgs,
  kernel: string,
  wrt: 'filter' | 'input',
  depthwise: boolean,
): { first: tf.TensorInfo; second: tf.TensorInfo; info: tf.backend_util.Conv2DInfo } {
  const [na, nb] = wrt === 'filter' ? ['x', 'dy'] : ['dy', 'filter'];
  const first = input(args, kernel, na);
  const second = input(args, kernel, nb);
  const a = args.attrs as unknown as ConvGradAttrs;
  expectFloat32(first, kernel, na, 4);
  expectFloat32(second, kernel, nb, 4);
  expectChannelsLast(a.dataFormat, kernel);
  expectNoDilation(a.dilations, kernel);
  type Shape4 = [number, number, number, number];
  const inShape = (wrt === 'filter' ? first.shape : a.inputShape) as Shape4;
  const filterShape = (wrt === 'filter' ? a.filterShape : second.shape) as Shape4;
  const info = depthwise
    ? tf.backend_util.computeConv2DInfo(inShape, filterShape, a.strides, 1, a.pad, a.dimRoundingMode, true)
    : tf.backend_util.computeConv2DInfo(inShape, filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const dy = wrt === 'filter' ? second : first;
  expectShape(dy.shape, info.outShape, kernel, 'dy');
  return { first, second, info };
}
