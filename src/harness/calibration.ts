import { bootstrapGroup, BOOTSTRAP_DEFAULTS } from '../../metrics/bootstrap.js';
import { getMetric, groupDefaults, groupMetrics } from '../../metrics/index.js';
import type { MetricDescriptor, MetricId, MetricParams } from '../../metrics/types.js';
import type { Matrix } from '../linalg/matrix.js';
import { Rng } from '../rng.js';
import { normalQuantile } from '../stats/normal.js';

/**
 * Calibration of the default intervals: are they 95% intervals? Draws many independent generated/reference pairs of
 * sets from known distributions, computes every metric with its default interval on each pair, and reports per
 * metric the share of intervals that hold the metric's mean over all draws (the quantity an interval at this
 * sample size is for) and how wide they are against the width that would have been just enough.
 *
 * Scenarios (d features, n rows per set, both sets drawn afresh for every draw):
 * - 'gaussian': reference N(0, I); generated N(0.15 / sqrt(d) 1, 1.1^2 I): a shifted, wider generator;
 * - 'mixture': reference a mixture of 6 Gaussian modes (centres fixed by the scenario seed, spread 2.5, mode scale
 *   1); generated the same mixture with one mode dropped and modes 1.2x wider.
 * Class scores for IS are logits W x (10 classes, W fixed by the scenario seed) of the generated rows.
 * Reported per metric: `coverage` (target 0.92-0.98 at nominal 0.95), `widthRatio` = mean interval width / (2 x the
 * 95th percentile of |value - mean|) (1 = just wide enough; target <= 1.3), the across-draw sd and the mean
 * half-width / 1.96 (the sd the intervals imply).
 *
 * @example
 * const r = await calibrate({ scenario: 'gaussian', d: 16, n: 200, draws: 100 });
 * r.metrics['fd']; // { coverage: 0.95, widthRatio: 1.04, sd: 0.31, impliedSd: 0.32, mean: 1.9 }
 */
export type CalibrationScenario = 'gaussian' | 'mixture';

export interface CalibrationOptions {
  readonly scenario: CalibrationScenario;
  readonly d: number;
  readonly n: number;
  /** Independent pairs of sets (default 100). */
  readonly draws?: number;
  readonly metrics?: readonly MetricId[];
  /** Bootstrap resamples (default: the default of every interval). */
  readonly resamples?: number;
  readonly seed?: number;
  /** Called after each draw with the number done. */
  readonly onDraw?: (done: number) => void;
}

export interface MetricCalibration {
  readonly coverage: number;
  readonly widthRatio: number;
  readonly mean: number;
  readonly sd: number;
  readonly impliedSd: number;
  readonly draws: number;
}

export interface CalibrationResult {
  readonly scenario: CalibrationScenario;
  readonly d: number;
  readonly n: number;
  readonly resamples: number;
  readonly metrics: Partial<Record<MetricId, MetricCalibration>>;
  readonly seconds: number;
}

export const CALIBRATION_METRICS: readonly MetricId[] = ['fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage', 'is'];

export async function calibrate(o: CalibrationOptions): Promise<CalibrationResult> {
  const started = performance.now();
  const draws = o.draws ?? 100;
  const resamples = o.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const ids = o.metrics ?? CALIBRATION_METRICS;
  const scenario = makeScenario(o.scenario, o.d, o.seed ?? 0);
  const values = new Map<MetricId, { v: number; lo: number; hi: number }[]>();
  const groups = groupMetrics(ids.map(getMetric));
  for (let k = 0; k < draws; k++) {
    const rng = new Rng(o.seed ?? 0).fork(`draw-${k}`);
    const generated = scenario.generated(rng.fork('generated'), o.n);
    const reference = scenario.reference(rng.fork('reference'), o.n);
    for (const group of groups) {
      const d = group[0]!;
      const input = d.input === 'class-scores' ? { generated: scenario.logits(generated), kind: 'logits' as const } : { generated, reference };
      const r = await bootstrapGroup(d, input as never, fitted(group, o.n), { resamples, seed: k });
      for (const g of group) {
        const point = r.results[g.id]?.value;
        const iv = r.intervals[g.id];
        if (point === undefined || iv === undefined) continue;
        if (!values.has(g.id)) values.set(g.id, []);
        values.get(g.id)!.push({ v: point, lo: iv.ci[0], hi: iv.ci[1] });
      }
    }
    o.onDraw?.(k + 1);
  }
  const metrics: Partial<Record<MetricId, MetricCalibration>> = {};
  for (const [id, rows] of values) metrics[id] = summarise(rows);
  return { scenario: o.scenario, d: o.d, n: o.n, resamples, metrics, seconds: Math.round(performance.now() - started) / 1000 };
}

