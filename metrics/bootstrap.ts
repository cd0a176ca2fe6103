/**
 * Seeded bootstrap confidence intervals for any metric, reported beside the point value.
 *
 * Resamples: B (default 200) draws of the rows of each resampled input, with replacement and of full size;
 * generated rows (image pairs as pairs) from Rng(seed).fork('bootstrap').fork('generated'), reference rows from
 * .fork('reference'). `resampleReference: false` keeps the reference rows fixed (e.g. a fixed test set). Two
 * methods, chosen per metric:
 *
 * 1. 'percentile of per-sample contributions' (precision, recall, density, coverage, mse, l1, psnr, ssim): the
 *    metric is the plain mean of per-sample terms (descriptor `contributions`, one pass with the value); the
 *    interval is the percentile interval (B. Efron, R. Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13)
 *    of the terms' means over the resamples. For the k-NN metrics the other set's manifold (its k-NN radii) is held
 *    as computed on the full data: recomputing radii on a resample is wrong, because a duplicated row is at distance
 *    0 from its copy and collapses the radii (the old scheme's intervals missed the point value). So the interval
 *    covers the sampling of the averaged set given the other set's manifold; recall and coverage average over
 *    reference samples and get no interval when the reference is fixed.
 * 2. 'percentile, re-centred on the point estimate' (fd, kid, is and any other metric): recompute on each resample
 *    (KID through its `resampled` scheme, metrics/kid.ts) and report
 *      ci = [value + f (q_lo - median), value + f (q_hi - median)],  bootstrapBias = median - value,
 *    an interval for the metric's expected value at this sample size, i.e. the quantity two reports with the same
 *    recipe can be compared on. Re-centring is needed because plug-in statistics are biased at finite N (FD's
 *    bias is ~ +tr terms / N) and a resample, which has fewer distinct rows, adds that bias again: the raw
 *    percentile interval sits about one bias above the value and can miss it. f = sqrt(1 + extra / var_boot) adds a
 *    variance the resamples cannot see (KID's subset noise; 1 otherwise).
 * Percentiles: numpy's default linear interpolation.
 *
 * @example
 * const r = await bootstrapGroup(kidDescriptor, { generated, reference }, kidDescriptor.defaults, { resamples: 200 });
 * r.intervals.kid; // { ci: [0.0391, 0.0504], method: 'percentile, re-centred on the point estimate', bootstrapBias: -0.0007, scheme: '...' }
 */
import { takeRows } from '../src/linalg/matrix.js';
import type { Progress } from '../src/progress.js';
import { Rng } from '../src/rng.js';
import type { ClassScores, FeatureSets, ImagePairs, ImageStack, MetricDescriptor, MetricId, MetricParams, MetricResults, ResampleDraws, ResampledValues } from './types.js';

export interface BootstrapOptions {
  /** Number of resamples (default 200). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  readonly seed?: number;
  /** Resample the reference rows too (default true). */
  readonly resampleReference?: boolean;
  readonly progress?: Progress;
  /** The group's point results when already computed (skips recomputing them; not used by contribution metrics). */
  readonly point?: MetricResults;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 200, level: 0.95, seed: 0, resampleReference: true } as const;

export const CONTRIBUTIONS_METHOD = 'percentile of per-sample contributions';
export const RECENTRED_METHOD = 'percentile, re-centred on the point estimate';

