/**
 * FD on resamples (the half-samples and their complements of metrics/bootstrap.ts, or any draws) and FD extrapolated to
 * infinite samples (FD∞).
 *
 * Resamples: both sets are resampled (row multiplicities w for generated, v for reference; 0 or 1 for a
 * half-sample). The weighted statistics are mu_w = sum w_i x_i / N and S_w = sum w_i (x_i - mu_w)(x_i - mu_w)^T /
 * (N - 1), N = sum w_i, formed as Z^T Z with rows
 * z_i = sqrt(w_i) (x_i - mu_w) (float32 products with float64 accumulation: ~1e-8 relative, far below the
 * bootstrap's own Monte-Carlo error), then FD through the same tr sqrt as the point value (covariance route when both
 * sets have more rows than features, Gram route otherwise).
 *
 * FD∞ (M. J. Chong, D. Forsyth, "Effectively Unbiased FID and Inception Score and where to find them", CVPR 2020):
 * FD is biased upwards by about c / N. FD is computed on seeded random subsets of the generated rows of sizes
 * N_j evenly spaced in 1/N between 1/n and 2/n (n / 2 .. n, 6 sizes, each with `repeats` subsets, the reference at
 * its full size, with FD's mean and covariance of it (referenceGaussian) and their Cholesky factor reused), a
 * least-squares line FD = FD∞ + c / N is fitted and its intercept is FD∞. Its interval combines the resampled
 * variance of FD at the full size (the sampling of both sets, which FD∞ shares) with the intercept's variance from
 * the subsets' own noise (subsetNoiseSe), read from the spread of the subsets at each size.
 *
 * @example
 * const values = await fdResampled({ generated, reference }, draws); // one FD per resample
 * const inf = await fdInfinity({ generated, reference }, { seed: 0 }); // { value: 37.9, slope: 5200, sizes: [...], se: 0.4, subsetSe: 0.3 }
 */
import { pivotedCholesky } from '../src/linalg/cholesky.js';
import { referenceGaussian } from './fd.js';
import { choleskyFactor } from '../src/linalg/cholesky-recursive.js';
import { gemm, gramFloat32 } from '../src/linalg/gemm.js';
import { takeRows, type Matrix } from '../src/linalg/matrix.js';
import type { Progress } from '../src/progress.js';
import { Rng } from '../src/rng.js';
import { sampleVariance } from '../src/stats/quantile.js';
import { traceSqrtFromCentred, traceSqrtProduct } from '../src/linalg/trace-sqrt.js';
import type { GaussianStats } from './fd.js';
import { openFdPool } from './fd-workers.js';
import { counts, weightsOf } from './resample.js';
import type { FeatureSets, ResampleDraws } from './types.js';

/** Weighted centred data of one set: mean, and Z (rows sqrt(w_i)(x_i - mu_w)), row-major or transposed. */
function weightedCentred(x: Matrix, w: Float64Array, transposed: boolean): { mean: Float64Array; z: Matrix; total: number; sumSquares: number } {
  const { rows: n, cols: d, data } = x;
  let total = 0;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    total += wi;
    for (let j = 0, o = i * d; j < d; j++) mean[j] += wi * data[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j] /= total;
  const z = new Float64Array(n * d);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const s = Math.sqrt(w[i]!);
    if (s === 0) continue;
    for (let j = 0, o = i * d; j < d; j++) {
      const v = s * (data[o + j]! - mean[j]!);
      sumSquares += v * v;
      z[transposed ? j * n + i : o + j] = v;
    }
  }
  return { mean, z: transposed ? { rows: d, cols: n, data: z } : { rows: n, cols: d, data: z }, total, sumSquares };
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/** FD of the weighted sets (multiplicities w, v summing to the row counts). */
export async function weightedFd(sets: FeatureSets, w: Float64Array, v: Float64Array): Promise<number> {
  const d = sets.generated.cols;
  if (Math.min(sets.generated.rows, sets.reference.rows) <= d) {
    const g = weightedCentred(sets.generated, w, true);
    const r = weightedCentred(sets.reference, v, true);
    const ts = (await traceSqrtFromCentred(r.z, g.z)).value;
    return Math.max(0, squaredDistance(g.mean, r.mean) + g.sumSquares / (g.total - 1) + r.sumSquares / (r.total - 1) - 2 * ts);
  }
  const g = await weightedMoments(sets.generated, w);
  const r = await weightedMoments(sets.reference, v);
  const { chol } = await choleskyFactor(r.cov);
  const ts = (await traceSqrtProduct(r.cov, g.cov, chol)).value;
  return Math.max(0, squaredDistance(g.mean, r.mean) + g.trace + r.trace - 2 * ts);
}

