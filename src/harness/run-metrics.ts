import { bootstrapGroup, recentredBootstrap, withIntervals, BOOTSTRAP_DEFAULTS, RECENTRED_METHOD } from '../../metrics/bootstrap.js';
import type { FeatureSets, LayerSets, MetricDescriptor, MetricParams, MetricResults, MetricValue, ReferenceNeeds, ReferenceStats } from '../../metrics/types.js';
import { takeRows, type Matrix } from '../linalg/matrix.js';
import { sharedProgress, type Progress } from '../progress.js';
import type { MetricPlan } from './metric-plan.js';

/**
 * Runs a metric plan on extracted features: each registry group once through its descriptor (metrics over a
 * discriminator's layers on those layers), and, with `bootstrap.resamples` > 0, a seeded bootstrap ci95 per metric (metrics/bootstrap.ts:
 * percentile of per-sample contributions for means such as precision, re-centred percentile with `bootstrapBias` for
 * FD, KID, IS and the discriminator distance; `ciMethod` names which). Values that are not finite become null (the
 * report is JSON), with the reason kept in the entry.
 *
 * @example
 * const m = await runMetrics(plan, { generated, reference }, { bootstrap: { resamples: 100, seed: 0 } });
 * m['fd'];  // { value: 41.3, ci95: [38.9, 44.0], ranks: {...}, ... }
 */
export interface LayerFeatures {
  readonly generated: Readonly<Record<string, Matrix>>;
  readonly reference: Readonly<Record<string, Matrix>>;
}

export interface RunMetricsOptions {
  readonly bootstrap?: { readonly resamples: number; readonly seed: number };
  readonly progress?: Progress;
  /**
   * Supplies the reference statistics a group's point value reads (its descriptor's `referenceNeeds`), e.g. from
   * the reference-statistics cache (features/stats-cache.ts referenceStatsProvider); the values are the same
   * either way. The bootstrap resamples compute their own.
   */
  readonly referenceStats?: (needs: ReferenceNeeds, reference: Matrix) => Promise<ReferenceStats>;
  /** Receives the seconds spent on the bootstrap intervals (added to `intervalSeconds`), for the report's timings. */
  readonly timing?: { intervalSeconds: number };
}

/** One metric's reported entry: value (null when not finite), std/ci95 when known, and the metric's details. */
export type MetricEntryValue = { value: number | null; std?: number; ci95?: [number, number] } & Record<string, unknown>;

export async function runMetrics(plan: MetricPlan, features: LayerFeatures, opts: RunMetricsOptions = {}): Promise<Record<string, MetricEntryValue>> {
  const results: MetricResults & Record<string, MetricValue> = {};
  const ctx = opts.progress === undefined ? {} : { progress: opts.progress };
  const groups: { d: MetricDescriptor; input: unknown; params: MetricParams; point: MetricResults }[] = [];
  for (const group of plan.groups) {
    const d = group[0]!;
    const input = inputFor(d, plan, features);
    const params = plan.params[d.group] ?? {};
    const compute = d.compute as (i: unknown, p: MetricParams, c: { progress?: Progress }) => Promise<MetricResults>;
    groups.push({ d, input, params, point: await compute(await withReferenceStats(d, input, params, opts), params, ctx) });
  }
  if (opts.bootstrap !== undefined && opts.bootstrap.resamples > 0) {
    // The groups resample at once: one group's JavaScript runs while another waits on onnxruntime's threads. Each
    // draws from its own seeded stream, so the intervals do not depend on the order.
    const t = performance.now();
    const sets = groups.filter((g) => g.d.input !== 'discriminator-layers');
    const bar = opts.progress === undefined ? undefined : sharedProgress(opts.progress, sets.length, 'bootstrap intervals');
    const done = await Promise.all(sets.map((g) => bootstrapGroup(g.d, g.input as never, g.params, { ...bootstrapOpts(opts), ...(bar ? { progress: bar.part() } : {}), point: g.point })));
    bar?.stop();
    for (const r of done) Object.assign(results, withIntervals(r));
    for (const g of groups) if (g.d.input === 'discriminator-layers') Object.assign(results, await layerIntervals(g.d, g.input as LayerSets, g.params, g.point, opts));
    if (opts.timing) opts.timing.intervalSeconds += (performance.now() - t) / 1000;
  } else {
    for (const g of groups) Object.assign(results, g.point);
  }
  const out: Record<string, MetricEntryValue> = {};
  for (const id of plan.ids) {
    const r = results[id];
    if (r === undefined) continue;
    out[id] = finiteEntry(r);
  }
  return out;
}

