/**
 * Seeded bootstrap confidence intervals for any metric, reported beside the point value: on by default in
 * `evaluate`, `metrics` and `pixel`.
 *
 * What an interval covers: the sampling of BOTH sets. Each of B resamples (default 200) draws the generated rows
 * (image pairs as pairs) from Rng(seed).fork('bootstrap').fork('generated') and the reference rows from
 * .fork('reference'), independently (`resampleReference: false` holds the reference fixed, for a reference that is
 * the whole population of interest): with replacement at full size (IS, the per-pair means), or, for the metrics
 * whose bootstrap is biased by copies of a row (the k-NN metrics, FD, KID), as random halves without replacement
 * (`resampling: 'half-sample' | 'half-extrapolated'`, varianceModel). The interval is for the metric's expected value at these
 * sample sizes: the quantity two reports with the same recipe can be compared on, and what a second run with fresh
 * samples of both sets would scatter around.
 *
 * How the resampled values are computed, per metric (each descriptor's `resampled`, or the generic paths):
 * - FD: weighted statistics per resample, FD recomputed (metrics/fd-resampled.ts); FD∞ shares FD's spread plus the
 *   intercept's variance from its subsets' own noise;
 * - KID: the weighted full-sample unbiased MMD^2 per resample plus the subset variance (metrics/kid.ts);
 * - precision, recall, density, coverage: two-sample half-samples with the k-NN radii recomputed on every
 *   half-sample among its rows (metrics/prdc-resampled.ts); precision and density read their variance by the law of
 *   total variance instead (exact given the reference, plus the reference half-samples' covariance part), and their
 *   interval is normal (ResampledValues.variance, DECOMPOSED_METHOD);
 * - IS: the generated rows resampled, the splits recomputed (metrics/is.ts);
 * - means of per-pair terms (mse, l1, psnr, ssim, feature_matching): the resampled means of the terms;
 * - anything else: recomputation on the resampled rows.
 * Interval: ci = [value + f (q_lo - median), value + f (q_hi - median)] (percentile interval re-centred on the point
 * value; `bootstrapBias` = median - value), f = sqrt(1 + extra / var_boot) adding a variance the resamples cannot see
 * (KID's subset noise, FD∞'s fit). Re-centring is needed because plug-in statistics are biased at finite N (FD's
 * bias is ~ tr terms / N) and a resample, which has fewer distinct rows, adds that bias again. Its coverage is
 * measured, not assumed: test/metrics/calibration.test.ts and `npm run bench:calibration` draw many independent
 * pairs of sets from known distributions and count how often the interval holds the metric's mean over all draws.
 * KID (`resampling: 'half-extrapolated'`) also draws B nested quarter-samples, and its variance is extrapolated
 * from V(n/2) and V(n/4); FD (`'half-complement'`) evaluates each half's complement too, and reads its variance
 * from the halves and the sums of complementary pairs (varianceModel). FD draws a quarter of B (`resampleShare`) and
 * reads a normal interval from the variance (normalInterval). docs/uncertainty.md says all of it in one place.
 * Percentiles: numpy's default linear interpolation. Monte-Carlo error: with B resamples the interval's ends move
 * by about 1 / sqrt(2 B) of its half-width between bootstrap seeds (5% at B = 200); extrapolated intervals more
 * (extrapolatedError). Each entry reports it (`ciMonteCarloError`) with its resample count (`ciResamples`).
 *
 * @example
 * const r = await bootstrapGroup(kidDescriptor, { generated, reference }, kidDescriptor.defaults, { resamples: 200 });
 * r.intervals.kid; // { ci: [0.0391, 0.0504], method: 'percentile, re-centred on the point estimate', covers: 'generated and reference sampling', ... }
 */
import { takeRows } from '../src/linalg/matrix.js';
import type { Progress } from '../src/progress.js';
import { Rng } from '../src/rng.js';
import { normalQuantile } from '../src/stats/normal.js';
import { percentileInterval, quantileSorted, sampleVariance } from '../src/stats/quantile.js';
import type { ClassScores, FeatureSets, ImagePairs, ImageStack, MetricDescriptor, MetricId, MetricParams, MetricResults, OwnVariance, ResampleDraws, ResampledValues } from './types.js';

