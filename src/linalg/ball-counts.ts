import { gemm } from './gemm.js';
import { rowSlice, type Matrix } from './matrix.js';

/**
 * Exact ball-membership counts between feature sets, in tiles (the k-NN radii that define the balls come from the
 * exact nearest-neighbour search, src/nn/exact.ts `kthNeighbourDistances`).
 *
 * Method: squared distances are expanded as ||x||^2 + ||y||^2 - 2 x.y, with the x.y products of a tile of rows
 * against all columns computed by `gemm` (float32 unless `products: 'float64'`); at most `tileRows` x N values exist at once, never N x N.
 * The expansion suffers cancellation, so every decision is made against a rigorous error bound
 * |approx - d^2| <= c (||x||^2 + ||y||^2) (c ~ (2d + 16) 2^-53 for float64 products, + (d + 3) 2^-24 for float32
 * products; any summation order): pairs whose
 * outcome the bound cannot settle are recomputed exactly as sqrt(sum_k (x_k - y_k)^2). Results are therefore
 * those of exact float64 distances, independent of the tile size and of the gemm engine's summation order.
 *
 * @example
 * const [c] = await ballCounts(fake, real, [{ radii: r3, on: 'cols', strict: false }]); // r3: a radius per real sample
 * c.rowCounts[i]; // number of real balls containing fake sample i
 */
export interface BallCountOptions {
  /** Rows per tile (default 1024): memory is tileRows x columns float64 values. */
  readonly tileRows?: number;
  /**
   * Precision of the x.y products (default 'float32', about 2x faster): only the screening uses them, with the
   * matching error bound, so the results are the same exact-distance results either way.
   */
  readonly products?: 'float32' | 'float64';
}

const U = 2 ** -53;

/** Squared Euclidean norms of the rows (float64). */
export function rowSqNorms(m: Matrix): Float64Array {
  const out = new Float64Array(m.rows);
  const d = m.cols;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let k = i * d, e = k + d; k < e; k++) s += m.data[k]! * m.data[k]!;
    out[i] = s;
  }
  return out;
}

/** Exact float64 squared distance between row i of a and row j of b (direct differences, no expansion). */
export function exactSqDistance(a: Matrix, i: number, b: Matrix, j: number): number {
  const d = a.cols;
  const ad = a.data;
  const bd = b.data;
  let s = 0;
  for (let k = 0, p = i * d, q = j * d; k < d; k++, p++, q++) {
    const t = ad[p]! - bd[q]!;
    s += t * t;
  }
  return s;
}

/**
 * Error bound factor of the expansion: |approx - d^2| <= expansionBound(d) * (||x||^2 + ||y||^2), for float64
 * norms and x.y products in float64 or (inputs rounded to float32, float32 accumulation in any order) float32.
 */
export function expansionBound(d: number, products: 'float32' | 'float64' = 'float64'): number {
  const f64 = (2 * d + 16) * U * 1.01;
  return products === 'float64' ? f64 : f64 + (d + 3) * 2 ** -24 * 1.02;
}

/** Calls `fn` for each block of rows [r0, r1) x columns [c0, c1) with the block's x.y products (row-major). */
async function forEachBlock(
  rows: Matrix,
  cols: Matrix,
  opts: BallCountOptions,
  fn: (products: Float64Array, r0: number, r1: number, c0: number, c1: number) => void,
): Promise<void> {
  const tile = opts.tileRows ?? 1024;
  const dtype = opts.products ?? 'float32';
  if (!Number.isInteger(tile) || tile < 1) throw new RangeError(`tileRows must be a positive integer, got ${tile}`);
  const colTile = Math.max(tile, 2048);
  for (let r0 = 0; r0 < rows.rows; r0 += tile) {
    const r1 = Math.min(rows.rows, r0 + tile);
    for (let c0 = 0; c0 < cols.rows; c0 += colTile) {
      const c1 = Math.min(cols.rows, c0 + colTile);
      const g = await gemm(rowSlice(rows, r0, r1), rowSlice(cols, c0, c1), { transB: true, dtype });
      fn(g.data, r0, r1, c0, c1);
    }
  }
}

/** A family of balls: one radius per row (query) or per column of the scan; `strict` tests d < r, else d <= r. */
export interface BallTest {
  readonly radii: Float64Array;
  readonly on: 'rows' | 'cols';
  readonly strict: boolean;
}

/** For one BallTest: per row, how many columns lie in the pair's ball; per column, how many rows. */
export interface BallCounts {
  readonly rowCounts: Int32Array;
  readonly colCounts: Int32Array;
  /** Pairs the error bound could not settle, decided by an exact distance (diagnostics). */
  readonly rechecked: number;
}

/**
 * Counts, for every pair (row i of `rows`, column j of `cols`), whether d(i, j) is inside the ball of radius
 * radii[i] (on 'rows') or radii[j] (on 'cols'), for several tests in one tiled pass over the distances.
 */
export async function ballCounts(rows: Matrix, cols: Matrix, tests: readonly BallTest[], opts: BallCountOptions = {}): Promise<BallCounts[]> {
  if (rows.cols !== cols.cols) throw new RangeError(`ballCounts: feature sizes differ (${rows.cols} vs ${cols.cols})`);
  const nr = rows.rows;
  const nc = cols.rows;
  const rn = rowSqNorms(rows);
  const cn = rowSqNorms(cols);
  const c = expansionBound(rows.cols, opts.products ?? 'float32');
  const delta = (rows.cols + 16) * U * 2;
  const lo = tests.map((t) => t.radii.map((r) => r * r * (1 - delta)));
  const hi = tests.map((t) => t.radii.map((r) => r * r * (1 + delta)));
  const maxHi = (on: 'rows' | 'cols', len: number): Float64Array => {
    const m = new Float64Array(len).fill(-Infinity);
    tests.forEach((t, ti) => t.on === on && hi[ti]!.forEach((v, k) => (m[k] = Math.max(m[k]!, v))));
    return m;
  };
  const rowMax = maxHi('rows', nr);
  const colMax = maxHi('cols', nc);
  const rowCounts = tests.map(() => new Int32Array(nr));
  const colCounts = tests.map(() => new Int32Array(nc));
  const rechecked = tests.map(() => 0);
  await forEachBlock(rows, cols, opts, (g, r0, r1, c0, c1) => {
    const w = c1 - c0;
    for (let i = r0; i < r1; i++) {
      const row = (i - r0) * w - c0;
      const rm = rowMax[i]!;
      for (let j = c0; j < c1; j++) {
        const s = rn[i]! + cn[j]!;
        const a = s - 2 * g[row + j]!;
        const e = c * s;
        if (a - e > (rm > colMax[j]! ? rm : colMax[j]!)) continue; // outside every ball
        let exact = -1;
        for (let t = 0; t < tests.length; t++) {
          const k = tests[t]!.on === 'rows' ? i : j;
          let inside: boolean;
          if (a + e < lo[t]![k]!) inside = true;
          else if (a - e > hi[t]![k]!) inside = false;
          else {
            if (exact < 0) exact = Math.sqrt(exactSqDistance(rows, i, cols, j));
            const r = tests[t]!.radii[k]!;
            inside = tests[t]!.strict ? exact < r : exact <= r;
            rechecked[t] += 1;
          }
          if (inside) {
            rowCounts[t]![i]!++;
            colCounts[t]![j]!++;
          }
        }
      }
    }
  });
  return tests.map((_, t) => ({ rowCounts: rowCounts[t]!, colCounts: colCounts[t]!, rechecked: rechecked[t]! }));
}
