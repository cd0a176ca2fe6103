import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runStock } from './stock.js';

/**
 * Conv2DBackpropFilter as one dilated convolution on the stock wasm Conv2D (XNNPACK), with no im2col pass in
 * JavaScript: with the batch moved into the channels, x' = x[ci, h, w, b] and dy' = dy[oh, ow, b, co],
 * dW'[ci, kh, kw, co] = Σ_{oh, ow, b} x'[ci, kh + sh·oh − top, kw + sw·ow − left, b] · dy'[oh, ow, b, co]
 * is a stride-1 convolution of x' by the "filter" dy' with dilation (sh, sw), and dW is dW' transposed to
 * [kh, kw, ci, co]. Three stock Transposes move the data; XNNPACK's indirect convolution does the gathering
 * (~10% faster than im2col for DCGAN's 14x14x64 -> 7x7x128, 4x slower for a 1-channel input, hence MIN_CHANNELS).
 */

/** Below this many input channels (rows of the product: ci·fh·fw) im2col is faster (4x at ci = 1). */
const MIN_CHANNELS = 8;

/**
 * dW for the conv geometry `info`, or null (the caller falls back to im2col) when x has fewer than MIN_CHANNELS
 * channels or the bottom or right padding this needs would be negative (a 'valid' conv whose last input rows no
 * output reads).
 *
 * @example
 * const dW = filterGradByConv(backend, x, dy, info) ?? im2colFilterGrad(...);
 */
export function filterGradByConv(
  backend: BackendWasm,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): tf.TensorInfo | null {
  if (info.inChannels < MIN_CHANNELS) return null;
  const { top, left } = info.padInfo;
  const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - info.inHeight - top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - info.inWidth - left;
  if (bottom < 0 || right < 0 || top < 0 || left < 0) return null;
  const temps: tf.TensorInfo[] = [];
  try {
    const xT = runStock(backend, tf.Transpose, { x }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = runStock(backend, tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    const attrs = {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    };
    const dWT = runStock(backend, tf.Conv2D, { x: xT, filter: dyT }, attrs);
    temps.push(dWT);
    return runStock(backend, tf.Transpose, { x: dWT }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}