export interface BootstrapOptions {
  /** Number of resamples (default 200). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  readonly seed?: number;
  /** Resample the reference rows too (default true). */
  readonly resampleReference?: boolean;
  readonly progress?: Progress;
  /** The group's point results when already computed (skips recomputing them). */
  readonly point?: MetricResults;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 200, level: 0.95, seed: 0, resampleReference: true } as const;

export const RECENTRED_METHOD = 'percentile, re-centred on the point estimate';
/** Intervals of groups that draw fewer resamples (resampleShare < 1): the spread's ends are too noisy from few values. */
export const NORMAL_METHOD = 'normal, from the resampled variance, centred on the point estimate';
/** Intervals of metrics whose group computes the variance itself (ResampledValues.variance). */
export const DECOMPOSED_METHOD = 'normal, from the variance by the law of total variance (exact given the reference, plus the reference half-samples), centred on the point estimate';
const MIN_SHARED_RESAMPLES = 20;

export interface BootstrapInterval {
  readonly ci: [number, number];
  readonly method: typeof RECENTRED_METHOD | typeof NORMAL_METHOD | typeof DECOMPOSED_METHOD;
  /** Resamples this interval was read from (a group may draw a share of the requested number). */
  readonly resamples: number;
  /** Monte-Carlo error of the interval: the relative sd of its half-width between bootstrap seeds. */
  readonly monteCarloError: number;
  /** Median of the resampled values minus the point value. */
  readonly bootstrapBias: number;
  /** Which sampling the interval covers, e.g. 'generated and reference sampling'. */
  readonly covers: string;
  /** How the resampled values were computed when not by plain recomputation. */
  readonly scheme?: string;
}

export interface BootstrapResult {
  /** The group's point results (as `compute` returns them). */
  readonly results: MetricResults;
  readonly intervals: Partial<Record<MetricId, BootstrapInterval>>;
}

type AnyInput = FeatureSets | ClassScores | ImagePairs;

/**
 * Point results and bootstrap intervals of every id of a descriptor's group (see the module comment).
 *
 * @example
 * const { results, intervals } = await bootstrapGroup(getMetric('precision'), sets, params, { seed: 0 });
 */
export async function bootstrapGroup(desc: MetricDescriptor, input: AnyInput, params: MetricParams, opts: BootstrapOptions = {}): Promise<BootstrapResult> {
  const resamples = opts.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = opts.level ?? BOOTSTRAP_DEFAULTS.level;
  if (!Number.isInteger(resamples) || resamples < 2) throw new RangeError(`bootstrap resamples must be an integer >= 2, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap level must be in (0, 1), got ${level}`);
  const b = groupResamples(desc, resamples);
  const draws = drawResamples(desc, input, b, opts);
  const { results, boot } = await resampledGroup(desc, input, params, draws, opts.point, opts.progress);
  const intervals: Partial<Record<MetricId, BootstrapInterval>> = {};
  for (const [id, all] of Object.entries(boot.values) as [MetricId, Float64Array][]) {
    const point = results[id]?.value;
    if (point === undefined || !Number.isFinite(point)) continue;
    const own = boot.variance?.[id];
    const iv = own ? decomposedInterval(all, point, level, own) : intervalOf(desc, all, b, generatedRows(desc, input), point, level, boot.extraVariance?.[id] ?? 0);
    intervals[id] = { ...iv, covers: coverage(desc, draws), ...(boot.scheme ? { scheme: boot.scheme } : {}) };
  }
  return { results, intervals };
}

/** Resamples a group draws for a requested number (its `resampleShare` of them, at least MIN_SHARED_RESAMPLES). */
function groupResamples(desc: MetricDescriptor, resamples: number): number {
  const share = desc.resampleShare ?? 1;
  return share === 1 ? resamples : Math.max(MIN_SHARED_RESAMPLES, Math.round(resamples * share));
}

/**
 * The interval a group's resampled values give (b values, then, for 'half-extrapolated' groups, b nested
 * quarter-size ones) for `rows` generated rows, with `extra` variance the resamples cannot see.
 */
