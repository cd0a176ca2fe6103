import * as tf from '@tensorflow/tfjs';
import { convGradSetup, f32, outputFrom, type WasmKernelArgs } from './shared.js';

/**
 * DepthwiseConv2dNativeBackpropInput on wasm: the gradient of a depthwise convolution with respect to its input
 * (NHWC, dilation 1, any stride, 'same'/'valid'/numeric/explicit padding, channel multiplier m).
 *
 * Method: scatter each output gradient back through the filter taps, into a Float64 accumulator:
 * dx[b, oh·sh − top + kh, ow·sw − left + kw, c] += Σ_j dy[b, oh, ow, c·m + j] · W[kh, kw, c, j].
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.grad((x) => tf.depthwiseConv2d(x, w, 2, 'valid'))(x); // runs this kernel
 */
export const depthwiseBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.DepthwiseConv2dNativeBackpropInput,
  backendName: 'wasm',
  kernelFunc: depthwiseBackpropInput as unknown as tf.KernelFunc,
};

const NAME = tf.DepthwiseConv2dNativeBackpropInput;

function depthwiseBackpropInput(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const { first: dy, second: filter, info } = convGradSetup(args, NAME, 'input', true);
  const acc = scatter(f32(backend, dy), f32(backend, filter), info);
  return outputFrom(backend, info.inShape.slice(), acc);
}

function scatter(dy: Float32Array, w: Float32Array, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { inHeight, inWidth, inChannels: ci, outChannels: co, filterWidth: fw } = info;
  const m = co / ci;
  const dx = new Float64Array(info.batchSize * inHeight * inWidth * ci);
  let yo = 0;
  for (let b = 0; b < info.batchSize; b++) {
    const xb = b * inHeight * inWidth * ci;
    for (let oh = 0; oh < info.outHeight; oh++) {
      for (let ow = 0; ow < info.outWidth; ow++, yo += co) {
        for (let kh = 0; kh < info.filterHeight; kh++) {
          const ih = oh * info.strideHeight - info.padInfo.top + kh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < fw; kw++) {
            const iw = ow * info.strideWidth - info.padInfo.left + kw;
            if (iw < 0 || iw >= inWidth) continue;
            const xo = xb + (ih * inWidth + iw) * ci;
            const wo = (kh * fw + kw) * co;
            for (let d = 0; d < co; d++) dx[xo + ((d / m) | 0)]! += dy[yo + d]! * w[wo + d]!;
          }
        }
      }
    }
  }
  return dx;
}
