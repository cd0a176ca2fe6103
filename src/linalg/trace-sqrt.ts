import { pivotedCholesky, type PivotedCholesky } from './cholesky.js';
import { symmetricEigenvalues } from './eigen.js';
import { gemm } from './gemm.js';
import type { Matrix } from './matrix.js';
import { block } from './triangular.js';

/**
 * tr sqrt(S1 S2) for symmetric positive semi-definite S1, S2 without a general (non-symmetric) matrix square root.
 * Every route reduces it to the eigenvalues of a symmetric PSD matrix M, tr sqrt(S1 S2) = sum sqrt(lambda_i(M)):
 * - covariance route: pivoted Cholesky P^T S1 P = L L^T (rank r), M = L^T (P^T S2 P) L (r x r), which has the
 *   eigenvalues of S1 S2 (S1 S2 = P L (L^T P^T S2 P L) L^-1 P^T on the range of S1);
 * - Gram route (fewer samples than features): with centred data X1 (n1 x d), X2 (n2 x d) and
 *   C = X1 X2^T / sqrt((n1-1)(n2-1)), tr sqrt(S1 S2) = nuclear norm of C = sum sqrt(lambda(C C^T)), an
 *   min(n1, n2)-sized problem.
 * Rounding leaves tiny negative eigenvalues on (near-)singular problems: they are clipped to 0 and their sum is
 * returned as `negativeResidue` (<= 0) rather than dropped silently.
 *
 * @example
 * await traceSqrtProduct(s1, s2) // { value: 67.8288..., negativeResidue: 0, rank: 64, method: 'cholesky-eigh' }
 */
export interface TraceSqrtResult {
  readonly value: number;
  /** Sum of the negative eigenvalues of M that were clipped to zero (0 when none). */
  readonly negativeResidue: number;
  readonly method: 'cholesky-eigh' | 'gram-eigh';
  /** Smallest eigenvalue of M (covariance route only; `congruenceCertifiesFullRank` reads it). */
  readonly minEigenvalue?: number;
}

export async function traceSqrtProduct(s1: Matrix, s2: Matrix, chol1?: PivotedCholesky): Promise<TraceSqrtResult> {
  if (s1.rows !== s2.rows || s1.rows !== s1.cols || s2.rows !== s2.cols) {
    throw new RangeError(`traceSqrtProduct: shapes ${s1.rows}x${s1.cols} and ${s2.rows}x${s2.cols}`);
  }
  const { factor, perm, rank } = chol1 ?? (await pivotedCholesky(s1));
  if (rank === 0) return { value: 0, negativeResidue: 0, method: 'cholesky-eigh' };
  const m = await congruence(factor, permuteSymmetric(s2, perm));
  const values = await symmetricEigenvalues(m);
  return { ...sumSqrt(values), method: 'cholesky-eigh', minEigenvalue: values.reduce((a, v) => Math.min(a, v), Infinity) };
}

/**
 * L^T S L for L (d x r) lower trapezoidal and S (d x d) symmetric, exactly symmetric. Column blocks of L start
 * at their diagonal, so W_j = S L_j only reads S's rows from there (as S[c0:, :]^T, no copy) and only the blocks
 * M_ij, i <= j, are formed: about 0.85 d^3 multiply-adds instead of 2 d^3.
 *
 * @example
 * await congruence(factor, s) // r x r
 */
export async function congruence(l: Matrix, s: Matrix, width = 256): Promise<Matrix> {
  const { rows: d, cols: r } = l;
  const starts: number[] = [];
  for (let c0 = 0; c0 < r; c0 += width) starts.push(c0);
  const blocks = starts.map((c0) => block(l, c0, c0, d - c0, Math.min(width, r - c0)));
  const out = new Float64Array(r * r);
  for (let j = 0; j < starts.length; j++) {
    const w = await gemm(rowsOf(s, starts[j]!), blocks[j]!, { transA: true });
    for (let i = 0; i <= j; i++) {
      const mij = await gemm(blocks[i]!, rowsOf(w, starts[i]!), { transA: true });
      for (let a = 0; a < mij.rows; a++) {
        for (let b = 0; b < mij.cols; b++) {
          const v = mij.data[a * mij.cols + b]!;
          out[(starts[i]! + a) * r + starts[j]! + b] = v;
          out[(starts[j]! + b) * r + starts[i]! + a] = v;
        }
      }
    }
  }
  return { rows: r, cols: r, data: out };
}

/** Rows from..end of m, sharing memory. */
function rowsOf(m: Matrix, from: number): Matrix {
  return { rows: m.rows - from, cols: m.cols, data: m.data.subarray(from * m.cols) };
}

/**
 * The Gram route from centred data stored transposed (features as rows: d x n1 and d x n2, as
 * `centreTransposed` returns them).
 *
 * @example
 * await traceSqrtFromCentred(x1t, x2t) // rank-deficient case: N < d
 */
export async function traceSqrtFromCentred(x1t: Matrix, x2t: Matrix): Promise<TraceSqrtResult> {
  const n1 = x1t.cols;
  const n2 = x2t.cols;
  const c = await gemm(x1t, x2t, { transA: true });
  const scaled: Matrix = { rows: n1, cols: n2, data: c.data.map((v) => v / Math.sqrt((n1 - 1) * (n2 - 1))) };
  const g = n1 <= n2 ? await gemm(scaled, scaled, { transB: true }) : await gemm(scaled, scaled, { transA: true });
  return { ...sumSqrt(await symmetricEigenvalues(symmetrise(g))), method: 'gram-eigh' };
}

/** Sum of sqrt of the non-negative eigenvalues, and the sum of the negative ones. */
export function sumSqrt(values: Float64Array): { value: number; negativeResidue: number } {
  let value = 0;
  let negativeResidue = 0;
  for (const v of values) {
    if (v > 0) value += Math.sqrt(v);
    else negativeResidue += v;
  }
  return { value, negativeResidue };
}

/** S[perm][perm] (s itself, not a copy, when perm is the identity: the unpivoted Cholesky's case). */
export function permuteSymmetric(s: Matrix, perm: Int32Array): Matrix {
  const d = s.rows;
  if (perm.every((p, i) => p === i)) return s;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const row = perm[i]! * d;
    for (let j = 0; j < d; j++) out[i * d + j] = s.data[row + perm[j]!]!;
  }
  return { rows: d, cols: d, data: out };
}

/** (A + A^T) / 2. */
export function symmetrise(a: Matrix): Matrix {
  const n = a.rows;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (a.data[i * n + j]! + a.data[j * n + i]!);
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return { rows: n, cols: n, data: out };
}