function intervalOf(desc: MetricDescriptor, all: Float64Array, b: number, rows: number, point: number, level: number, extra: number): Omit<BootstrapInterval, 'covers' | 'scheme'> {
  const share = desc.resampleShare ?? 1;
  const values = all.subarray(0, b);
  const model = varianceModel(desc, rows);
  const added = extra + (model ? model.total(values, all.subarray(b)) - sampleVariance(values) : 0);
  const r = share === 1 ? recentredInterval(values, point, level, added) : normalInterval(values, point, level, added);
  const monteCarloError = model && isPaired(desc) ? extrapolatedError(model, values, all.subarray(b), extra) : 1 / Math.sqrt(2 * b);
  return { ci: r.ci, method: share === 1 ? RECENTRED_METHOD : NORMAL_METHOD, bootstrapBias: r.bias, resamples: b, monteCarloError: Number(monteCarloError.toPrecision(2)) };
}

/** The normal interval of a metric whose variance the group computed (ResampledValues.variance), clipped to its range. */
function decomposedInterval(values: Float64Array, point: number, level: number, v: OwnVariance): Omit<BootstrapInterval, 'covers' | 'scheme'> {
  const h = normalQuantile((1 + level) / 2) * Math.sqrt(Math.max(0, v.total));
  const [lo, hi] = v.range ?? [-Infinity, Infinity];
  const bias = quantileSorted(sortedCopy(values), 0.5) - point;
  return { ci: [Math.max(lo, point - h), Math.min(hi, point + h)], method: DECOMPOSED_METHOD, bootstrapBias: bias, resamples: values.length, monteCarloError: Number(v.monteCarloError.toPrecision(2)) };
}

/**
 * A group's interval with the reference held fixed, for callers that compute the resampled values themselves (FD
 * against a statistics file, whose rows cannot be resampled): `valuesAt` gets the generated draws that
 * bootstrapGroup would use (the same seeds, halves and nested quarters for extrapolated groups) and returns one value per draw.
 *
 * @example
 * const iv = await fixedReferenceInterval(fdDescriptor, 1000, point, (draws) => fdAgainstGaussianResampled(g, ref, draws), { seed: 0 });
 */
export async function fixedReferenceInterval(
  desc: MetricDescriptor,
  generatedRows: number,
  point: number,
  valuesAt: (draws: readonly Int32Array[]) => Promise<Float64Array>,
  opts: BootstrapOptions = {},
): Promise<BootstrapInterval> {
  const b = groupResamples(desc, opts.resamples ?? BOOTSTRAP_DEFAULTS.resamples);
  const none: FeatureSets = { generated: { rows: generatedRows, cols: 0, data: new Float64Array(0) }, reference: { rows: 0, cols: 0, data: new Float64Array(0) } };
  const draws = drawResamples(desc, none, b, { ...opts, resampleReference: false });
  const all = await valuesAt(draws.generated);
  return { ...intervalOf(desc, all, b, generatedRows, point, opts.level ?? BOOTSTRAP_DEFAULTS.level, 0), covers: coverage(desc, draws) };
}

/**
 * The variance of a group's value at full size, read from its half-samples' variance V2 = V(n/2) and, for
 * 'half-extrapolated' groups, that of their nested quarter-samples V4 = V(n/4) (all drawn without replacement;
 * 'half-complement' groups: complementVariance).
 * A half-sample's spread is the delete-half jackknife: for a mean, the spread of half-sample means (whose
 * finite-population factor 1 - 1/2 cancels the halved size) is exactly the variance of the mean at n, and no row is
 * copied, so the k-NN radii and FD's covariance see distinct rows only. A statistic such as FD and KID has a
 * linear part (variance a/n at n) and a degenerate quadratic one (variance q at n, falling as 1/n^2). A subsample of
 * m of the n rows spreads by a (1/m - 1/n) and q (n^2/m^2 - 1): E V2 = a/n + 3 q and E V4 = 3 a/n + 15 q, so the
 * half-samples count the quadratic part three times over. Var T = V2 - c (V4 / 6 - V2 / 2) removes the excess for
 * c = 2 under that expansion; c = HALF_EXTRAPOLATION (1.5) is what the calibration runs measured best for KID
 * (d 16 and 64, near-null and mode-dropping pairs: c = 1 left intervals 1.37x wider than needed near the null,
 * c = 2 covered 0.89-0.90 on the mixtures: the quarters' own higher-order terms inflate V4 there). Floored at V2 / 4
 * (the difference is noisy).
 * Odd sizes: a half of n rows is floor(n / 2) rows, whose spread is scaled by floor(n/2) / ceil(n/2) (the
 * delete-d jackknife's factor).
 */
export const HALF_EXTRAPOLATION = 1.5;

