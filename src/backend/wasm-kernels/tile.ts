import * as tf from '@tensorflow/tfjs';
import { input, type WasmKernelArgs } from './shared.js';
import { runStock, stockSetup } from './stock.js';

/**
 * Tile on wasm, replacing tfjs-backend-wasm's (which computes a source index per output element: ~40 ms to tile a
 * [1, 1, 1, 64] BatchNorm scale to [64, 14, 14, 64], which every BatchNorm gradient does). Here each input row is
 * copied once and every repetition is a block copy (copyWithin, doubling), so it runs at memory speed.
 * String tensors go to the stock kernel (which does not support them either).
 *
 * @example
 * // registered by registerWasmKernels(); then on 'wasm':
 * tf.tile(tf.tensor4d([1, 2], [1, 1, 1, 2]), [2, 3, 3, 1]); // shape [2, 3, 3, 2]
 */
export const tileConfig: tf.KernelConfig = {
  kernelName: tf.Tile,
  backendName: 'wasm',
  setupFunc: stockSetup(tf.Tile),
  kernelFunc: tile as unknown as tf.KernelFunc,
};

type Flat = Float32Array | Int32Array | Uint8Array;

function tile(args: WasmKernelArgs): tf.TensorInfo {
  const { backend } = args;
  const x = input(args, tf.Tile, 'x');
  const { reps } = args.attrs as unknown as tf.TileAttrs;
  if (x.dtype === 'string' || x.dtype === 'complex64') return runStock(backend, tf.Tile, args.inputs, args.attrs);
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  const src = backend.typedArrayFromHeap(x) as Flat;
  const dst = backend.typedArrayFromHeap(out) as Flat;
  if (x.shape.length === 0) dst.set(src);
  else tileInto(src, dst, x.shape, reps);
  return out;
}

/**
 * Writes `src` (shape `shape`) tiled `reps` times along each axis into `dst` (row-major).
 *
 * @example
 * tileInto(Float32Array.of(1, 2), out, [2], [2]); // out = [1, 2, 1, 2]
 */
export function tileInto(src: Flat, dst: Flat, shape: readonly number[], reps: readonly number[]): void {
  const rank = shape.length;
  const inBlock = new Array<number>(rank + 1).fill(1);
  const outBlock = new Array<number>(rank + 1).fill(1);
  for (let d = rank - 1; d >= 0; d--) {
    inBlock[d] = inBlock[d + 1]! * shape[d]!;
    outBlock[d] = outBlock[d + 1]! * shape[d]! * reps[d]!;
  }
  const fill = (d: number, s: number, o: number): void => {
    const n = shape[d]!;
    if (d === rank - 1) {
      for (let i = 0; i < n; i++) dst[o + i] = src[s + i]!;
    } else {
      for (let i = 0; i < n; i++) fill(d + 1, s + i * inBlock[d + 1]!, o + i * outBlock[d + 1]!);
    }
    repeat(dst, o, n * outBlock[d + 1]!, reps[d]!);
  };
  fill(0, 0, 0);
}

/** dst[o + span·r ...] = dst[o ... o + span) for r in [1, times), by doubling block copies. */
function repeat(dst: Flat, o: number, span: number, times: number): void {
  const total = span * times;
  for (let filled = span; filled < total;) {
    const n = Math.min(filled, total - filled);
    dst.copyWithin(o + filled, o, o + n);
    filled += n;
  }
}
