import { gemm } from './gemm.js';
import { scatterAccumulateOrt } from './gemm-ort.js';
import type { Matrix } from './matrix.js';

/**
 * Mean and covariance of feature rows in float64, accumulated in chunks that merge exactly.
 *
 * Method: `momentsOf` centres the rows on their float64 mean, 2^21 values at a time into one reused scratch buffer
 * (no N x d copy: on this machine a fresh 160 MB array costs ~0.6 s of page faults), and each chunk's scatter
 * Xc^T Xc is accumulated by one onnxruntime run (`scatterModel`: a column `Split` and one `Gemm` with transA = 1
 * per block on and above the diagonal, straight into float64 accumulators; no JS transpose). The rounding left
 * in the mean (r = mean of the centred values) is removed exactly, mean += r and M2 -= n r r^T, so the centring
 * is accurate even when |mean| >> std. `precision: 'mixed'` stores the centred chunk in float32 and multiplies in
 * float32 (accumulating per chunk in float64): ~2x faster products, FD within 1.8e-8 relative (fd-768 fixture).
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

export interface MomentsOptions {
  /**
   * 'float64' (default): centring and products in float64. 'mixed': centring in float64, products in float32
   * (about twice as fast products; FD within 1.8e-8 relative on the fd-768 fixture, so not for golden checks).
   */
  readonly precision?: 'float64' | 'mixed';
  /** Column blocks of the symmetric product (default: one per 256 features, 1 to 8). */
  readonly blocks?: number;
  /** Rows per centred chunk (default 2^21 / d: 16 MiB in float64). */
  readonly chunkRows?: number;
}

export async function momentsOf(x: Matrix, opts: MomentsOptions = {}): Promise<Moments> {
  const { rows: n, cols: d } = x;
  const mean = columnMeans(x);
  if (n === 0 || d === 0) return { count: n, mean, m2: { rows: d, cols: d, data: new Float64Array(d * d) } };
  const k = Math.max(1, Math.min(d, opts.blocks ?? defaultBlocks(d)));
  const edges = Array.from({ length: k + 1 }, (_, a) => Math.round((a * d) / k));
  const sizes: number[] = [];
  for (let a = 0; a < k; a++) for (let b = a; b < k; b++) sizes.push((edges[a + 1]! - edges[a]!) * (edges[b + 1]! - edges[b]!));
  let [from, to] = [sizes.map((z) => new Float64Array(z)), sizes.map((z) => new Float64Array(z))];
  const chunkRows = Math.max(1, Math.min(n, opts.chunkRows ?? Math.floor(CHUNK_VALUES / d)));
  const chunk = scratch(chunkRows * d, opts.precision === 'mixed');
  const residual = new Float64Array(d);
  for (let r0 = 0; r0 < n; r0 += chunkRows) {
    const rows = Math.min(chunkRows, n - r0);
    centreRows(x, r0, rows, mean, chunk, residual);
    await scatterAccumulateOrt(chunk, rows, d, edges, from, to);
    [from, to] = [to, from];
  }
  for (let j = 0; j < d; j++) residual[j] = residual[j]! / n;
  return { count: n, mean: mean.map((v, j) => v + residual[j]!), m2: assembleScatter(from, edges, n, residual) };
}

/** Rows per centred chunk: CHUNK_VALUES / d (2 MiB-value chunks: 16 MiB in float64, reused across chunks and calls). */
const CHUNK_VALUES = 1 << 21;
const scratchBuffers: { f64?: Float64Array; f32?: Float32Array } = {};

function scratch(size: number, narrow: boolean): Float64Array | Float32Array {
  if (narrow) {
    if ((scratchBuffers.f32?.length ?? 0) < size) scratchBuffers.f32 = new Float32Array(size);
    return scratchBuffers.f32!;
  }
  if ((scratchBuffers.f64?.length ?? 0) < size) scratchBuffers.f64 = new Float64Array(size);
  return scratchBuffers.f64!;
}

/** out[0 .. rows*d) = x[r0 .. r0+rows) - mean (rounded to out's type); adds the stored values' column sums to `sums`. */
function centreRows(x: Matrix, r0: number, rows: number, mean: Float64Array, out: Float64Array | Float32Array, sums: Float64Array): void {
  const { cols: d, data } = x;
  for (let i = 0; i < rows; i++) {
    const src = (r0 + i) * d;
    const dst = i * d;
    for (let j = 0; j < d; j++) out[dst + j] = data[src + j]! - mean[j]!;
    for (let j = 0; j < d; j++) sums[j] += out[dst + j]!;
  }
}

/** The d x d scatter matrix from its upper blocks, less n r r^T (the rounding left in the mean), mirrored. */
function assembleScatter(blocks: readonly Float64Array[], edges: readonly number[], n: number, residual: Float64Array): Matrix {
  const d = edges.at(-1)!;
  const k = edges.length - 1;
  const m2 = new Float64Array(d * d);
  let at = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const c = blocks[at++]!;
      const [r0, r1, c0, c1] = [edges[a]!, edges[a + 1]!, edges[b]!, edges[b + 1]!];
      const w = c1 - c0;
      for (let i = r0; i < r1; i++) {
        const ri = n * residual[i]!;
        for (let j = Math.max(c0, i); j < c1; j++) {
          m2[i * d + j] = c[(i - r0) * w + j - c0]! - ri * residual[j]!;
        }
      }
    }
  }
  mirrorUpper(m2, d);
  return { rows: d, cols: d, data: m2 };
}

/** Copies the upper triangle of a row-major d x d matrix onto the lower one, in cache-sized tiles. */
function mirrorUpper(m: Float64Array, d: number, tile = 64): void {
  for (let i0 = 0; i0 < d; i0 += tile) {
    for (let j0 = 0; j0 <= i0; j0 += tile) {
      const [i1, j1] = [Math.min(d, i0 + tile), Math.min(d, j0 + tile)];
      for (let i = i0; i < i1; i++) for (let j = j0; j < Math.min(j1, i); j++) m[i * d + j] = m[j * d + i]!;
    }
  }
}

/** Column blocks for the symmetric product: one per 256 features, 1 to 8 (8 blocks: 56% of the full product). */
function defaultBlocks(d: number): number {
  return Math.max(1, Math.min(8, Math.floor(d / 256)));
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

/** Covariance M2 / (count - ddof); `inPlace` scales m.m2's array itself (for moments that are not kept). */
export function covarianceOf(m: Moments, ddof = 1, inPlace = false): Matrix {
  const s = 1 / (m.count - ddof);
  const data = inPlace ? m.m2.data : new Float64Array(m.m2.data.length);
  for (let i = 0; i < data.length; i++) data[i] = m.m2.data[i]! * s;
  return { rows: m.m2.rows, cols: m.m2.cols, data };
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
