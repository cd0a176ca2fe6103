import { spearman } from '../stats/rank.js';
import { tQuantile } from '../stats/student-t.js';

/**
 * How a metric moves as a corruption gets stronger, over several seeds: per seed, Spearman's rank correlation rho
 * between strength and value (src/stats/rank.ts: average ranks for ties, then Pearson's r on the ranks; 0 when the
 * metric does not move at all); across seeds, the mean rho with a Student-t interval from the seeds' spread
 * (mean +- t(df = seeds - 1) x sd / sqrt(seeds), clipped to [-1, 1]). The expected direction is "worse": up for a
 * lower-is-better metric (FD, KID), down for a higher-is-better one (IS, precision, recall, density, coverage).
 *
 * Verdict: `detects` when the interval lies entirely on the expected side of 0, `inverted` when it lies entirely
 * on the other side (the metric improves as the images get worse), else `no signal`. A seed with a missing
 * (non-finite) value is left out of the interval; fewer than two usable seeds give no interval and `no signal`.
 *
 * @example
 * trendOverSeeds([0, 8, 24, 64], [[3.1, 5.0, 11.2, 40.9], [2.9, 5.3, 10.8, 39.0], [3.0, 4.1, 12.0, 41.5]], false);
 * // { values: [3, 4.8, 11.33, 40.47], perSeed: [...], expected: 'increase', spearman: { mean: 1, ci95: [1, 1], perSeed: [1, 1, 1] },
 * //   monotonic: true, verdict: 'detects' }
 */
export type Verdict = 'detects' | 'inverted' | 'no signal' | 'uninformative';

export interface RhoInterval {
  /** Mean of the usable seeds' rho; null with fewer than two usable seeds. */
  readonly mean: number | null;
  /** The interval at `level` (default 95%), clipped to [-1, 1]; null with fewer than two usable seeds. */
  readonly ci95: readonly [number, number] | null;
  /** Each seed's rho; null where a value was missing. */
  readonly perSeed: readonly (number | null)[];
}

export interface MetricTrend {
  /** Mean value per strength over the seeds (null where a seed's value is missing). */
  readonly values: readonly (number | null)[];
  /** Values per seed, then per strength. */
  readonly perSeed: readonly (readonly (number | null)[])[];
  readonly expected: 'increase' | 'decrease';
  readonly spearman: RhoInterval;
  /** The mean values move strictly in the expected direction at every step. */
  readonly monotonic: boolean;
  readonly verdict: Verdict;
  /** Why no verdict is given (then verdict is 'uninformative'), e.g. IS from ImageNet classes on grayscale digits. */
  readonly uninformative?: string;
}

export interface TrendOptions {
  /** Coverage of the interval (default 0.95). */
  readonly level?: number;
}

export function trendOverSeeds(strengths: readonly number[], perSeed: readonly (readonly (number | null)[])[], higherIsBetter: boolean, opts: TrendOptions = {}): MetricTrend {
  for (const v of perSeed) if (v.length !== strengths.length) throw new RangeError(`trendOverSeeds: ${v.length} values for ${strengths.length} strengths`);
  const expected = higherIsBetter ? 'decrease' : 'increase';
  const sign = higherIsBetter ? -1 : 1;
  const rhos = perSeed.map((v) => (complete(v) ? (spearman(strengths, v) ?? 0) : null));
  const usable = rhos.filter((r): r is number => r !== null);
  const iv = usable.length >= 2 ? meanInterval(usable, opts.level ?? 0.95) : null;
  const values = strengths.map((_, j) => {
    const col = perSeed.map((v) => v[j] ?? null);
    return perSeed.length > 0 && complete(col) ? round(col.reduce((s, x) => s + x, 0) / col.length) : null;
  });
  const monotonic = complete(values) && values.every((v, i) => i === 0 || sign * (v - values[i - 1]!) > 0);
  const verdict: Verdict = iv === null ? 'no signal' : sign * iv.ci[0] > 0 && sign * iv.ci[1] > 0 ? 'detects' : sign * iv.ci[0] < 0 && sign * iv.ci[1] < 0 ? 'inverted' : 'no signal';
  return {
    values,
    perSeed: perSeed.map((v) => [...v]),
    expected,
    spearman: { mean: iv === null ? null : round(iv.mean), ci95: iv === null ? null : [round(iv.ci[0]), round(iv.ci[1])], perSeed: rhos.map((r) => (r === null ? null : round(r))) },
    monotonic,
    verdict,
  };
}

/**
 * Mean and Student-t interval of a few numbers (sample sd with n - 1), clipped to [-1, 1] (for correlations).
 *
 * @example
 * meanInterval([0.8, 1, 1, 0.8, 1], 0.95); // { mean: 0.92, ci: [0.7840..., 1] }
 */
export function meanInterval(xs: readonly number[], level: number): { mean: number; ci: [number, number] } {
  if (xs.length < 2) throw new RangeError(`meanInterval needs >= 2 values, got ${xs.length}`);
  const n = xs.length;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  const clip = (v: number) => Math.min(1, Math.max(-1, v));
  return { mean, ci: [clip(mean - half), clip(mean + half)] };
}

/** The trend with its verdict replaced by 'uninformative' and the reason. */
export function markUninformative(t: MetricTrend, reason: string): MetricTrend {
  return { ...t, verdict: 'uninformative', uninformative: reason };
}

function complete(v: readonly (number | null)[]): v is number[] {
  return v.every((x) => x !== null && Number.isFinite(x));
}

function round(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}
