import type { Matrix } from './matrix.js';
import { gemmOrt, gemmUpdateOrt, gramOrt } from './gemm-ort.js';

/**
 * General matrix product C = op(A) . op(B) in float64, the one entry point for heavy linear algebra
 * (covariances, Gram matrices, distance tiles). Products of at least `ORT_MIN_WORK` multiply-adds run on
 * onnxruntime-node (MLAS DGEMM on all cores, tens of GFLOP/s); smaller ones, and `engine: 'js'`, use `gemmJs`, the
 * portable JS version (i-k-j loop order, ~1 GFLOP/s) that the fast engine is tested against.
 * `dtype: 'float32'` is an explicit opt-in for callers that can live with float32 products.
 *
 * @example
 * await gemm(a, b, { transA: true }) // a^T b
 */
export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly dtype?: 'float32' | 'float64';
  /** 'auto' (default) picks by size; 'js' and 'ort' force an engine (tests, benchmarks). */
  readonly engine?: 'auto' | 'js' | 'ort';
}

/** Below this many multiply-adds the onnxruntime call overhead (~0.1 ms) outweighs its speed. */
export const ORT_MIN_WORK = 64 * 64 * 64;

interface Dims {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

function dims(a: Matrix, b: Matrix, opts: GemmOptions): Dims {
  const [m, k] = opts.transA ? [a.cols, a.rows] : [a.rows, a.cols];
  const [kb, n] = opts.transB ? [b.cols, b.rows] : [b.rows, b.cols];
  if (k !== kb) throw new RangeError(`gemm: inner dimensions differ (${m}x${k} . ${kb}x${n})`);
  return { m, k, n };
}

function useOrt({ m, k, n }: Dims, opts: GemmOptions): boolean {
  if (m === 0 || n === 0 || k === 0) return false;
  if (opts.engine === 'ort' || opts.dtype === 'float32') return true;
  return opts.engine !== 'js' && m * k * n >= ORT_MIN_WORK;
}

export async function gemm(a: Matrix, b: Matrix, opts: GemmOptions = {}): Promise<Matrix> {
  const d = dims(a, b, opts);
  return useOrt(d, opts) ? gemmOrt(a, b, opts) : gemmJs(a, b, opts);
}

/**
 * X^T X of a row-major float32 matrix (rows x cols), multiplied in float32 (an opt-in like `dtype: 'float32'`,
 * for resampled statistics whose Monte-Carlo error dwarfs float32 rounding), as a float64 matrix.
 *
 * @example
 * await gramFloat32(Float32Array.of(1, 2, 3, 4), 2, 2) // [[10, 14], [14, 20]]
 */
export async function gramFloat32(x: Float32Array, rows: number, cols: number): Promise<Matrix> {
  if (rows === 0) return { rows: cols, cols, data: new Float64Array(cols * cols) };
  return gramOrt(x, rows, cols);
}

/**
 * `d + alpha op(A) op(B)` (a new matrix, or written into the first rows*cols entries of `out` when given, which
 * must not overlap `d`), e.g. the trailing update `A22 - L21 L21^T` with alpha = -1. Float64 only.
 *
 * @example
 * await gemmUpdate(a22, l21, l21, -1, { transB: true })
 */
export async function gemmUpdate(
  d: Matrix,
  a: Matrix,
  b: Matrix,
  alpha: number,
  opts: GemmOptions & { readonly out?: Float64Array } = {},
): Promise<Matrix> {
  const dd = dims(a, b, opts);
  if (dd.m !== d.rows || dd.n !== d.cols) throw new RangeError(`gemmUpdate: product is ${dd.m}x${dd.n}, d is ${d.rows}x${d.cols}`);
  if (opts.out !== undefined && opts.out.length < d.data.length) throw new RangeError('gemmUpdate: out is too small');
  if (useOrt(dd, { ...opts, dtype: 'float64' }) && Math.fround(alpha) === alpha) return gemmUpdateOrt(d, a, b, alpha, opts);
  const p = gemmJs(a, b, opts);
  const out = opts.out?.subarray(0, d.data.length) ?? new Float64Array(d.data.length);
  for (let i = 0; i < out.length; i++) out[i] = d.data[i]! + alpha * p.data[i]!;
  return { rows: d.rows, cols: d.cols, data: out };
}

export function gemmJs(a: Matrix, b: Matrix, opts: GemmOptions = {}): Matrix {
  const A = opts.transA ? transpose(a) : a;
  const B = opts.transB ? transpose(b) : b;
  if (A.cols !== B.rows) throw new RangeError(`gemm: inner dimensions differ (${A.rows}x${A.cols} . ${B.rows}x${B.cols})`);
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  const c = new Float64Array(m * n);
  const ad = A.data;
  const bd = B.data;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = ad[i * k + p]!;
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * bd[bp + j]!;
    }
  }
  return { rows: m, cols: n, data: c };
}

export function transpose(a: Matrix): Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j]!;
  return { rows: a.cols, cols: a.rows, data: out };
}
