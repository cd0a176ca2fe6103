import { householder } from './householder.js';
import type { Tridiagonal } from './householder-tridiagonal.js';

/**
 * Stage two of the two-stage tridiagonalisation: a symmetric band matrix (bandwidth b) is reduced to tridiagonal
 * form by Householder bulge chasing (Bischof, Lang & Sun's SBR, one column per sweep, as in LAPACK
 * dsytrd_sb2st). Sweep j annihilates column j below its sub-diagonal with one reflector of length <= b; the bulge
 * this creates b rows further down is removed by annihilating only its first column, and so on to the end of the
 * matrix (the rest of each bulge is absorbed by the next sweep, so fill never reaches 2b from the diagonal).
 * Only the lower triangle is kept, in a compact row-major band of width 2b + 1 (about 1 MB for n = 2048, b = 32),
 * and each reflector touches three blocks: the bulge to its left (from the left), the b x b diagonal block (two
 * sided, symmetric) and the block below (from the right): about 12 b^2 flops, O(n^2 b) in all.
 *
 * @example
 * const { diag, off } = chaseBandToTridiagonal(denseBand, n, 32); // n x n, lower triangle read, zero below the band
 */
export function chaseBandToTridiagonal(dense: Float64Array, n: number, b: number): Tridiagonal {
  const band = new LowerBand(n, 2 * b);
  for (let i = 0; i < n; i++) for (let j = Math.max(0, i - b); j <= i; j++) band.set(i, j, dense[i * n + j]!);
  const scratch = new Float64Array(4 * b + 4);
  for (let j = 0; j + 2 < n; j++) {
    let col = j;
    let p = j + 1;
    let q = Math.min(j + b, n - 1);
    while (q > p) {
      annihilate(band, col, p, q, Math.min(q + b, n - 1), scratch);
      col = p;
      p = q + 1;
      q = Math.min(q + b, n - 1);
    }
  }
  const diag = Float64Array.from({ length: n }, (_, i) => band.get(i, i));
  const off = Float64Array.from({ length: Math.max(0, n - 1) }, (_, i) => band.get(i + 1, i));
  return { diag, off };
}

/** Lower triangle within `width` of the diagonal: A(i, j), i - width <= j <= i, at data[i * (width + 1) + j - i + width]. */
class LowerBand {
  readonly data: Float64Array;
  readonly stride: number;
  constructor(readonly n: number, readonly width: number) {
    this.stride = width + 1;
    this.data = new Float64Array(n * this.stride);
  }

  at(i: number, j: number): number {
    return i * this.stride + j - i + this.width;
  }

  get(i: number, j: number): number {
    return this.data[this.at(i, j)]!;
  }

  set(i: number, j: number, v: number): void {
    this.data[this.at(i, j)] = v;
  }
}

/** Zeroes A(p+1..q, col) by a reflector H on rows/columns p..q, applied as the similarity H A H. */
function annihilate(band: LowerBand, col: number, p: number, q: number, hi: number, scratch: Float64Array): void {
  const a = band.data;
  const len = q - p + 1;
  const h = householder(a, band.at(p, col), band.stride - 1, len);
  if (h.tau === 0) return;
  for (let i = 0; i < len; i++) a[band.at(p + i, col)] = i === 0 ? h.beta : 0;
  leftBlock(band, col + 1, p - 1, p, h.v, h.tau, scratch);
  diagonalBlock(band, p, h.v, h.tau, scratch);
  belowBlock(band, q + 1, hi, p, h.v, h.tau);
}

/** Rows p..p+len-1, columns c0..c1: A <- H A. */
function leftBlock(band: LowerBand, c0: number, c1: number, p: number, v: Float64Array, tau: number, w: Float64Array): void {
  if (c1 < c0) return;
  const a = band.data;
  const cols = c1 - c0 + 1;
  w.fill(0, 0, cols);
  for (let i = 0; i < v.length; i++) {
    const base = band.at(p + i, c0);
    const vi = v[i]!;
    for (let c = 0; c < cols; c++) w[c] = w[c]! + vi * a[base + c]!;
  }
  for (let i = 0; i < v.length; i++) {
    const base = band.at(p + i, c0);
    const s = tau * v[i]!;
    for (let c = 0; c < cols; c++) a[base + c] = a[base + c]! - s * w[c]!;
  }
}

/** The symmetric block D = A(p.., p..) of size len: D <- H D H = D - v w^T - w v^T, w = tau D v - tau/2 (v.tau D v) v. */
function diagonalBlock(band: LowerBand, p: number, v: Float64Array, tau: number, w: Float64Array): void {
  const a = band.data;
  const len = v.length;
  w.fill(0, 0, len);
  for (let i = 0; i < len; i++) {
    const base = band.at(p + i, p);
    const vi = v[i]!;
    let acc = 0;
    for (let k = 0; k < i; k++) {
      const d = a[base + k]!;
      acc += d * v[k]!;
      w[k] = w[k]! + d * vi;
    }
    w[i] = w[i]! + acc + a[base + i]! * vi;
  }
  let dot = 0;
  for (let i = 0; i < len; i++) {
    w[i] = tau * w[i]!;
    dot += w[i]! * v[i]!;
  }
  const alpha = -0.5 * tau * dot;
  for (let i = 0; i < len; i++) w[i] = w[i]! + alpha * v[i]!;
  for (let i = 0; i < len; i++) {
    const base = band.at(p + i, p);
    const vi = v[i]!;
    const wi = w[i]!;
    for (let k = 0; k <= i; k++) a[base + k] = a[base + k]! - vi * w[k]! - wi * v[k]!;
  }
}

/** Rows r0..r1, columns p..p+len-1: A <- A H. */
function belowBlock(band: LowerBand, r0: number, r1: number, p: number, v: Float64Array, tau: number): void {
  const a = band.data;
  const len = v.length;
  for (let r = r0; r <= r1; r++) {
    const base = band.at(r, p);
    let dot = 0;
    for (let i = 0; i < len; i++) dot += a[base + i]! * v[i]!;
    const s = tau * dot;
    for (let i = 0; i < len; i++) a[base + i] = a[base + i]! - s * v[i]!;
  }
}
