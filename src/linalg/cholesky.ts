import { gemmUpdate } from './gemm.js';
import type { Matrix } from './matrix.js';

/**
 * Cholesky factorisation with symmetric (diagonal) pivoting for positive semi-definite matrices, LAPACK dpstrf
 * style: P^T S P = L L^T with L (d x r) lower trapezoidal and r the numerical rank, the number of pivots above
 * `tol` (default d * eps * max(diag S), dpstrf's default). Blocked and right-looking: each panel of `block`
 * columns is factored in JS (pivots picked from the diagonal updated within the panel), then the trailing matrix
 * gets one rank-`block` update on `gemm` (onnxruntime), so the d^3/3 flops run at gemm speed. Pivoting makes it
 * stable for singular and near-singular covariances, where plain Cholesky divides by rounding noise.
 *
 * @example
 * const { factor, perm, rank } = await pivotedCholesky(cov); // cov[perm[i]][perm[j]] ~ (factor factor^T)[i][j]
 */
export interface PivotedCholesky {
  /** d x rank, rows in pivot order. */
  readonly factor: Matrix;
  /** perm[i] = index in S of row i of the factor. */
  readonly perm: Int32Array;
  readonly rank: number;
}

export interface CholeskyOptions {
  readonly tol?: number;
  readonly block?: number;
}

export async function pivotedCholesky(s: Matrix, opts: CholeskyOptions = {}): Promise<PivotedCholesky> {
  const d = s.rows;
  const a = Float64Array.from(s.data);
  const perm = Int32Array.from({ length: d }, (_, i) => i);
  let maxDiag = 0;
  for (let i = 0; i < d; i++) maxDiag = Math.max(maxDiag, a[i * d + i]!);
  const tol = opts.tol ?? d * Number.EPSILON * maxDiag;
  const nb = opts.block ?? 64;
  let rank = d;
  for (let k0 = 0; k0 < d && rank === d; k0 += nb) {
    const k1 = Math.min(d, k0 + nb);
    const stop = factorPanel(a, d, perm, k0, k1, tol);
    if (stop < k1) rank = stop;
    else if (k1 < d) await trailingUpdate(a, d, k0, k1);
  }
  const factor = new Float64Array(d * rank);
  for (let i = 0; i < d; i++) for (let c = 0; c < Math.min(i + 1, rank); c++) factor[i * rank + c] = a[i * d + c]!;
  return { factor: { rows: d, cols: rank, data: factor }, perm, rank };
}

/** Columns k0..k1-1 with pivoting; returns the column where the pivots fell below tol (k1 when none did). */
function factorPanel(a: Float64Array, d: number, perm: Int32Array, k0: number, k1: number, tol: number): number {
  const dots = new Float64Array(d);
  for (let k = k0; k < k1; k++) {
    let piv = k;
    let best = -Infinity;
    for (let j = k; j < d; j++) {
      const v = a[j * d + j]! - dots[j]!;
      if (v > best) {
        best = v;
        piv = j;
      }
    }
    if (!(best > tol)) return k;
    swapSymmetric(a, d, k, piv);
    [perm[k], perm[piv]] = [perm[piv]!, perm[k]!];
    [dots[k], dots[piv]] = [dots[piv]!, dots[k]!];
    const lkk = Math.sqrt(best);
    a[k * d + k] = lkk;
    const rowK = k * d;
    for (let i = k + 1; i < d; i++) {
      const rowI = i * d;
      let s = a[rowI + k]!;
      for (let c = k0; c < k; c++) s -= a[rowI + c]! * a[rowK + c]!;
      const l = s / lkk;
      a[rowI + k] = l;
      dots[i] = dots[i]! + l * l;
    }
  }
  return k1;
}

/** Swaps rows and columns k and p of the full symmetric array. */
function swapSymmetric(a: Float64Array, d: number, k: number, p: number): void {
  if (k === p) return;
  for (let c = 0; c < d; c++) [a[k * d + c], a[p * d + c]] = [a[p * d + c]!, a[k * d + c]!];
  for (let r = 0; r < d; r++) [a[r * d + k], a[r * d + p]] = [a[r * d + p]!, a[r * d + k]!];
}

/** A22 <- A22 - L21 L21^T for rows/columns k1.. and panel columns k0..k1-1. */
async function trailingUpdate(a: Float64Array, d: number, k0: number, k1: number): Promise<void> {
  const m = d - k1;
  const w = k1 - k0;
  const l21 = new Float64Array(m * w);
  const a22 = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    l21.set(a.subarray((k1 + i) * d + k0, (k1 + i) * d + k1), i * w);
    a22.set(a.subarray((k1 + i) * d + k1, (k1 + i + 1) * d), i * m);
  }
  const l: Matrix = { rows: m, cols: w, data: l21 };
  const upd = await gemmUpdate({ rows: m, cols: m, data: a22 }, l, l, -1, { transB: true });
  for (let i = 0; i < m; i++) a.set(upd.data.subarray(i * m, (i + 1) * m), (k1 + i) * d + k1);
}