/**
 * FD against a fixed reference Gaussian (a statistics file, whose rows cannot be resampled) on every draw of the
 * generated rows, with the weighted moments of the resampled FD and the reference's factor computed once.
 *
 * @example
 * await fdAgainstGaussianResampled(generated, { mean, cov, count }, draws); // one FD per draw
 */
export async function fdAgainstGaussianResampled(generated: Matrix, ref: GaussianStats, draws: readonly Int32Array[], progress?: Progress): Promise<Float64Array> {
  const d = ref.cov.rows;
  const { chol } = await choleskyFactor(ref.cov);
  let traceR = 0;
  for (let i = 0; i < d; i++) traceR += ref.cov.data[i * d + i]!;
  const out = new Float64Array(draws.length);
  progress?.start(draws.length, 'fd bootstrap');
  for (let k = 0; k < draws.length; k++) {
    const g = await weightedMoments(generated, counts(draws[k]!, generated.rows));
    const ts = (await traceSqrtProduct(ref.cov, g.cov, chol)).value;
    out[k] = Math.max(0, squaredDistance(g.mean, ref.mean) + g.trace + traceR - 2 * ts);
    progress?.tick();
  }
  progress?.stop();
  return out;
}

/** A set's rows centred on their unweighted mean, in float32, with their squared norms: formed once per matrix. */
export interface CentredRows {
  readonly mean: Float64Array;
  readonly rows: Float32Array;
  readonly sqNorms: Float64Array;
}

const centredCache = new WeakMap<Matrix, CentredRows>();

/** Gives `x` its centred rows, formed elsewhere (a worker thread receives the ones its parent formed). */
export function seedCentredRows(x: Matrix, c: CentredRows): void {
  centredCache.set(x, c);
}

export function centredRows(x: Matrix): CentredRows {
  const hit = centredCache.get(x);
  if (hit !== undefined) return hit;
  const { rows: n, cols: d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0, o = i * d; j < d; j++) mean[j] += data[o + j]!;
  for (let j = 0; j < d; j++) mean[j] /= n;
  const rows = new Float32Array(n * d);
  const sqNorms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0, o = i * d; j < d; j++) {
      const c = data[o + j]! - mean[j]!;
      rows[o + j] = c;
      s += c * c;
    }
    sqNorms[i] = s;
  }
  const out = { mean, rows, sqNorms };
  centredCache.set(x, out);
  return out;
}

/**
 * Weighted mean, covariance (ddof 1) and its trace of one set, from the rows centred once on the unweighted mean x0:
 * with delta = mu_w - x0, S_w = (sum_i w_i c_i c_i^T - N delta delta^T) / (N - 1), c_i = x_i - x0. Only the drawn
 * rows enter the product, as sqrt(w_i) c_i (about 63% of the rows of a bootstrap draw), in float32 like the point
 * value's products; delta is small, so removing it loses nothing to cancellation.
 */
