import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { filterGradByConv } from './filter-grad-conv.js';
import { convGradSetup, f32, matMul, type WasmKernelArgs } from './shared.js';

/**
 * Conv2DBackpropFilter on wasm: the gradient of a 2-D convolution with respect to its filter (NHWC, dilation 1;
 * 'same', 'valid', numeric or explicit padding; any stride). Also the filter gradient of Conv2DTranspose.
 *
 * Method: one dilated convolution on XNNPACK (filter-grad-conv.ts). Fallback, for few input channels or paddings
 * that conv cannot express: im2col then one matrix product on the wasm backend's own BatchMatMul (XNNPACK):
 * colsT[fh·fw·ci, b·oh·ow] = x[b, oh·sh − top + fh, ow·sw − left + fw, ci] (0 outside the image), and
 * dW = colsT · dy[b·oh·ow, co], whose [fh·fw·ci, co] layout is the filter's [fh, fw, ci, co].
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.grad((w) => tf.conv2d(x, w, 2, 'same'))(w); // runs Conv2DBackpropFilter here
 */
export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter as unknown as tf.KernelFunc,
};

const NAME = tf.Conv2DBackpropFilter;

function conv2dBackpropFilter(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { first: x, second: dy, info } = convGradSetup(args, NAME, 'filter', false);
  return filterGradByConv(backend, x, dy, info) ?? byIm2col(backend, x, dy, info, info.filterShape.slice());
}

/** The fallback: im2col (transposed) in JavaScript, then dW = colsT · dy on XNNPACK. */
function byIm2col(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, shape: number[]): tf.TensorInfo {
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const colsT = backend.makeOutput([depth, rows], 'float32');
  try {
    fillIm2colTransposed(f32(backend, x), f32(backend, colsT), info);
    const dy2d = { dataId: dy.dataId, shape: [rows, info.outChannels], dtype: 'float32' as const };
    return matMul(backend, colsT, dy2d, shape);
  } finally {
    backend.disposeData(colsT.dataId);
  }
}

/**
 * Writes the transposed im2col matrix of `x` (NHWC) for the conv geometry `info` into `colsT`, [fh·fw·ci, n] with
 * n = b·oh·ow (zeros where padded). Rows are written one after another, so the writes are sequential.
 */
export function fillIm2colTransposed(x: Float32Array, colsT: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { inHeight, inWidth, inChannels: ci, outHeight, outWidth } = info;
  let o = 0;
  for (let kh = 0; kh < info.filterHeight; kh++) {
    for (let kw = 0; kw < info.filterWidth; kw++) {
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < info.batchSize; b++) {
          const xb = b * inHeight * inWidth * ci + c;
          for (let oh = 0; oh < outHeight; oh++) {
            const ih = oh * info.strideHeight - info.padInfo.top + kh;
            if (ih < 0 || ih >= inHeight) {
              colsT.fill(0, o, o + outWidth);
              o += outWidth;
              continue;
            }
            const row = xb + ih * inWidth * ci;
            for (let ow = 0; ow < outWidth; ow++, o++) {
              const iw = ow * info.strideWidth - info.padInfo.left + kw;
              colsT[o] = iw >= 0 && iw < inWidth ? x[row + iw * ci]! : 0;
            }
          }
        }
      }
    }
  }
}