/** How a group's variance at full size is read from its resamples (b outer values, then b paired ones). */
interface VarianceModel {
  readonly total: (outer: ArrayLike<number>, paired: ArrayLike<number>) => number;
}

/** Resampling schemes that draw a second resample paired with each half (a nested quarter, or the complement). */
function isPaired(desc: MetricDescriptor): boolean {
  return desc.resampling === 'half-extrapolated' || desc.resampling === 'half-complement';
}

function varianceModel(desc: MetricDescriptor, rows: number): VarianceModel | null {
  const half = Math.max(2, Math.floor(rows / 2));
  const scale = rows > half ? half / (rows - half) : 1;
  if (desc.resampling === 'half-extrapolated') {
    return { total: (h, q) => { const v2 = sampleVariance(h); return scale * Math.max(v2 - HALF_EXTRAPOLATION * (sampleVariance(q) / 6 - v2 / 2), v2 / 4); } };
  }
  if (desc.resampling === 'half-complement') return { total: (h, c) => scale * complementVariance(h, c) };
  if (desc.resampling === 'half-sample') return { total: (h) => scale * sampleVariance(h) };
  return null;
}

/**
 * Var T at full size from B halves S_k and their complements S_k^c (FD): V2 - V+ / 2, V2 the variance of all 2B
 * half values, V+ that of T(S_k) + T(S_k^c), floored at V2 / 4. The linear part cancels in the sum exactly (the two
 * halves' means average to the full mean), so V+ holds the quadratic part alone: 4 q (the pairs within each half
 * and those across them, each block's spread a fixed multiple of q), while V2 = a / n + 3 q (see
 * HALF_EXTRAPOLATION's comment); V2 - V+ / 2 = a / n + q. Unlike the quarters, no resample is smaller than half the
 * rows, so no higher-order term of a small resample leaks in, and a covariance of n/2 rows keeps the rank the point
 * value's has where n/4 rows would not (d 256 at n 300). Measured against the quarters (FD alone, seed 1,
 * coverage / width ratio): the Gaussian at d 16 0.940 / 1.23 -> 0.943 / 1.08 (400 draws), at d 64 0.935 / 1.21 ->
 * 0.965 / 1.08 (200), at d 256, n 300 0.99 / 1.52 -> 0.98 / 1.18 (100); the mixtures 0.910 -> 0.920 (d 16) and
 * 0.915 -> 0.925 (d 64) at the same widths, 0.96 / 1.31 -> 0.97 / 1.33 at d 256. For KID the same scheme fitted the
 * Gaussians as well (implied sd equal to the spread's) but covered the mixtures 0.02 less than the quarters (0.89
 * at d 16 and 64), so KID keeps them.
 */
function complementVariance(h: ArrayLike<number>, c: ArrayLike<number>): number {
  const b = Math.min(h.length, c.length);
  const both = new Float64Array(2 * b);
  const sum = new Float64Array(b);
  for (let k = 0; k < b; k++) {
    both[k] = h[k]!;
    both[b + k] = c[k]!;
    sum[k] = h[k]! + c[k]!;
  }
  const v2 = sampleVariance(both);
  return Math.max(v2 - sampleVariance(sum) / 2, v2 / 4);
}

/**
 * Relative Monte-Carlo sd of an extrapolated interval's half-width, by the delete-one jackknife over the B paired
 * (outer, nested) resamples of the variance `model.total` + `fixed` (the variance the resamples do not see): half the
 * jackknife sd of that variance over the variance.
 */
function extrapolatedError(model: VarianceModel, full: Float64Array, half: Float64Array, fixed: number): number {
  const b = Math.min(full.length, half.length);
  const total = (v1: ArrayLike<number>, v2: ArrayLike<number>) => model.total(v1, v2) + fixed;
  const all = total(full.subarray(0, b), half.subarray(0, b));
  const loo = new Float64Array(b);
  const without = (v: Float64Array, k: number) => {
    const out = new Float64Array(b - 1);
    out.set(v.subarray(0, k));
    out.set(v.subarray(k + 1, b), k);
    return out;
  };
  for (let k = 0; k < b; k++) loo[k] = total(without(full, k), without(half, k));
  const jackknifeVariance = (((b - 1) * (b - 1)) / b) * sampleVariance(loo); // (b - 1) / b * sum of squared deviations
  return all > 0 ? (0.5 * Math.sqrt(jackknifeVariance)) / all : 0;
}