async function weightedMoments(x: Matrix, w: Float64Array): Promise<{ mean: Float64Array; cov: Matrix; trace: number }> {
  const { rows: n, cols: d } = x;
  const c = centredRows(x);
  let drawn = 0;
  for (let i = 0; i < n; i++) if (w[i]! > 0) drawn++;
  const scaled = new Float32Array(drawn * d);
  const delta = new Float64Array(d);
  let total = 0;
  let sumSquares = 0;
  for (let i = 0, a = 0; i < n; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    total += wi;
    sumSquares += wi * c.sqNorms[i]!;
    const s = Math.sqrt(wi);
    for (let j = 0, o = i * d, t = a * d; j < d; j++) {
      const v = c.rows[o + j]!;
      delta[j] += wi * v;
      scaled[t + j] = s * v;
    }
    a++;
  }
  for (let j = 0; j < d; j++) delta[j] /= total;
  const cov = await gramFloat32(scaled, drawn, d);
  let dd = 0;
  for (let i = 0; i < d; i++) {
    dd += delta[i]! * delta[i]!;
    for (let j = 0; j <= i; j++) {
      const v = (0.5 * (cov.data[i * d + j]! + cov.data[j * d + i]!) - total * delta[i]! * delta[j]!) / (total - 1);
      cov.data[i * d + j] = v;
      cov.data[j * d + i] = v;
    }
  }
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = c.mean[j]! + delta[j]!;
  return { mean, cov, trace: (sumSquares - total * dd) / (total - 1) };
}

/** Scales in place and makes exactly symmetric (float32 products can differ in the last bit across the diagonal). */
function scaleSymmetric(m: Matrix, f: number): void {
  const d = m.rows;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (m.data[i * d + j]! + m.data[j * d + i]!) * f;
      m.data[i * d + j] = v;
      m.data[j * d + i] = v;
    }
  }
}

/**
 * FD on every resample (both roles resampled unless `draws.reference` is null): by the second-order
 * expansion (expansionAround) when it applies and reproduces the exact value on the first resamples, else exactly.
 */
export async function fdResampled(sets: FeatureSets, draws: ResampleDraws, progress?: Progress): Promise<Float64Array> {
  const b = draws.generated.length;
  const exact = async (k: number) => weightedFd(sets, weightsOf(draws.generated, k, sets.generated.rows), weightsOf(draws.reference, k, sets.reference.rows));
  const out = new Float64Array(b);
  progress?.start(b, 'fd bootstrap');
  const fast = b > 4 * CHECKED ? await expansionAround(sets) : undefined;
  const pool = fast === undefined ? await openFdPool(sets, b) : undefined;
  if (pool !== undefined) {
    try {
      await Promise.all(
        Array.from({ length: b }, async (_, k) => {
          out[k] = await pool.run(weightsOf(draws.generated, k, sets.generated.rows), weightsOf(draws.reference, k, sets.reference.rows));
          progress?.tick();
        }),
      );
    } finally {
      await pool.close();
    }
    progress?.stop();
    return out;
  }
  // The expansion is trusted for a draw size when its error on the first CHECKED resamples of that size is below a
  // fifth of their spread (it then adds at most 4% to the variance the interval reads); else those are exact.
  const trusted = new Map<number, { exact: number[]; errors: number[]; ok?: boolean }>();
  for (let k = 0; k < b; k++) {
    const size = draws.generated[k]!.length;
    const t = trusted.get(size) ?? { exact: [], errors: [] };
    trusted.set(size, t);
    if (fast === undefined || t.ok === false) out[k] = await exact(k);
    else if (t.ok === true) out[k] = await fast.at(draws.generated[k]!, draws.reference?.[k] ?? null);
    else {
      out[k] = await exact(k);
      t.exact.push(out[k]!);
      t.errors.push(Math.abs((await fast.at(draws.generated[k]!, draws.reference?.[k] ?? null)) - out[k]!));
      if (t.exact.length === CHECKED) t.ok = Math.max(...t.errors) <= 0.2 * sd(t.exact);
    }
    progress?.tick();
  }
  progress?.stop();
  return out;
}

function sd(v: readonly number[]): number {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1));
}

/** Resamples on which the expansion is checked against the exact value before it is trusted. */
const CHECKED = 4;

