import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GenbenchError } from '../../errors.js';

/**
 * The stock tfjs-backend-wasm kernels that genbench wraps or calls from its own kernels. registerWasmKernels()
 * remembers a stock kernel here before it swaps in a wrapper, so the wrapper can still reach it (and so the stock
 * kernel's setup, which binds its C++ function, still runs when the backend starts after the swap).
 */
const stock = new Map<string, tf.KernelConfig>();

/** Remembers `config` as the stock kernel for its name (ignored if it is one of genbench's own kernels). */
export function rememberStock(config: tf.KernelConfig, ours: ReadonlySet<tf.KernelFunc>): void {
  if (!ours.has(config.kernelFunc)) stock.set(config.kernelName, config);
}

/** A setupFunc that runs the remembered stock kernel's setup (for wrappers registered before the backend starts). */
export function stockSetup(name: string): tf.KernelSetupFunc {
  return (backend) => stock.get(name)?.setupFunc?.(backend);
}

/**
 * Runs the stock wasm kernel `name` (the remembered one, else whatever is registered) on `inputs`.
 *
 * @example
 * const t = runStock(backend, tf.Transpose, { x }, { perm: [1, 0] });
 */
export function runStock(backend: BackendWasm, name: string, inputs: tf.NamedTensorInfoMap, attrs: object): tf.TensorInfo {
  const kernel = stock.get(name) ?? tf.getKernel(name, 'wasm');
  if (kernel === undefined) {
    throw new GenbenchError('UNSUPPORTED', `the wasm backend has no ${name} kernel (upgrade @tensorflow/tfjs-backend-wasm)`);
  }
  const args = { inputs, backend, attrs: attrs as tf.NamedAttrMap };
  return kernel.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
}
