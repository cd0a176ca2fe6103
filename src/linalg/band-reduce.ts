import { gemm, gemmUpdate } from './gemm.js';
import { householder } from './householder.js';
import type { Matrix } from './matrix.js';

/**
 * Stage one of the two-stage symmetric tridiagonalisation (Bischof, Lang & Sun's successive band reduction, as in
 * LAPACK dsytrd_sy2sb): the full symmetric matrix is reduced to bandwidth `b` by an orthogonal similarity
 * Q^T A Q, one panel of b columns at a time. Each panel is a Householder QR in JS (O(n b^2)); the trailing
 * update A22 <- Q^T A22 Q uses the compact WY form Q = I - V T V^T:
 *   X = A22 V T,  Y = X - 1/2 V (T^T V^T X),  A22 <- A22 - V Y^T - Y V^T,
 * so almost all of the 4/3 n^3 flops are two `gemm`s per panel (onnxruntime). Returns the band as a dense
 * n x n array whose lower triangle holds the band (zero below it; the upper triangle is not kept symmetric).
 *
 * @example
 * const band = await reduceToBand(a, 32); // same eigenvalues as a; band[i*n+j] = 0 for i - j > 32
 */
export async function reduceToBand(a: Matrix, b: number): Promise<Float64Array> {
  const n = a.rows;
  const out = new Float64Array(n * n);
  // ping-pong work buffers: the trailing block is copied into `spare`, the update written back into `work`
  const work = Float64Array.from(a.data);
  const spare = new Float64Array(Math.max(0, (n - b) * (n - b)));
  let w: Matrix = { rows: n, cols: n, data: work };
  let k = 0;
  while (w.rows - b > 1) {
    const m = w.rows;
    const p = m - b;
    const panel = new Float64Array(p * b);
    for (let i = 0; i < p; i++) panel.set(w.data.subarray((b + i) * m, (b + i) * m + b), i * b);
    const { v, t, r } = panelQr(panel, p, b);
    copyBlock(out, n, k, k, w.data, m, 0, 0, b, b);
    for (let i = 0; i < r.rows; i++) {
      for (let j = i; j < b; j++) {
        const val = r.data[i * b + j]!;
        out[(k + b + i) * n + k + j] = val;
        out[(k + j) * n + k + b + i] = val;
      }
    }
    const a22 = spare.subarray(0, p * p);
    for (let i = 0; i < p; i++) a22.set(w.data.subarray((b + i) * m + b, (b + i + 1) * m), i * p);
    w = await twoSidedUpdate({ rows: p, cols: p, data: a22 }, v, t, work);
    k += b;
  }
  copyBlock(out, n, k, k, w.data, w.rows, 0, 0, w.rows, w.rows);
  return out;
}

/** Householder QR of the p x b panel: V (p x q, unit lower), T (q x q upper) with Q = I - V T V^T, and R (q x b). */
function panelQr(panel: Float64Array, p: number, b: number): { v: Matrix; t: Matrix; r: Matrix } {
  const q = Math.min(p, b);
  const v = new Float64Array(p * q);
  const tau = new Float64Array(q);
  for (let j = 0; j < q; j++) {
    const h = householder(panel, j * b + j, b, p - j);
    tau[j] = h.tau;
    for (let i = j; i < p; i++) v[i * q + j] = h.v[i - j]!;
    panel[j * b + j] = h.beta;
    for (let i = j + 1; i < p; i++) panel[i * b + j] = 0;
    if (h.tau !== 0) applyLeft(panel, b, j, p, j + 1, b, h.v, h.tau);
  }
  const r = new Float64Array(q * b);
  for (let i = 0; i < q; i++) for (let j = i; j < b; j++) r[i * b + j] = panel[i * b + j]!;
  return { v: { rows: p, cols: q, data: v }, t: formT(v, p, q, tau), r: { rows: q, cols: b, data: r } };
}

/** (I - tau h h^T) applied from the left to rows r0.. and columns c0..c1-1 of a row-major matrix with `cols` columns. */
function applyLeft(a: Float64Array, cols: number, r0: number, r1: number, c0: number, c1: number, h: Float64Array, tau: number): void {
  const w = new Float64Array(c1 - c0);
  for (let i = r0; i < r1; i++) {
    const hi = h[i - r0]!;
    for (let c = c0; c < c1; c++) w[c - c0] += hi * a[i * cols + c]!;
  }
  for (let i = r0; i < r1; i++) {
    const s = tau * h[i - r0]!;
    for (let c = c0; c < c1; c++) a[i * cols + c] = a[i * cols + c]! - s * w[c - c0]!;
  }
}

/** LAPACK dlarft (forward, columnwise): T upper triangular with H1 H2 ... Hq = I - V T V^T. */
function formT(v: Float64Array, p: number, q: number, tau: Float64Array): Matrix {
  const t = new Float64Array(q * q);
  for (let j = 0; j < q; j++) {
    t[j * q + j] = tau[j]!;
    if (tau[j] === 0) continue;
    const s = new Float64Array(j);
    for (let r = j; r < p; r++) {
      const vrj = v[r * q + j]!;
      for (let i = 0; i < j; i++) s[i] += v[r * q + i]! * vrj;
    }
    for (let i = 0; i < j; i++) {
      let acc = 0;
      for (let l = i; l < j; l++) acc += t[i * q + l]! * s[l]!;
      t[i * q + j] = -tau[j]! * acc;
    }
  }
  return { rows: q, cols: q, data: t };
}

/** A <- Q^T A Q for Q = I - V T V^T (A symmetric), through gemm calls; the result is written into `out`. */
async function twoSidedUpdate(a: Matrix, v: Matrix, t: Matrix, out: Float64Array): Promise<Matrix> {
  const x = await gemm(await gemm(a, v), t);
  const z = smallProduct(t, await gemm(v, x, { transA: true }), true);
  const y = await gemm(v, z);
  const p = a.rows;
  const q = v.cols;
  const vy = new Float64Array(p * 2 * q);
  const yv = new Float64Array(p * 2 * q);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      const yij = x.data[i * q + j]! - 0.5 * y.data[i * q + j]!;
      vy[i * 2 * q + j] = v.data[i * q + j]!;
      vy[i * 2 * q + q + j] = yij;
      yv[i * 2 * q + j] = yij;
      yv[i * 2 * q + q + j] = v.data[i * q + j]!;
    }
  }
  return gemmUpdate(a, { rows: p, cols: 2 * q, data: vy }, { rows: p, cols: 2 * q, data: yv }, -1, { transB: true, out });
}

/** a . b (or a^T . b) for small operands, in JS. */
function smallProduct(a: Matrix, b: Matrix, transA: boolean): Matrix {
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const out = new Float64Array(m * b.cols);
  for (let i = 0; i < m; i++) {
    for (let l = 0; l < k; l++) {
      const ail = transA ? a.data[l * a.cols + i]! : a.data[i * a.cols + l]!;
      if (ail === 0) continue;
      for (let j = 0; j < b.cols; j++) out[i * b.cols + j] += ail * b.data[l * b.cols + j]!;
    }
  }
  return { rows: m, cols: b.cols, data: out };
}

function copyBlock(dst: Float64Array, dn: number, di: number, dj: number, src: Float64Array, sn: number, si: number, sj: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) dst.set(src.subarray((si + i) * sn + sj, (si + i) * sn + sj + cols), (di + i) * dn + dj);
}