/** The expansion's third-order error grows with d / n: below 10 rows per feature it is not tried. */
const MIN_ROWS_PER_FEATURE = 10;

/** Above this many features the expansion's one eigendecomposition (JS, d^3) costs more than it saves. */
const EXPANSION_MAX_D = 1024;

/**
 * FD of a resample by expansion around the point estimate. With S_r = L L^T (point), M = L^T S_g L = Q diag(lambda)
 * Q^T, the rows rotated once, y = (x_g - mu_g) L Q and u = (x_r - mu_r) L^-T Q, a resample's G = Q^T L^T S_g* L Q
 * and R = Q^T L^-1 S_r* L^-T Q are Gram matrices of gathered rows, and S_g* S_r* is similar to G R = diag(lambda)
 * + F. Then, to second order (Daleckii-Krein; it holds for any F since tr f is analytic):
 *   tr sqrt(Lambda + F) = sum sqrt(l_i) + sum F_ii / (2 sqrt(l_i)) - sum_ij F_ij F_ji / (4 sqrt(l_i l_j) (sqrt(l_i) + sqrt(l_j))).
 * Cost per resample: two Gram products of gathered rows and one d x d product, no eigensolver. Undefined (use the
 * exact route) when a covariance is not positive definite, n < 10 d or d > EXPANSION_MAX_D.
 */
async function expansionAround(sets: FeatureSets): Promise<{ point: number; at: (g: Int32Array, r: Int32Array | null) => Promise<number> } | undefined> {
  const { generated: xg, reference: xr } = sets;
  const d = xg.cols;
  if (d > EXPANSION_MAX_D || Math.min(xg.rows, xr.rows) < MIN_ROWS_PER_FEATURE * d) return undefined;
  const { choleskyWithInverse } = await import('../src/linalg/cholesky-recursive.js');
  const { symmetricEigen } = await import('../src/linalg/eigen.js');
  const g0 = weightedCentred(xg, new Float64Array(xg.rows).fill(1), false);
  const r0 = weightedCentred(xr, new Float64Array(xr.rows).fill(1), false);
  const covG = await gemm(g0.z, g0.z, { transA: true });
  const covR = await gemm(r0.z, r0.z, { transA: true });
  scaleSymmetric(covG, 1 / (g0.total - 1));
  scaleSymmetric(covR, 1 / (r0.total - 1));
  const chol = await choleskyWithInverse(covR);
  if (chol === undefined) return undefined;
  const m = await gemm(await gemm(chol.factor, covG, { transA: true }), chol.factor);
  scaleSymmetric(m, 1);
  const { values: lambda, vectors: q } = symmetricEigen(m);
  if (!(lambda[0]! > 1e-9 * lambda[d - 1]!)) return undefined;
  const rotG = await gemm(chol.factor, q);
  const rotR = await gemm(chol.inverse, q, { transA: true });
  const side = rotatedSide(await gemm(g0.z, rotG), xg, g0.mean);
  const refSide = rotatedSide(await gemm(r0.z, rotR), xr, r0.mean);
  const sq = lambda.map(Math.sqrt);
  const pointTs = sq.reduce((a, v) => a + v, 0);
  const point = Math.max(0, squaredDistance(g0.mean, r0.mean) + g0.sumSquares / (g0.total - 1) + r0.sumSquares / (r0.total - 1) - 2 * pointTs);
  return {
    point,
    async at(gi, ri) {
      const [g, r] = [await side(gi), await refSide(ri)];
      const f = await gemm(g.gram, r.gram);
      for (let i = 0; i < d; i++) f.data[i * d + i] -= lambda[i]!;
      let ts = pointTs;
      for (let i = 0; i < d; i++) {
        ts += f.data[i * d + i]! / (2 * sq[i]!);
        for (let j = 0; j < d; j++) ts -= (f.data[i * d + j]! * f.data[j * d + i]!) / (4 * sq[i]! * sq[j]! * (sq[i]! + sq[j]!));
      }
      return Math.max(0, squaredDistance(g.mean, r.mean) + g.trace + r.trace - 2 * ts);
    },
  };
}

