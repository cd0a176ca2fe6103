import { pivotedCholesky, type PivotedCholesky } from './cholesky.js';
import { gemm, gemmUpdate } from './gemm.js';
import type { Matrix } from './matrix.js';
import { block } from './triangular.js';

/**
 * Cholesky factor S = L L^T of a symmetric positive definite matrix together with L^-1, by recursive blocking
 * (halve, factor A11, L21 = A21 L11^-T, factor A22 - L21 L21^T, L^-1 = [X11 0; -X22 L21 X11  X22]): every
 * product is a `gemm`, about 4/3 d^3 flops in all. Returns undefined when a pivot falls to d * eps * max(diag S)
 * or below (a singular or numerically singular matrix): use `pivotedCholesky` then. `choleskyFactor` does that.
 *
 * @example
 * const f = await choleskyWithInverse(cov); // f?.factor, f?.inverse
 */
export async function choleskyWithInverse(s: Matrix): Promise<{ factor: Matrix; inverse: Matrix } | undefined> {
  let maxDiag = 0;
  for (let i = 0; i < s.rows; i++) maxDiag = Math.max(maxDiag, s.data[i * s.cols + i]!);
  const r = await recurse(s, s.rows * Number.EPSILON * maxDiag);
  return r && { factor: r.l, inverse: r.x };
}

/**
 * The factor the FD route needs: unpivoted (fast, with its inverse) when S is numerically positive definite,
 * otherwise pivoted with rank detection.
 *
 * @example
 * const { chol, inverse } = await choleskyFactor(cov); // inverse is undefined on the pivoted path
 */
export async function choleskyFactor(s: Matrix): Promise<{ chol: PivotedCholesky; inverse?: Matrix }> {
  const fast = await choleskyWithInverse(s);
  if (fast === undefined) return { chol: await pivotedCholesky(s) };
  const perm = Int32Array.from({ length: s.rows }, (_, i) => i);
  return { chol: { factor: fast.factor, perm, rank: s.rows }, inverse: fast.inverse };
}

interface Pair {
  readonly l: Matrix;
  readonly x: Matrix;
}

async function recurse(a: Matrix, tol: number): Promise<Pair | undefined> {
  const n = a.rows;
  if (n <= 96) return unblocked(a, tol);
  const h = n >> 1;
  const top = await recurse(block(a, 0, 0, h, h), tol);
  if (top === undefined) return undefined;
  const l21 = await gemm(block(a, h, 0, n - h, h), top.x, { transB: true });
  const bottom = await recurse(await gemmUpdate(block(a, h, h, n - h, n - h), l21, l21, -1, { transB: true }), tol);
  if (bottom === undefined) return undefined;
  const x21 = await gemm(bottom.x, await gemm(l21, top.x));
  return { l: assemble(top.l, l21, bottom.l, 1), x: assemble(top.x, x21, bottom.x, -1) };
}

/** [t 0; sign * lower  b] as one n x n matrix. */
function assemble(t: Matrix, lower: Matrix, b: Matrix, sign: number): Matrix {
  const h = t.rows;
  const n = h + b.rows;
  const out = new Float64Array(n * n);
  for (let i = 0; i < h; i++) out.set(t.data.subarray(i * h, (i + 1) * h), i * n);
  for (let i = 0; i < n - h; i++) {
    const row = (h + i) * n;
    for (let j = 0; j < h; j++) out[row + j] = sign * lower.data[i * h + j]!;
    out.set(b.data.subarray(i * (n - h), (i + 1) * (n - h)), row + h);
  }
  return { rows: n, cols: n, data: out };
}

/** Cholesky (lower) and its inverse in JS for small blocks. */
function unblocked(a: Matrix, tol: number): Pair | undefined {
  const n = a.rows;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a.data[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! ** 2;
    if (!(d > tol)) return undefined;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a.data[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    x[i * n + i] = 1 / l[i * n + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * n + k]! * x[k * n + j]!;
      x[i * n + j] = -s / l[i * n + i]!;
    }
  }
  return { l: { rows: n, cols: n, data: l }, x: { rows: n, cols: n, data: x } };
}
