import * as tf from '@tensorflow/tfjs';
import { input, type WasmKernelArgs } from './shared.js';
import { runStock, stockSetup } from './stock.js';

/**
 * Identity on wasm, replacing tfjs-backend-wasm's, which copies the buffer: here the output shares the input's
 * buffer (one more reference), as on tfjs's cpu backend and as wasm's own Reshape does. tf.clone uses it, and the
 * engine clones every tensor a custom gradient saves (each fused conv and matmul, four per call), so a DCGAN step
 * made ~55 copies of up to 3 MB. Kernels never write into their inputs, so sharing is safe. Strings go to the stock
 * kernel.
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.clone(x); // same buffer, no copy
 */
export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.Identity),
  kernelFunc: identity as unknown as tf.KernelFunc,
};

function identity(args: WasmKernelArgs): tf.TensorInfo {
  const x = input(args, tf.Identity, 'x');
  if (x.dtype === 'string') return runStock(args.backend, tf.Identity, args.inputs, args.attrs);
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}