/**
 * One role of the expansion: for a draw of row indices (null: every row once), the rotated covariance of the drawn
 * rows (Gram of gathered rotated rows minus the mean's outer product, ddof 1), their mean in feature space and the
 * trace of their covariance (rotation-free: from the rows' squared distances to the point mean).
 */
function rotatedSide(rotated: Matrix, x: Matrix, mean0: Float64Array) {
  const { rows, cols: d } = rotated;
  const y = rotated.data;
  const sqNorms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) sqNorms[i] += (x.data[i * d + j]! - mean0[j]!) ** 2;
  const buf = new Float64Array(rows * d);
  return async (idx: Int32Array | null) => {
    const ix = idx ?? Int32Array.from({ length: rows }, (_, i) => i);
    const k = ix.length;
    const yb = buf.subarray(0, k * d);
    const shift = new Float64Array(d);
    const mu = new Float64Array(d);
    let ss = 0;
    for (let a = 0; a < k; a++) {
      const i = ix[a]!;
      yb.set(y.subarray(i * d, (i + 1) * d), a * d);
      for (let j = 0; j < d; j++) {
        shift[j] += y[i * d + j]!;
        mu[j] += x.data[i * d + j]!;
      }
      ss += sqNorms[i]!;
    }
    for (let j = 0; j < d; j++) {
      shift[j] /= k;
      mu[j] /= k;
    }
    const rowsB: Matrix = { rows: k, cols: d, data: yb };
    const gram = await gemm(rowsB, rowsB, { transA: true, dtype: 'float32' });
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gram.data[i * d + j] = (gram.data[i * d + j]! - k * shift[i]! * shift[j]!) / (k - 1);
    let dm = 0;
    for (let j = 0; j < d; j++) dm += (mu[j]! - mean0[j]!) ** 2;
    return { gram, mean: mu, trace: (ss - k * dm) / (k - 1) };
  };
}

export interface FdInfinityOptions {
  readonly seed?: number;
  /** Subset sizes (default 6). */
  readonly points?: number;
  /** Random subsets per size, averaged (default 2). */
  readonly repeats?: number;
}

export interface FdInfinityResult {
  /** The intercept FD∞. */
  readonly value: number;
  /** c in FD(N) = FD∞ + c / N. */
  readonly slope: number;
  /** Standard error of the intercept from the fit's residuals. */
  readonly se: number;
  /** Standard error of the intercept from the subsets' own noise (subsetNoiseSe). */
  readonly subsetSe: number;
  readonly sizes: readonly number[];
  /** Mean FD at each size. */
  readonly fds: readonly number[];
}

export const FD_INF_DEFAULTS = { points: 6, repeats: 2, seed: 0 } as const;

/**
 * FD∞ of `generated` against `reference` (see the module comment). Needs at least 8 generated rows.
 *
 * @example
 * (await fdInfinity(sets)).value; // below FD at n, by about slope / n
 */
export async function fdInfinity(sets: FeatureSets, opts: FdInfinityOptions = {}): Promise<FdInfinityResult> {
  const n = sets.generated.rows;
  const points = opts.points ?? FD_INF_DEFAULTS.points;
  const repeats = opts.repeats ?? FD_INF_DEFAULTS.repeats;
  const rng = new Rng(opts.seed ?? FD_INF_DEFAULTS.seed).fork('fd-infinity');
  const sizes = Array.from({ length: points }, (_, j) => Math.round(1 / (1 / n + (j / (points - 1)) * (1 / n))));
  const fdAt = await fdAgainstFixedReference(sets);
  const fds: number[] = [];
  const spread: { size: number; values: number[] }[] = [];
  for (const size of sizes) {
    const values: number[] = [];
    const reps = size === n ? 1 : repeats;
    for (let r = 0; r < reps; r++) values.push(await fdAt(size === n ? sets.generated : takeRows(sets.generated, rng.sampleWithoutReplacement(n, size))));
    fds.push(values.reduce((s, v) => s + v, 0) / reps);
    if (reps > 1) spread.push({ size, values });
  }
  const x = sizes.map((z) => 1 / z);
  const fit = lineFit(x, fds);
  return { value: fit.intercept, slope: fit.slope, se: fit.interceptSe, subsetSe: subsetNoiseSe(x, sizes, n, spread, repeats), sizes, fds };
}

