import type { Matrix } from './matrix.js';

/**
 * Householder reduction of a symmetric matrix to tridiagonal form T = Q^T A Q (EISPACK tred2 as ported in JAMA,
 * public domain), unblocked, in plain JS: O(n^3) flops at ~1 GFLOP/s, so meant for n up to a few hundred (larger
 * matrices go through the blocked two-stage route in `band-reduce.ts`). Reads the lower triangle.
 *
 * @example
 * const { diag, off } = householderTridiagonal(a, false); // off[i] = T[i+1][i]
 */
export interface Tridiagonal {
  readonly diag: Float64Array;
  /** Sub-diagonal, length n - 1 (n = 0 gives length 0). */
  readonly off: Float64Array;
  /** Q (n x n row-major) with A = Q T Q^T, when requested. */
  readonly q?: Float64Array;
}

export function householderTridiagonal(a: Matrix, wantQ: boolean): Tridiagonal {
  const n = a.rows;
  if (n === 0) return { diag: new Float64Array(0), off: new Float64Array(0) };
  const v = Float64Array.from(a.data);
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) d[j] = v[(n - 1) * n + j]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = v[(i - 1) * n + j]!;
        v[i * n + j] = 0;
        v[j * n + i] = 0;
      }
      d[i] = 0;
    } else {
      d[i] = reflectStep(v, n, i, d, e, scale);
    }
  }
  const off = Float64Array.from(e.subarray(1));
  if (!wantQ) {
    for (let j = 0; j < n; j++) d[j] = v[j * n + j]!;
    return { diag: d, off };
  }
  accumulate(v, n, d);
  return { diag: d, off, q: v };
}

/** One tred2 step: reflector for row i, applied to the leading i x i block; returns h. */
function reflectStep(v: Float64Array, n: number, i: number, d: Float64Array, e: Float64Array, scale: number): number {
  let h = 0;
  for (let k = 0; k < i; k++) {
    d[k] = d[k]! / scale;
    h += d[k]! * d[k]!;
  }
  let f = d[i - 1]!;
  let g = Math.sqrt(h);
  if (f > 0) g = -g;
  e[i] = scale * g;
  h -= f * g;
  d[i - 1] = f - g;
  for (let j = 0; j < i; j++) e[j] = 0;
  for (let j = 0; j < i; j++) {
    f = d[j]!;
    v[j * n + i] = f;
    g = e[j]! + v[j * n + j]! * f;
    for (let k = j + 1; k <= i - 1; k++) {
      g += v[k * n + j]! * d[k]!;
      e[k] = e[k]! + v[k * n + j]! * f;
    }
    e[j] = g;
  }
  f = 0;
  for (let j = 0; j < i; j++) {
    e[j] = e[j]! / h;
    f += e[j]! * d[j]!;
  }
  const hh = f / (h + h);
  for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
  for (let j = 0; j < i; j++) {
    f = d[j]!;
    g = e[j]!;
    for (let k = j; k <= i - 1; k++) v[k * n + j] = v[k * n + j]! - (f * e[k]! + g * d[k]!);
    d[j] = v[(i - 1) * n + j]!;
    v[i * n + j] = 0;
  }
  return h;
}

/** Forms Q in `v` from the stored reflectors; leaves the diagonal of T in `d`. */
function accumulate(v: Float64Array, n: number, d: Float64Array): void {
  for (let i = 0; i < n - 1; i++) {
    v[(n - 1) * n + i] = v[i * n + i]!;
    v[i * n + i] = 1;
    const h = d[i + 1]!;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[k * n + i + 1]! / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[k * n + i + 1]! * v[k * n + j]!;
        for (let k = 0; k <= i; k++) v[k * n + j] = v[k * n + j]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) v[k * n + i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[(n - 1) * n + j]!;
    v[(n - 1) * n + j] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
}
