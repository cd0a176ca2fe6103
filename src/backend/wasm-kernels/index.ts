import * as tf from '@tensorflow/tfjs';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter.js';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input.js';
import { identityConfig } from './identity.js';
import { meanConfig, sumConfig } from './reduce-leading.js';
import { rememberStock } from './stock.js';
import { tileConfig } from './tile.js';
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
 * (Conv2D's input gradient and Conv2DTranspose's forward pass), a direct loop in 4.22, here stride-phase
 * convolutions on XNNPACK; BatchMatMul with a transposed operand (a naive loop in 4.22), here an explicit transpose
 * then XNNPACK; Tile (per-element indexing in 4.22), here block copies; Identity (a copy in 4.22), here a shared
 * buffer; Sum and Mean over leading axes (a transpose first in 4.22), here one pass. The wrapped stock kernels stay
 * reachable (stock.ts).
 */
export const WASM_KERNEL_REPLACEMENTS: readonly tf.KernelConfig[] = Object.freeze([
  conv2dBackpropInputConfig,
  batchMatMulConfig,
  tileConfig,
  identityConfig,
  sumConfig,
  meanConfig,
]);

const OURS: ReadonlySet<tf.KernelFunc> = new Set(WASM_KERNEL_REPLACEMENTS.map((c) => c.kernelFunc));

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
 * //  'UnsortedSegmentSum', 'Conv2DBackpropInput', 'BatchMatMul', 'Tile', 'Identity', 'Sum', 'Mean']
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
    if (current !== undefined) {
      rememberStock(current, OURS);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    tf.registerKernel(config);
    added.push(config.kernelName);
  }
  return added;
}