/** FD of generated row sets against the whole reference, its mean and covariance those of FD (referenceGaussian). */
async function fdAgainstFixedReference(sets: FeatureSets): Promise<(g: Matrix) => Promise<number>> {
  const d = sets.reference.cols;
  const ref = sets.reference;
  const refW = new Float64Array(ref.rows).fill(1);
  if (ref.rows <= d) return async (g) => weightedFd({ generated: g, reference: ref }, new Float64Array(g.rows).fill(1), refW);
  const { mean: meanR, cov: covR } = await referenceGaussian(sets);
  const chol = await pivotedCholesky(covR);
  let traceR = 0;
  for (let i = 0; i < d; i++) traceR += covR.data[i * d + i]!;
  return async (g) => {
    if (g.rows <= d) return weightedFd({ generated: g, reference: ref }, new Float64Array(g.rows).fill(1), refW);
    const c = weightedCentred(g, new Float64Array(g.rows).fill(1), false);
    const covG = await gemm(c.z, c.z, { transA: true, dtype: 'float32' });
    scaleSymmetric(covG, 1 / (c.total - 1));
    const ts = (await traceSqrtProduct(covR, covG, chol)).value;
    return Math.max(0, squaredDistance(c.mean, meanR) + c.sumSquares / (c.total - 1) + traceR - 2 * ts);
  };
}

/**
 * Standard error of the intercept from the subsets' own noise, read from the spread of the subsets drawn at one
 * size (the fit's residuals would also hold its lack of fit: FD is not exactly linear in 1 / N where N is near d).
 * A subset of N of the n rows moves FD from its full-size value by a term of variance s^2 (1 / N - 1 / n) (the
 * subset mean of per-row influence terms, without replacement); s^2 is pooled over the sizes from the replicates'
 * sample variances, and the intercept's variance is sum_j w_j^2 s^2 (1 / N_j - 1 / n) / repeats with w_j the
 * least-squares weights of the intercept on the size means.
 */
function subsetNoiseSe(x: readonly number[], sizes: readonly number[], n: number, spread: readonly { size: number; values: number[] }[], repeats: number): number {
  let pooled = 0;
  let df = 0;
  for (const { size, values } of spread) {
    const f = 1 / size - 1 / n;
    if (f <= 0) continue;
    pooled += sampleVariance(values) * (values.length - 1) / f;
    df += values.length - 1;
  }
  if (df === 0) return 0;
  const s2 = pooled / df;
  const k = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / k;
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  let v = 0;
  for (let j = 0; j < k; j++) {
    const w = 1 / k - (sxx > 0 ? (mx * (x[j]! - mx)) / sxx : 0);
    v += w * w * s2 * Math.max(0, 1 / sizes[j]! - 1 / n) / (sizes[j] === n ? 1 : repeats);
  }
  return Math.sqrt(v);
}

/** Ordinary least squares y = a + b x with the standard error of a. */
export function lineFit(x: readonly number[], y: readonly number[]): { intercept: number; slope: number; interceptSe: number } {
  const k = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / k;
  const my = y.reduce((s, v) => s + v, 0) / k;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < k; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < k; i++) rss += (y[i]! - intercept - slope * x[i]!) ** 2;
  const s2 = k > 2 ? rss / (k - 2) : 0;
  const interceptSe = Math.sqrt(s2 * (1 / k + (mx * mx) / (sxx > 0 ? sxx : Infinity)));
  return { intercept, slope, interceptSe };
}
