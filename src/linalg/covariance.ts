import { gemm } from './gemm.js';
import type { Matrix } from './matrix.js';

/**
 * Mean and covariance of feature rows in float64, accumulated in chunks that merge exactly.
 *
 * Method: each chunk is centred on its own mean and its scatter matrix M2 = Xc^T Xc is one symmetric product on
 * `gemm` (only the blocks on and above the diagonal are computed); the rounding left in the mean (r = mean of the
 * centred values) is removed exactly, mean += r and M2 -= n r r^T, so the centring is accurate even when
 * |mean| >> std.
 * Chunks are combined with Chan, Golub & LeVeque's parallel update
 *   n = na + nb, delta = mean_b - mean_a, mean = mean_a + delta nb / n, M2 = M2a + M2b + delta delta^T na nb / n,
 * which never subtracts two large raw moments (the one-pass sum of x x^T does, and loses digits when the mean is
 * large). One chunk is exactly np.cov's centred two-pass method; covariance = M2 / (n - ddof), ddof 1 by default.
 *
 * @example
 * const m = mergeMoments(await momentsOf(chunk1), await momentsOf(chunk2));
 * covarianceOf(m); // same as covarianceOf(await momentsOf(all rows)) to rounding
 */
export interface Moments {
  readonly count: number;
  readonly mean: Float64Array;
  /** Scatter matrix: sum over rows of (x - mean)(x - mean)^T. */
  readonly m2: Matrix;
}

export async function momentsOf(x: Matrix): Promise<Moments> {
  const { rows: n, cols: d } = x;
  const mean = columnMeans(x);
  const blocks = centredColumnBlocks(x, mean, 256);
  const residual = new Float64Array(d);
  for (const b of blocks) {
    for (let i = 0; i < n; i++) for (let j = 0; j < b.width; j++) residual[b.start + j] += b.m.data[i * b.width + j]!;
  }
  for (let j = 0; j < d; j++) residual[j] = residual[j]! / n;
  const m2 = new Float64Array(d * d);
  for (let bi = 0; bi < blocks.length; bi++) {
    for (let bj = bi; bj < blocks.length; bj++) {
      const [p, q] = [blocks[bi]!, blocks[bj]!];
      const c = await gemm(p.m, q.m, { transA: true });
      for (let i = 0; i < p.width; i++) {
        for (let j = 0; j < q.width; j++) {
          const v = c.data[i * q.width + j]! - n * residual[p.start + i]! * residual[q.start + j]!;
          m2[(p.start + i) * d + q.start + j] = v;
          m2[(q.start + j) * d + p.start + i] = v;
        }
      }
    }
  }
  return { count: n, mean: mean.map((v, j) => v + residual[j]!), m2: { rows: d, cols: d, data: m2 } };
}

function columnMeans(x: Matrix): Float64Array {
  const { rows: n, cols: d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[row + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;
  return mean;
}

/** Column blocks of x - mean, each n x width, row-major (contiguous copies: the operands of the symmetric product). */
function centredColumnBlocks(x: Matrix, mean: Float64Array, width: number): { start: number; width: number; m: Matrix }[] {
  const { rows: n, cols: d, data } = x;
  const count = Math.max(1, Math.round(d / width));
  const size = Math.ceil(d / count);
  const out: { start: number; width: number; m: Matrix }[] = [];
  for (let start = 0; start < d; start += size) {
    const w = Math.min(size, d - start);
    const b = new Float64Array(n * w);
    for (let i = 0; i < n; i++) {
      const src = i * d + start;
      const dst = i * w;
      for (let j = 0; j < w; j++) b[dst + j] = data[src + j]! - mean[start + j]!;
    }
    out.push({ start, width: w, m: { rows: n, cols: w, data: b } });
  }
  return out;
}

export function mergeMoments(a: Moments, b: Moments): Moments {
  if (a.mean.length !== b.mean.length) throw new RangeError(`mergeMoments: ${a.mean.length} vs ${b.mean.length} features`);
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const d = a.mean.length;
  const n = a.count + b.count;
  const delta = b.mean.map((v, j) => v - a.mean[j]!);
  const mean = a.mean.map((v, j) => v + (delta[j]! * b.count) / n);
  const w = (a.count * b.count) / n;
  const m2 = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const wi = w * delta[i]!;
    for (let j = 0; j < d; j++) m2[i * d + j] = a.m2.data[i * d + j]! + b.m2.data[i * d + j]! + wi * delta[j]!;
  }
  return { count: n, mean, m2: { rows: d, cols: d, data: m2 } };
}

/** Covariance M2 / (count - ddof). */
export function covarianceOf(m: Moments, ddof = 1): Matrix {
  const s = 1 / (m.count - ddof);
  return { rows: m.m2.rows, cols: m.m2.cols, data: m.m2.data.map((v) => v * s) };
}

/** Scatter matrix back from a covariance (for merging precomputed statistics). */
export function momentsFromCovariance(mean: Float64Array, cov: Matrix, count: number, ddof = 1): Moments {
  return { count, mean, m2: { rows: cov.rows, cols: cov.cols, data: cov.data.map((v) => v * (count - ddof)) } };
}

/**
 * Column means and the centred data transposed to d x n (features as rows), the layout the symmetric product and
 * the Gram form of tr sqrt(S1 S2) read. `residual` is the column mean of the centred values (rounding left in the
 * mean, ~eps |mean|; negligible unless |mean| / std approaches 1/eps).
 */
export function centreTransposed(x: Matrix): { mean: Float64Array; centredT: Matrix; residual: Float64Array } {
  const { rows: n, cols: d, data } = x;
  const mean = columnMeans(x);
  const t = new Float64Array(d * n);
  const residual = new Float64Array(d);
  const tile = 32;
  for (let j0 = 0; j0 < d; j0 += tile) {
    const j1 = Math.min(d, j0 + tile);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let j = j0; j < j1; j++) t[j * n + i] = data[row + j]! - mean[j]!;
    }
  }
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += t[j * n + i]!;
    residual[j] = s / n;
  }
  return { mean, centredT: { rows: d, cols: n, data: t }, residual };
}

/** Y Y^T for Y (d x n): the blocks on and above the diagonal as `gemm` calls, mirrored below. */
export async function gramOfRows(y: Matrix): Promise<Matrix> {
  const d = y.rows;
  const n = y.cols;
  const blocks = Math.max(1, Math.round(d / 256));
  const size = Math.ceil(d / blocks);
  const out = new Float64Array(d * d);
  const slab = (b: number): Matrix => {
    const r0 = b * size;
    const r1 = Math.min(d, r0 + size);
    return { rows: r1 - r0, cols: n, data: y.data.subarray(r0 * n, r1 * n) };
  };
  for (let bi = 0; bi < blocks; bi++) {
    for (let bj = bi; bj < blocks; bj++) {
      const c = await gemm(slab(bi), slab(bj), { transB: true });
      for (let i = 0; i < c.rows; i++) {
        for (let j = 0; j < c.cols; j++) {
          const v = c.data[i * c.cols + j]!;
          out[(bi * size + i) * d + bj * size + j] = v;
          out[(bj * size + j) * d + bi * size + i] = v;
        }
      }
    }
  }
  return { rows: d, cols: d, data: out };
}
