import * as tf from '@tensorflow/tfjs';
import { convGradSetup, f32, outputFrom, type WasmKernelArgs } from './shared.js';

/**
 * DepthwiseConv2dNativeBackpropFilter on wasm: the gradient of a depthwise convolution with respect to its filter
 * [fh, fw, ci, m] (NHWC, dilation 1, any stride, 'same'/'valid'/numeric/explicit padding, channel multiplier m).
 *
 * Method: one pass over the output positions with a Float64 accumulator:
 * dW[kh, kw, c, j] = Σ_{b, oh, ow} x[b, oh·sh − top + kh, ow·sw − left + kw, c] · dy[b, oh, ow, c·m + j].
 * The inner loop runs over the contiguous output channels c·m + j, so it is one multiply-add per element.
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.grad((w) => tf.depthwiseConv2d(x, w, 1, 'same'))(w); // runs this kernel
 */
export const depthwiseBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropFilter as unknown as tf.KernelFunc,
};

const NAME = tf.DepthwiseConv2dNativeBackpropFilter;

function depthwiseBackpropFilter(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { first: x, second: dy, info } = convGradSetup(args, NAME, 'filter', true);
  const acc = accumulate(f32(backend, x), f32(backend, dy), info);
  return outputFrom(backend, info.filterShape.slice(), acc);
}

function accumulate(x: Float32Array, dy: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { inHeight, inWidth, inChannels, outChannels: co, filterWidth: fw } = info;
  const m = co / inChannels;
  const acc = new Float64Array(info.filterHeight * fw * co);
  let yo = 0;
  for (let b = 0; b < info.batchSize; b++) {
    const xb = b * inHeight * inWidth * inChannels;
    for (let oh = 0; oh < info.outHeight; oh++) {
      for (let ow = 0; ow < info.outWidth; ow++, yo += co) {
        for (let kh = 0; kh < info.filterHeight; kh++) {
          const ih = oh * info.strideHeight - info.padInfo.top + kh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < fw; kw++) {
            const iw = ow * info.strideWidth - info.padInfo.left + kw;
            if (iw < 0 || iw >= inWidth) continue;
            const xo = xb + (ih * inWidth + iw) * inChannels;
            const wo = (kh * fw + kw) * co;
            for (let d = 0; d < co; d++) acc[wo + d]! += x[xo + ((d / m) | 0)]! * dy[yo + d]!;
          }
        }
      }
    }
  }
  return acc;
}