/** The group's defaults with KID's subset size fitted to n (as the harness does). */
function fitted(group: readonly MetricDescriptor[], n: number): MetricParams {
  const p = groupDefaults(group);
  if (typeof p['subsetSize'] === 'number' && p['subsetSize'] > n / 2) p['subsetSize'] = Math.floor(n / 2);
  return p;
}

function summarise(rows: readonly { v: number; lo: number; hi: number }[]): MetricCalibration {
  const k = rows.length;
  const mean = rows.reduce((s, r) => s + r.v, 0) / k;
  const sd = Math.sqrt(rows.reduce((s, r) => s + (r.v - mean) ** 2, 0) / (k - 1));
  const covered = rows.filter((r) => r.lo <= mean && mean <= r.hi).length / k;
  const dev = Float64Array.from(rows, (r) => Math.abs(r.v - mean)).sort();
  const needed = 2 * dev[Math.min(k - 1, Math.ceil(0.95 * k) - 1)]!;
  const width = rows.reduce((s, r) => s + (r.hi - r.lo), 0) / k;
  return { coverage: covered, widthRatio: needed > 0 ? width / needed : Infinity, mean, sd, impliedSd: width / 2 / normalQuantile(0.975), draws: k };
}

interface Scenario {
  generated(rng: Rng, n: number): Matrix;
  reference(rng: Rng, n: number): Matrix;
  logits(x: Matrix): Matrix;
}

function makeScenario(kind: CalibrationScenario, d: number, seed: number): Scenario {
  const fixed = new Rng(seed).fork(`scenario-${kind}-${d}`);
  const classes = 10;
  const w = fixed.fork('logits').fillNormal(new Float64Array(d * classes)).map((v) => (v * 2) / Math.sqrt(d));
  const logits = (x: Matrix): Matrix => {
    const out = new Float64Array(x.rows * classes);
    for (let i = 0; i < x.rows; i++) for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x.data[i * d + j]! * w[j * classes + c]!;
      out[i * classes + c] = s;
    }
    return { rows: x.rows, cols: classes, data: out };
  };
  if (kind === 'gaussian') {
    const shift = 0.15 / Math.sqrt(d);
    return {
      reference: (rng, n) => gaussianRows(rng, n, d, 1, () => 0),
      generated: (rng, n) => gaussianRows(rng, n, d, 1.1, () => shift),
      logits,
    };
  }
  const modes = 6;
  const centres = fixed.fork('centres').fillNormal(new Float64Array(modes * d)).map((v) => v * 2.5);
  const mixture = (rng: Rng, n: number, use: number, scale: number): Matrix => {
    const data = rng.fillNormal(new Float64Array(n * d));
    for (let i = 0; i < n; i++) {
      const m = rng.int(use);
      for (let j = 0; j < d; j++) data[i * d + j] = centres[m * d + j]! + scale * data[i * d + j]!;
    }
    return { rows: n, cols: d, data };
  };
  return { reference: (rng, n) => mixture(rng, n, modes, 1), generated: (rng, n) => mixture(rng, n, modes - 1, 1.2), logits };
}

function gaussianRows(rng: Rng, n: number, d: number, scale: number, mean: () => number): Matrix {
  const data = rng.fillNormal(new Float64Array(n * d));
  const m = mean();
  for (let i = 0; i < data.length; i++) data[i] = m + scale * data[i]!;
  return { rows: n, cols: d, data };
}
