import ort from 'onnxruntime-node';
import { computeSession, releaseComputeSessions } from '../backend/onnx.js';
import { encodeModel, type OnnxNode, type OnnxTensor } from '../io/onnx-model.js';

/**
 * Sums of the cubic polynomial kernel k(a, b) = (a.b / d + 1)^3 over all row pairs of two sets, computed inside one
 * onnxruntime graph per call so that no m x m kernel matrix crosses into JS (only a few scalars come back).
 *
 * Method: each set of m rows is split into `blocks` row blocks (default 8 for m = 1000). Within a set, block
 * column a of the lower triangle is one ONNX `Gemm` of the rows from block a on against block a's rows (a
 * "staircase": X X^T and Y Y^T cost (blocks + 1) / (2 blocks) of a full product each, 0.56 at 8 blocks; the
 * off-diagonal rows count twice); across sets one full Gemm X Y^T. Each Gemm (MLAS SGEMM/DGEMM) is followed by the
 * scale and shift (folded into the Gemm's alpha and C for float32), two Muls (the cube), a Cast to float64
 * (float32 only) and a float64 ReduceSum over columns; only these row sums (at most 1000 + 2 x 1000 doubles for
 * m = 1000) come back to JS, where they are weighted and added in float64.
 * Precision: 'float64' matches a float64 double loop to ~1e-15 relative; 'float32' rounds the inputs and the
 * products to float32 (as torch-fidelity on float32 features; 1/d is rounded to float32 too) and accumulates the
 * kernel values in float64 (sums within ~1e-7 relative of float64; KID within ~5e-7 relative).
 *
 * @example
 * const k = await cubicKernelSums(xRows, yRows, 1000, 768, { dtype: 'float32' });
 * k.xx; // sum_{i,j} k(x_i, x_j), diagonal included
 * await releaseKernelSessions();
 */
export type KernelDtype = 'float32' | 'float64';

export interface KernelSumOptions {
  readonly dtype?: KernelDtype;
  /** Row blocks per set (default `defaultBlocks(m)`: one per 128 rows, 1 to 8). */
  readonly blocks?: number;
}

export interface KernelSums {
  /** sum over all (i, j) of k(x_i, x_j), i = j included. */
  readonly xx: number;
  readonly yy: number;
  /** sum over all (i, j) of k(x_i, y_j). */
  readonly xy: number;
}

function scalar(name: string, dtype: KernelDtype, value: number): OnnxTensor {
  return { name, dims: [], data: dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value) };
}

/** Block edges: `blocks` row blocks of (nearly) equal size over m rows. */
function edgesOf(m: number, blocks: number): number[] {
  return Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * m) / blocks));
}

/**
 * Nodes that turn `a` [r, c] and `b` [s, c] into the float64 row sums [r] of k(a_i, b_j). Float32 folds 1/d and +1
 * into the Gemm (alpha, C); float64 keeps them as Mul/Add so that the products match a float64 JS loop bit for bit.
 */
function kernelRowSums(a: string, b: string, out: string, dtype: KernelDtype, d: number): OnnxNode[] {
  const n = (s: string) => `${out}_${s}`;
  const nodes: OnnxNode[] =
    dtype === 'float32'
      ? [{ op: 'Gemm', inputs: [a, b, 'one'], outputs: [n('t')], attrs: { transB: { int: 1 }, alpha: { float: 1 / d } } }]
      : [
          { op: 'Gemm', inputs: [a, b], outputs: [n('g')], attrs: { transB: { int: 1 } } },
          { op: 'Mul', inputs: [n('g'), 'inv_d'], outputs: [n('s')] },
          { op: 'Add', inputs: [n('s'), 'one'], outputs: [n('t')] },
        ];
  nodes.push({ op: 'Mul', inputs: [n('t'), n('t')], outputs: [n('t2')] });
  nodes.push({ op: 'Mul', inputs: [n('t2'), n('t')], outputs: [n('k')] });
  const k64 = dtype === 'float64' ? n('k') : n('k64');
  if (dtype !== 'float64') nodes.push({ op: 'Cast', inputs: [n('k')], outputs: [k64], attrs: { to: { int: 11 } } });
  nodes.push({ op: 'ReduceSum', inputs: [k64, 'axis1'], outputs: [out], attrs: { keepdims: { int: 0 } } });
  return nodes;
}