/** Which sampling a group's intervals cover, from the roles that were resampled. */
function coverage(desc: MetricDescriptor, draws: ResampleDraws): string {
  if (desc.input === 'class-scores') return 'generated sampling';
  if (desc.input === 'image-pairs' || desc.input === 'feature-pairs') return 'sampling of the pairs';
  return draws.reference === null ? 'generated sampling (reference held fixed)' : 'generated and reference sampling';
}

/** The group's point results and its values on every resample. */
async function resampledGroup(desc: MetricDescriptor, input: AnyInput, params: MetricParams, draws: ResampleDraws, point: MetricResults | undefined, progress?: Progress): Promise<{ results: MetricResults; boot: ResampledValues }> {
  const ctx = progress ? { progress } : {};
  const own = desc.resampled as ((i: AnyInput, p: MetricParams, d: ResampleDraws, pt: MetricResults, c: object) => Promise<ResampledValues>) | undefined;
  const compute = desc.compute as (i: AnyInput, p: MetricParams, c: object) => Promise<MetricResults>;
  if (own !== undefined) {
    const results = point ?? (await compute(input, params, ctx));
    return { results, boot: await own(input, params, draws, results, ctx) };
  }
  const withContrib = desc.contributions as ((i: AnyInput, p: MetricParams, c: object) => ReturnType<NonNullable<MetricDescriptor['contributions']>>) | undefined;
  if (withContrib !== undefined) {
    const { results, contributions } = await withContrib(input, params, ctx);
    const values: Partial<Record<MetricId, Float64Array>> = {};
    for (const [id, c] of Object.entries(contributions) as [MetricId, { over: string; values: Float64Array }][]) {
      const idx = c.over === 'reference' ? draws.reference : draws.generated;
      if (idx !== null) values[id] = Float64Array.from(idx, (ix) => meanAt(c.values, ix));
    }
    return { results, boot: { values, scheme: 'means of the per-sample terms over the resampled samples' } };
  }
  const results = point ?? (await compute(input, params, ctx));
  return { results, boot: await recomputed(desc, input, params, draws, progress) };
}

/**
 * Bootstrap intervals for every id a descriptor's group reports (the `ci` of `bootstrapGroup`).
 *
 * @example
 * const ci = await bootstrapMetric(kidDescriptor, { generated, reference }, params, { resamples: 200, seed: 0 });
 * ci.kid; // [0.0391, 0.0478]
 */
export async function bootstrapMetric(desc: MetricDescriptor, input: AnyInput, params: MetricParams, opts: BootstrapOptions = {}): Promise<Partial<Record<MetricId, [number, number]>>> {
  const { intervals } = await bootstrapGroup(desc, input, params, opts);
  return Object.fromEntries(Object.entries(intervals).map(([id, v]) => [id, v.ci]));
}

/**
 * The point results with each interval merged in: `ci95`, `ciMethod`, `ciCovers` and `bootstrapBias`.
 *
 * @example
 * withIntervals(await bootstrapGroup(d, sets, params)).fd; // { value: 5.44, ci95: [5.2, 5.7], ciMethod: '...', bootstrapBias: 0.38, ... }
 */
export function withIntervals(r: BootstrapResult): MetricResults {
  const out: MetricResults = {};
  for (const [id, v] of Object.entries(r.results) as [MetricId, NonNullable<MetricResults[MetricId]>][]) {
    const iv = r.intervals[id];
    out[id] = iv === undefined ? v : { ...v, ci95: iv.ci, ciMethod: iv.method, ciCovers: iv.covers, bootstrapBias: iv.bootstrapBias, ciResamples: iv.resamples, ciMonteCarloError: iv.monteCarloError };
  }
  return out;
}

/**
 * Re-centred percentile interval: [point + f (q_lo - median), point + f (q_hi - median)] with f = sqrt(1 +
 * extraVariance / var(values)), and bias = median - point.
 *
 * @example
 * recentredInterval(Float64Array.of(1, 2, 3, 4, 5), 2, 0.5); // { ci: [1, 3], bias: 1 }
 */
