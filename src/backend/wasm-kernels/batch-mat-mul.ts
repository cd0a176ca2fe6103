import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { input, type WasmKernelArgs } from './shared.js';
import { runStock, stockSetup } from './stock.js';

/**
 * BatchMatMul on wasm, wrapping tfjs-backend-wasm's: a transposed operand is transposed explicitly first (the stock
 * Transpose kernel), then the stock kernel runs untransposed on XNNPACK. tfjs-backend-wasm 4.22 sends
 * transposeA/transposeB to a naive loop (~10x slower at 64x6272x100), and every dense layer's gradient uses them.
 * Non-float32 operands and untransposed products go straight to the stock kernel.
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.matMul(a, b, true, false); // transposes a, then XNNPACK
 */
export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.BatchMatMul),
  kernelFunc: batchMatMul as unknown as tf.KernelFunc,
};

const NAME = tf.BatchMatMul;

function batchMatMul(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const a = input(args, NAME, 'a');
  const b = input(args, NAME, 'b');
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return runStock(backend, NAME, args.inputs, args.attrs);
  }
  const temps: tf.TensorInfo[] = [];
  try {
    const a2 = transposeA ? swapLastTwo(backend, a, temps) : a;
    const b2 = transposeB ? swapLastTwo(backend, b, temps) : b;
    return runStock(backend, NAME, { a: a2, b: b2 }, { ...args.attrs, transposeA: false, transposeB: false });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** t with its last two axes swapped, as a new buffer (recorded in `temps` for disposal). */
function swapLastTwo(backend: BackendWasm, t: tf.TensorInfo, temps: tf.TensorInfo[]): tf.TensorInfo {
  const r = t.shape.length;
  const perm = [...Array.from({ length: r - 2 }, (_, i) => i), r - 1, r - 2];
  const out = runStock(backend, tf.Transpose, { x: t }, { perm });
  temps.push(out);
  return out;
}