export interface BootstrapInterval {
  readonly ci: [number, number];
  readonly method: typeof CONTRIBUTIONS_METHOD | typeof RECENTRED_METHOD;
  /** Re-centred intervals: median of the resampled values minus the point value. */
  readonly bootstrapBias?: number;
  /** Contribution intervals: the samples averaged over. */
  readonly over?: string;
  /** How the resampled values were computed when not by plain recomputation (KID). */
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
  const ctx = opts.progress ? { progress: opts.progress } : {};
  const draws = drawResamples(desc, input, resamples, opts);
  const withContrib = desc.contributions as ((i: AnyInput, p: MetricParams, c: object) => ReturnType<NonNullable<MetricDescriptor['contributions']>>) | undefined;
  if (withContrib !== undefined) {
    const { results, contributions } = await withContrib(input, params, ctx);
    const intervals: Partial<Record<MetricId, BootstrapInterval>> = {};
    for (const [id, c] of Object.entries(contributions) as [MetricId, { over: string; values: Float64Array }][]) {
      const idx = c.over === 'reference' ? draws.reference : draws.generated;
      if (idx === null) continue;
      const means = Float64Array.from(idx, (ix) => meanAt(c.values, ix));
      intervals[id] = { ci: percentileInterval(sortedCopy(means), level), method: CONTRIBUTIONS_METHOD, over: c.over };
    }
    return { results, intervals };
  }
  const compute = desc.compute as (i: AnyInput, p: MetricParams, c: object) => Promise<MetricResults>;
  const results = opts.point ?? (await compute(input, params, ctx));
  const boot = await resampledValues(desc, input, params, draws, results, opts.progress);
  const intervals: Partial<Record<MetricId, BootstrapInterval>> = {};
  for (const [id, values] of Object.entries(boot.values) as [MetricId, Float64Array][]) {
    const point = results[id]?.value;
    if (point === undefined) continue;
    const r = recentredInterval(values, point, level, boot.extraVariance?.[id] ?? 0);
    intervals[id] = { ci: r.ci, method: RECENTRED_METHOD, bootstrapBias: r.bias, ...(boot.scheme ? { scheme: boot.scheme } : {}) };
  }
  return { results, intervals };
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
 * The point results with each interval merged in: `ci95`, `ciMethod` and, for re-centred intervals, `bootstrapBias`.
 *
 * @example
 * withIntervals(await bootstrapGroup(d, sets, params)).fd; // { value: 5.44, ci95: [5.2, 5.7], ciMethod: '...', bootstrapBias: 0.38, ... }
 */
export function withIntervals(r: BootstrapResult): MetricResults {
  const out: MetricResults = {};
  for (const [id, v] of Object.entries(r.results) as [MetricId, NonNullable<MetricResults[MetricId]>][]) {
    const iv = r.intervals[id];
    out[id] = iv === undefined ? v : { ...v, ci95: iv.ci, ciMethod: iv.method, ...(iv.bootstrapBias !== undefined ? { bootstrapBias: iv.bootstrapBias } : {}) };
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
  const v = variance(sorted);
  const f = extraVariance > 0 && v > 0 ? Math.sqrt(1 + extraVariance / v) : 1;
  return { ci: [point + f * (lo - med), point + f * (hi - med)], bias: med - point };
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

/** numpy.percentile with linear interpolation, q in [0, 1], on sorted values (equal neighbours, even infinite, give that value). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

function percentileInterval(sorted: ArrayLike<number>, level: number): [number, number] {
  return [percentile(sorted, (1 - level) / 2), percentile(sorted, (1 + level) / 2)];
}

function sortedCopy(v: ArrayLike<number>): Float64Array {
  return Float64Array.from(v).sort();
}

function variance(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i]!;
  m /= v.length;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i]! - m) ** 2;
  return s / (v.length - 1);
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

/** All resample draws: generated rows (or pairs) and reference rows from independent streams of the bootstrap Rng. */
function drawResamples(desc: MetricDescriptor, input: AnyInput, resamples: number, opts: BootstrapOptions): ResampleDraws {
  const rng = new Rng(opts.seed ?? BOOTSTRAP_DEFAULTS.seed).fork('bootstrap');
  const n = desc.input === 'image-pairs' ? (input as ImagePairs).generated.n : (input as FeatureSets | ClassScores).generated.rows;
  const m = desc.input === 'features' && (opts.resampleReference ?? BOOTSTRAP_DEFAULTS.resampleReference) ? (input as FeatureSets).reference.rows : 0;
  const draw = (r: Rng, size: number) => Array.from({ length: resamples }, () => drawIndices(r, size));
  return { generated: draw(rng.fork('generated'), n), reference: m > 0 ? draw(rng.fork('reference'), m) : null };
}

/** The group's values on every resample: the descriptor's own scheme, or recomputation on the resampled rows. */
async function resampledValues(desc: MetricDescriptor, input: AnyInput, params: MetricParams, draws: ResampleDraws, point: MetricResults, progress?: Progress): Promise<ResampledValues> {
  const own = desc.resampled as ((i: AnyInput, p: MetricParams, d: ResampleDraws, pt: MetricResults) => Promise<ResampledValues>) | undefined;
  if (own !== undefined) return own(input, params, draws, point);
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