export function recentredInterval(values: ArrayLike<number>, point: number, level: number, extraVariance = 0): { ci: [number, number]; bias: number } {
  const sorted = sortedCopy(values);
  const med = percentile(sorted, 0.5);
  const [lo, hi] = percentileInterval(sorted, level);
  const v = sampleVariance(sorted);
  const f = extraVariance !== 0 && v > 0 ? Math.sqrt(Math.max(0, 1 + extraVariance / v)) : 1;
  return { ci: [point + f * (lo - med), point + f * (hi - med)], bias: med - point };
}

/**
 * Normal interval point +- z sqrt(var(values) + extraVariance), and the bootstrap bias median - point.
 *
 * @example
 * normalInterval(Float64Array.of(1, 2, 3), 2, 0.95); // { ci: [0.04, 3.96], bias: 0 }
 */
export function normalInterval(values: ArrayLike<number>, point: number, level: number, extraVariance = 0): { ci: [number, number]; bias: number } {
  const sorted = sortedCopy(values);
  const h = normalQuantile((1 + level) / 2) * Math.sqrt(Math.max(0, sampleVariance(sorted) + extraVariance));
  return { ci: [point - h, point + h], bias: percentile(sorted, 0.5) - point };
}

/**
 * Generic uncentred percentile bootstrap: `statistic(indices)` gets one row-index array per input (sizes `sizes`)
 * and returns named values; the result holds [q_lo, q_hi] per name. Use it only for statistics that are means;
 * re-centre others with `recentredInterval`.
 */
export async function percentileBootstrap(
  sizes: readonly number[],
  statistic: (indices: Int32Array[]) => Promise<Record<string, number>>,
  opts: BootstrapOptions = {},
): Promise<Record<string, [number, number]>> {
  const level = opts.level ?? BOOTSTRAP_DEFAULTS.level;
  const values = await collectBootstrap(sizes, statistic, opts);
  const out: Record<string, [number, number]> = {};
  for (const [name, v] of values) out[name] = percentileInterval(sortedCopy(v), level);
  return out;
}

/**
 * The re-centred counterpart of percentileBootstrap, for statistics that are not means (e.g. the discriminator
 * distance, a sum of FDs): intervals from `recentredInterval` around `points[name]`, with the bootstrap bias.
 *
 * @example
 * await recentredBootstrap([n1, n2], stat, { disc: 3.1 }, { resamples: 200 }); // { disc: { ci: [2.8, 3.4], bias: 0.4 } }
 */
export async function recentredBootstrap(
  sizes: readonly number[],
  statistic: (indices: Int32Array[]) => Promise<Record<string, number>>,
  points: Readonly<Record<string, number>>,
  opts: BootstrapOptions = {},
): Promise<Record<string, { ci: [number, number]; bias: number }>> {
  const level = opts.level ?? BOOTSTRAP_DEFAULTS.level;
  const values = await collectBootstrap(sizes, statistic, opts);
  const out: Record<string, { ci: [number, number]; bias: number }> = {};
  for (const [name, v] of values) {
    const point = points[name];
    if (point !== undefined) out[name] = recentredInterval(v, point, level);
  }
  return out;
}

/** Runs `statistic` on `resamples` seeded with-replacement draws of row indices; the values per name. */
async function collectBootstrap(
  sizes: readonly number[],
  statistic: (indices: Int32Array[]) => Promise<Record<string, number>>,
  opts: BootstrapOptions,
): Promise<Map<string, number[]>> {
  const resamples = opts.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = opts.level ?? BOOTSTRAP_DEFAULTS.level;
  if (!Number.isInteger(resamples) || resamples < 2) throw new RangeError(`bootstrap resamples must be an integer >= 2, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap level must be in (0, 1), got ${level}`);
  const rng = new Rng(opts.seed ?? BOOTSTRAP_DEFAULTS.seed).fork('bootstrap');
  const values = new Map<string, number[]>();
  opts.progress?.start(resamples, 'bootstrap');
  for (let b = 0; b < resamples; b++) {
    const idx = sizes.map((n) => drawIndices(rng, n));
    for (const [name, v] of Object.entries(await statistic(idx))) {
      if (!values.has(name)) values.set(name, []);
      values.get(name)!.push(v);
    }
    opts.progress?.tick();
  }
  opts.progress?.stop();
  return values;
}

/** numpy.percentile with linear interpolation, q in [0, 1], on sorted values. */
export const percentile = quantileSorted;

function sortedCopy(v: ArrayLike<number>): Float64Array {
  return Float64Array.from(v).sort();
}