/**
 * The ONNX model for one (d, blocks, dtype). Inputs per set S in {X, Y} and block a: `S_tail_a` (rows from block a
 * on) and `S_block_a` (block a's rows); Y_all. Outputs `S_a` = row sums of k(S_tail_a, S_block_a) (the block column
 * a of the lower triangle, diagonal block first) and `XY` = row sums of k(X, Y).
 */
export function kernelSumModel(d: number, blocks: number, dtype: KernelDtype): Uint8Array {
  const nodes: OnnxNode[] = [];
  const outputs: string[] = [];
  for (const set of ['X', 'Y']) {
    for (let a = 0; a < blocks; a++) {
      nodes.push(...kernelRowSums(`${set}_tail_${a}`, `${set}_block_${a}`, `${set}_${a}`, dtype, d));
      outputs.push(`${set}_${a}`);
    }
  }
  nodes.push(...kernelRowSums('X_tail_0', 'Y_tail_0', 'XY', dtype, d));
  outputs.push('XY');
  const inputs = ['X', 'Y'].flatMap((set) => Array.from({ length: blocks }, (_, a) => [`${set}_tail_${a}`, `${set}_block_${a}`]).flat());
  return encodeModel(
    {
      name: 'genbench_cubic_kernel_sums',
      nodes,
      initializers: [...(dtype === 'float64' ? [scalar('inv_d', dtype, 1 / d)] : []), scalar('one', dtype, 1), { name: 'axis1', dims: [1], data: BigInt64Array.of(1n) }],
      inputs: inputs.map((name) => ({ name, type: dtype, shape: [`r_${name}`, d] })),
      outputs: outputs.map((name) => ({ name, type: 'float64' as const, shape: [`n_${name}`] })),
    },
    { opset: 17 },
  );
}

function session(d: number, blocks: number, dtype: KernelDtype): Promise<ort.InferenceSession> {
  return computeSession(`kernel-sums/${d}/${blocks}/${dtype}`, () => kernelSumModel(d, blocks, dtype));
}

/**
 * Kernel sums of the m rows of `x` and of `y` (row-major m x d, float32 or float64 to match `dtype`).
 * The arrays are only read; pass reused buffers to avoid allocation.
 */
export async function cubicKernelSums(
  x: Float32Array | Float64Array,
  y: Float32Array | Float64Array,
  m: number,
  d: number,
  opts: KernelSumOptions = {},
): Promise<KernelSums> {
  const dtype = opts.dtype ?? 'float64';
  if (x.length !== m * d || y.length !== m * d) throw new RangeError(`cubicKernelSums: expected two ${m}x${d} arrays`);
  if ((dtype === 'float64') !== (x instanceof Float64Array) || x.constructor !== y.constructor) {
    throw new RangeError(`cubicKernelSums: inputs must be ${dtype === 'float64' ? 'Float64Array' : 'Float32Array'}`);
  }
  const blocks = Math.max(1, Math.min(m, opts.blocks ?? defaultBlocks(m)));
  const edges = edgesOf(m, blocks);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [set, data] of [['X', x], ['Y', y]] as const) {
    for (let a = 0; a < blocks; a++) {
      const [r0, r1] = [edges[a]!, edges[a + 1]!];
      feeds[`${set}_tail_${a}`] = new ort.Tensor(dtype, data.subarray(r0 * d), [m - r0, d]);
      feeds[`${set}_block_${a}`] = new ort.Tensor(dtype, data.subarray(r0 * d, r1 * d), [r1 - r0, d]);
    }
  }
  const out = await (await session(d, blocks, dtype)).run(feeds);
  const sums = { xx: 0, yy: 0, xy: 0 };
  for (const [set, key] of [['X', 'xx'], ['Y', 'yy']] as const) {
    for (let a = 0; a < blocks; a++) {
      const rows = out[`${set}_${a}`]!.data as Float64Array;
      const diag = edges[a + 1]! - edges[a]!;
      for (let i = 0; i < rows.length; i++) sums[key] += (i < diag ? 1 : 2) * rows[i]!;
    }
  }
  for (const v of out['XY']!.data as Float64Array) sums.xy += v;
  return sums;
}

/** Row blocks per set by default: the staircase costs (blocks + 1) / (2 blocks) of a full product. */
export function defaultBlocks(m: number): number {
  return Math.max(1, Math.min(8, Math.floor(m / 128)));
}

/** Releases the cached sessions (rebuilt on the next call). */
export function releaseKernelSessions(): Promise<void> {
  return releaseComputeSessions('kernel-sums/');
}
