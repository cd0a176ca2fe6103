import { chaseBandToTridiagonal } from './band-chase.js';
import { reduceToBand } from './band-reduce.js';
import { householderTridiagonal } from './householder-tridiagonal.js';
import type { Matrix } from './matrix.js';
import { qlImplicit, tridiagonalEigenvalues } from './tridiagonal.js';

/**
 * Symmetric eigenvalue problems in float64. Values only: Householder tridiagonalisation, then implicit QL.
 * Up to `DENSE_MAX` rows the tridiagonalisation is the classic unblocked one (tred2, JS); above it, the two-stage
 * route: full -> band by blocked Householder with the trailing updates on `gemm` (onnxruntime), then band ->
 * tridiagonal by bulge chasing in JS (O(n^2 b)). Both are orthogonal similarity transforms, so the computed
 * eigenvalues are those of a matrix within a small multiple of eps * ||A|| of the input. Only the lower triangle
 * is trusted for the small route, so pass a symmetric matrix.
 *
 * @example
 * await symmetricEigenvalues({ rows: 2, cols: 2, data: Float64Array.of(2, 1, 1, 2) }) // Float64Array [1, 3] (ascending)
 */
export interface EigenOptions {
  /** Force the two-stage route with this bandwidth (tests); default: by size. */
  readonly bandwidth?: number;
}

/** Largest size solved by the unblocked JS tridiagonalisation; larger matrices take the two-stage route. */
export const DENSE_MAX = 192;
const BANDWIDTH = 32;

export async function symmetricEigenvalues(a: Matrix, opts: EigenOptions = {}): Promise<Float64Array> {
  checkSquare(a);
  const n = a.rows;
  const b = opts.bandwidth ?? (n > DENSE_MAX ? BANDWIDTH : 0);
  if (b <= 0 || n <= b + 1) {
    const t = householderTridiagonal(a, false);
    return tridiagonalEigenvalues(t.diag, t.off);
  }
  const band = await reduceToBand(a, b);
  const t = chaseBandToTridiagonal(band, n, b);
  return tridiagonalEigenvalues(t.diag, t.off);
}

/**
 * Eigenvalues (ascending) and eigenvectors (columns of `vectors`, n x n row-major, orthonormal) of a symmetric
 * matrix: tred2 + tql2 in JS, O(n^3) at ~1 GFLOP/s, for matrices up to a few hundred rows.
 *
 * @example
 * const { values, vectors } = symmetricEigen(a); // a = V diag(values) V^T
 */
export function symmetricEigen(a: Matrix): { values: Float64Array; vectors: Matrix } {
  checkSquare(a);
  const n = a.rows;
  const t = householderTridiagonal(a, true);
  const d = Float64Array.from(t.diag);
  const e = new Float64Array(n);
  e.set(t.off);
  const z = t.q ?? new Float64Array(0);
  qlImplicit(d, e, z);
  const order = Array.from(d.keys()).sort((i, j) => d[i]! - d[j]!);
  const vectors = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) vectors[r * n + c] = z[r * n + order[c]!]!;
  return { values: Float64Array.from(order, (i) => d[i]!), vectors: { rows: n, cols: n, data: vectors } };
}

function checkSquare(a: Matrix): void {
  if (a.rows !== a.cols) throw new RangeError(`symmetric eigen: matrix is ${a.rows}x${a.cols}, not square`);
}