function meanAt(values: Float64Array, idx: Int32Array): number {
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += values[idx[i]!]!;
  return s / idx.length;
}

function drawIndices(rng: Rng, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.int(n);
  return out;
}

/** A random half (floor(n / 2) distinct rows, at least 2 when there are) of n rows, without replacement. */
function drawHalf(rng: Rng, n: number): Int32Array {
  return rng.sampleWithoutReplacement(n, Math.min(n, Math.max(2, Math.floor(n / 2))));
}

/** The rows 0..n-1 not in `idx`, ascending. */
function complementOf(idx: Int32Array, n: number): Int32Array {
  const taken = new Uint8Array(n);
  for (const i of idx) taken[i] = 1;
  const out = new Int32Array(n - idx.length);
  let p = 0;
  for (let i = 0; i < n; i++) if (taken[i] === 0) out[p++] = i;
  return out;
}

/** Rows (or pairs) of a group's generated input. */
function generatedRows(desc: MetricDescriptor, input: AnyInput): number {
  return desc.input === 'image-pairs' ? (input as ImagePairs).generated.n : (input as FeatureSets | ClassScores).generated.rows;
}

/**
 * All resample draws: generated rows (or pairs) and reference rows from independent streams of the bootstrap Rng;
 * B draws of n rows with replacement, or B random halves (then, for 'half-extrapolated', B nested quarters: the
 * first half of each half's random order; for 'half-complement', the B complements).
 */
function drawResamples(desc: MetricDescriptor, input: AnyInput, resamples: number, opts: BootstrapOptions): ResampleDraws {
  const rng = new Rng(opts.seed ?? BOOTSTRAP_DEFAULTS.seed).fork('bootstrap');
  const n = generatedRows(desc, input);
  const m = desc.input === 'features' && (opts.resampleReference ?? BOOTSTRAP_DEFAULTS.resampleReference) ? (input as FeatureSets).reference.rows : 0;
  const nested = desc.resampling === 'half-extrapolated';
  const complement = desc.resampling === 'half-complement';
  const halves = desc.resampling === 'half-sample' || nested || complement;
  const draw = (r: Rng, size: number) => {
    const full = Array.from({ length: resamples }, () => (halves ? drawHalf(r, size) : drawIndices(r, size)));
    if (complement) return [...full, ...full.map((idx) => complementOf(idx, size))];
    return nested ? [...full, ...full.map((idx) => idx.subarray(0, Math.max(2, Math.floor(idx.length / 2))))] : full;
  };
  return { generated: draw(rng.fork('generated'), n), reference: m > 0 ? draw(rng.fork('reference'), m) : null };
}

/** The group's values on every resample by recomputation on the resampled rows. */
async function recomputed(desc: MetricDescriptor, input: AnyInput, params: MetricParams, draws: ResampleDraws, progress?: Progress): Promise<ResampledValues> {
  const compute = desc.compute as (i: AnyInput, p: MetricParams) => Promise<MetricResults>;
  const b = draws.generated.length;
  const values: Partial<Record<MetricId, Float64Array>> = {};
  progress?.start(b, 'bootstrap');
  for (let k = 0; k < b; k++) {
    const r = await compute(resampleInput(desc, input, draws, k), params);
    for (const [id, v] of Object.entries(r) as [MetricId, { value: number }][]) (values[id] ??= new Float64Array(b))[k] = v.value;
    progress?.tick();
  }
  progress?.stop();
  return { values };
}

function resampleInput(desc: MetricDescriptor, input: AnyInput, draws: ResampleDraws, k: number): AnyInput {
  const g = draws.generated[k]!;
  if (desc.input === 'features') {
    const s = input as FeatureSets;
    return { generated: takeRows(s.generated, g), reference: draws.reference ? takeRows(s.reference, draws.reference[k]!) : s.reference };
  }
  if (desc.input === 'class-scores') {
    const s = input as ClassScores;
    return { kind: s.kind, generated: takeRows(s.generated, g) };
  }
  const p = input as ImagePairs;
  return { generated: takeImages(p.generated, g), reference: takeImages(p.reference, g) };
}

function takeImages(s: ImageStack, index: Int32Array): ImageStack {
  const size = s.height * s.width * s.channels;
  const m = takeRows({ rows: s.n, cols: size, data: s.data }, index);
  return { ...s, n: index.length, data: m.data };
}
