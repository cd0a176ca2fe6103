import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/**
 * Kernels that @tensorflow/tfjs-backend-wasm 4.22 lacks and that genbench's training needs (found by running one
 * optimizer step of DCGAN, conditional DCGAN, VAE, a CNN classifier and a MobileNet-style depthwise net on wasm):
 * Conv2D's and Conv2DTranspose's filter gradient, both depthwise gradients, and UnsortedSegmentSum (Embedding's
 * gradient). Each is checked against the cpu backend in test/backend/.
 */
export const WASM_KERNEL_CONFIGS: readonly tf.KernelConfig[] = Object.freeze([
  conv2dBackpropFilterConfig,
  depthwiseBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  unsortedSegmentSumConfig,
]);

/**
 * Kernels wasm has but genbench replaces because the stock one is too slow for training: Conv2DBackpropInput
 * (Conv2D's input gradient and Conv2DTranspose's forward pass), a direct loop in 4.22, here im2col on XNNPACK.
 */
export const WASM_KERNEL_REPLACEMENTS: readonly tf.KernelConfig[] = Object.freeze([conv2dBackpropInputConfig]);

/** Names of the kernels genbench adds to or replaces on 'wasm'. */
export const WASM_KERNEL_NAMES: readonly string[] = Object.freeze(
  [...WASM_KERNEL_CONFIGS, ...WASM_KERNEL_REPLACEMENTS].map((c) => c.kernelName),
);

/**
 * Registers genbench's kernels on the 'wasm' backend and returns the names it registered now. Idempotent: a kernel
 * already present on 'wasm' (registered before, or shipped by a newer tfjs-backend-wasm) is left alone, except the
 * replacements, which are swapped in once. Call it before or after the backend starts.
 *
 * @example
 * registerWasmKernels();
 * // ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
 * //  'UnsortedSegmentSum', 'Conv2DBackpropInput']
 * registerWasmKernels(); // []
 */
export function registerWasmKernels(): string[] {
  const added: string[] = [];
  for (const config of WASM_KERNEL_CONFIGS) {
    if (tf.getKernel(config.kernelName, 'wasm') !== undefined) continue;
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  for (const config of WASM_KERNEL_REPLACEMENTS) {
    const current = tf.getKernel(config.kernelName, 'wasm');
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