/** The group's input with the reference statistics it reads, when a provider is given and it reads any. */
async function withReferenceStats(d: MetricDescriptor, input: unknown, params: MetricParams, opts: RunMetricsOptions): Promise<unknown> {
  if (d.input !== 'features' || d.referenceNeeds === undefined || opts.referenceStats === undefined) return input;
  const sets = input as FeatureSets;
  const needs = d.referenceNeeds(sets, params);
  if (!needs.gaussian && needs.radii.length === 0) return input;
  return { ...sets, referenceStats: await opts.referenceStats(needs, sets.reference) };
}

function bootstrapOpts(opts: RunMetricsOptions) {
  return { resamples: opts.bootstrap!.resamples, seed: opts.bootstrap!.seed, level: BOOTSTRAP_DEFAULTS.level, resampleReference: true };
}

function inputFor(d: MetricDescriptor, plan: MetricPlan, f: LayerFeatures): unknown {
  if (d.input === 'discriminator-layers') return discSets(plan, f);
  if (d.input === 'class-scores') return { generated: f.generated[plan.layers.classScores!]!, kind: plan.classKind };
  return { generated: f.generated[plan.layers.features]!, reference: f.reference[plan.layers.features]! };
}

function discSets(plan: MetricPlan, f: LayerFeatures): { generated: Record<string, Matrix>; reference: Record<string, Matrix> } {
  const names = plan.layers.discriminator ?? [];
  return {
    generated: Object.fromEntries(names.map((n) => [n, f.generated[n]!])),
    reference: Object.fromEntries(names.map((n) => [n, f.reference[n]!])),
  };
}

/**
 * Intervals of a metric over several layers: re-centred percentile bootstrap of its recomputed value, the rows of
 * every layer resampled together (the same rows in each layer).
 */
async function layerIntervals(d: MetricDescriptor, sets: LayerSets, params: MetricParams, point: MetricResults, opts: RunMetricsOptions): Promise<MetricResults> {
  const first = Object.values(sets.generated)[0]!;
  const firstRef = Object.values(sets.reference)[0]!;
  const take = (m: Readonly<Record<string, Matrix>>, idx: Int32Array) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, takeRows(v, idx)]));
  const compute = d.compute as (i: LayerSets, p: MetricParams) => Promise<MetricResults>;
  const values = Object.fromEntries(Object.entries(point).map(([id, v]) => [id, v!.value]));
  const r = await recentredBootstrap(
    [first.rows, firstRef.rows],
    async ([g, ref]) => {
      const res = await compute({ generated: take(sets.generated, g!), reference: take(sets.reference, ref!) }, params);
      return Object.fromEntries(Object.entries(res).map(([id, v]) => [id, v!.value]));
    },
    values,
    { ...bootstrapOpts(opts), ...(opts.progress ? { progress: opts.progress } : {}) },
  );
  const out: MetricResults = {};
  for (const [id, v] of Object.entries(point) as [keyof MetricResults, MetricValue][]) {
    const iv = r[id];
    out[id] = iv === undefined ? v : { ...v, ci95: iv.ci, ciMethod: RECENTRED_METHOD, bootstrapBias: iv.bias };
  }
  return out;
}

/** The entry with a non-finite value/std replaced (value null, std dropped) and a note saying so. */
function finiteEntry(v: MetricValue & { ci95?: readonly [number, number] }): MetricEntryValue {
  const { value, std, ci95, ...rest } = v;
  const out: MetricEntryValue = { ...rest, value: Number.isFinite(value) ? value : null };
  if (!Number.isFinite(value)) out['note'] = `the metric gave ${value}`;
  if (std !== undefined && Number.isFinite(std)) out.std = std;
  if (ci95 !== undefined && ci95.every(Number.isFinite)) out.ci95 = [ci95[0], ci95[1]];
  return out;
}
