import { groupDefaults, groupMetrics, METRICS, parseMetricList } from '../../metrics/index.js';
import type { MetricParams } from '../../metrics/types.js';
import { extractCached, imagesInputs } from '../features/cache.js';
import { createExtractor, DEFAULT_EXTRACTOR } from '../features/index.js';
import { referenceStatsDir, referenceStatsProvider } from '../features/stats-cache.js';
import type { FeatureExtractor } from '../features/types.js';
import type { ImageBatchU8 } from '../io/image.js';
import type { Report } from '../io/report.js';
import type { Progress } from '../progress.js';
import { planLayers, planMetrics } from './metric-plan.js';
import { runMetrics, type MetricEntryValue } from './run-metrics.js';
import { sampleWarnings } from './warnings.js';

/**
 * FD, KID, precision and recall of a translator's outputs against real images of the target domain (the targets
 * of a paired split, or the target domain of an unpaired one), through the path generator evaluations take: the
 * extractor's default features layer, the targets' features through the content-addressed feature cache (keyed by
 * the images' sha256: `imagesInputs`), their statistics through the reference-statistics cache, the metric plan's
 * parameters fitted to the set sizes (metric-plan.ts) and the default two-sample bootstrap intervals
 * (run-metrics.ts: both sets resampled; outputs and targets are resampled independently even when paired, since
 * these metrics compare distributions).
 *
 * Minimum rows: a metric runs only when the outputs and the targets each have at least the rows it needs, else it
 * is skipped with a warning saying why: FD n > 3 (its interval reads FD on a half of the rows and on the other
 * half, and each needs 2 rows for a covariance), KID 2 (the unbiased MMD of a subset of m rows needs m >= 2), precision and recall max(kPr, kDc) + 1
 * (every row needs a k-th neighbour other than itself; the group also finds the density/coverage radii). Above the
 * minimum, small sets carry the warnings generator reports carry (rank-deficient covariance when n <= d, the KID
 * subset size lowered to the smaller set). When every metric is skipped no extractor is opened.
 *
 * @example
 * const f = await translationFeatures({ outputs, targets, extractor: 'mobilenet-v1-0.25', resamples: 200, seed: 0 });
 * f.metrics['fd']; // { value: 12.3, ci95: [10.9, 13.8], ... }
 */
export const TRANSLATION_FEATURE_METRICS = 'fd,kid,precision,recall';

/** What a translation run needs of the feature path. */
export interface TranslationFeatureOptions {
  /** Outputs as uint8 images (what the feature network reads). */
  readonly outputs: ImageBatchU8;
  /** Real images of the target domain. */
  readonly targets: ImageBatchU8;
  /** Extractor id (opened and disposed here) or an open extractor; default mobilenet-v1-0.75. */
  readonly extractor?: string | FeatureExtractor;
  /** Bootstrap resamples (0: no intervals). */
  readonly resamples: number;
  readonly seed: number;
  readonly batchSize?: number;
  /** Feature cache folder (default GENBENCH_HOME/features). */
  readonly cacheDir?: string;
  readonly progress?: Progress;
}

export interface TranslationFeatures {
  /** Entries of the metrics computed (none when every one was skipped). */
  readonly metrics: Record<string, MetricEntryValue>;
  /** Ids computed, in report order. */
  readonly ids: readonly string[];
  /** Parameters by metric group, for the recipe. */
  readonly params: Readonly<Record<string, MetricParams>>;
  /** Seeds of the stochastic metrics by group (recipe.seeds.metrics). */
  readonly seeds: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
  /** The extractor's recipe entry and engine, when one was opened. */
  readonly extractor?: { readonly recipe: Report['recipe']['extractor']; readonly engine: string; readonly id: string };
  readonly seconds: { readonly generated: number; readonly reference: number; readonly cached: boolean; readonly metrics: number; readonly intervals: number };
  readonly referenceStats?: { readonly seconds: number; readonly cached: boolean };
}

/**
 * Rows each side needs for a metric group's parameters: its descriptor's `minimumRows`, else 2 (see the module
 * comment).
 *
 * @example
 * minimumRows('prdc', { kPr: 3, kDc: 5 }); // 6
 */
export function minimumRows(group: string, params: MetricParams): number {
  return minimumOf(group)?.rows(params) ?? 2;
}

function minimumOf(group: string) {
  return [...METRICS.values()].find((d) => d.group === group)?.minimumRows;
}

export async function translationFeatures(o: TranslationFeatureOptions): Promise<TranslationFeatures> {
  const smaller = Math.min(o.outputs.n, o.targets.n);
  const warnings: string[] = [];
  const kept: string[] = [];
  for (const group of groupMetrics(parseMetricList(TRANSLATION_FEATURE_METRICS))) {
    const need = minimumRows(group[0]!.group, groupDefaults(group));
    if (smaller >= need) kept.push(...group.map((d) => d.id));
    else warnings.push(`${group.map((d) => d.id).join(', ')} skipped: ${o.outputs.n} outputs and ${o.targets.n} target images, but ${minimumOf(group[0]!.group)?.why ?? 'the metric needs more rows'}: at least ${need} on each side`);
  }
  const none = { metrics: {}, ids: [], params: {}, seeds: {}, warnings, seconds: { generated: 0, reference: 0, cached: false, metrics: 0, intervals: 0 } };
  if (kept.length === 0) return none;
  const prog = o.progress === undefined ? {} : { progress: o.progress };
  const fx = typeof o.extractor === 'object' ? o.extractor : await createExtractor(o.extractor ?? DEFAULT_EXTRACTOR, prog);
  try {
    return await run(o, fx, kept, warnings);
  } finally {
    if (typeof o.extractor !== 'object') await fx.dispose();
  }
}

async function run(o: TranslationFeatureOptions, fx: FeatureExtractor, ids: readonly string[], skipped: readonly string[]): Promise<TranslationFeatures> {
  const plan = planMetrics({ list: ids, fx, nGenerated: o.outputs.n, nReference: o.targets.n });
  const layers = planLayers(plan);
  const batch = o.batchSize === undefined ? {} : { batchSize: o.batchSize };
  const prog = o.progress === undefined ? {} : { progress: o.progress };
  let t = performance.now();
  const generated = await fx.extract(o.outputs, { layers, ...batch, ...prog });
  const generatedSeconds = since(t);
  t = performance.now();
  const cached = await extractCached(fx, o.targets, imagesInputs(o.targets), { layers, ...batch, ...prog, ...(o.cacheDir === undefined ? {} : { dir: o.cacheDir }) });
  const referenceSeconds = since(t);
  t = performance.now();
  const refStats = referenceStatsProvider(referenceStatsDir(o.cacheDir));
  const timing = { intervalSeconds: 0 };
  const reference = Object.fromEntries(Object.entries(cached).map(([k, v]) => [k, v.matrix]));
  const metrics = await runMetrics(plan, { generated, reference }, { ...(o.resamples > 0 ? { bootstrap: { resamples: o.resamples, seed: o.seed } } : {}), ...prog, referenceStats: refStats.get, timing });
  const metricsSeconds = since(t);
  const small = sampleWarnings({
    nGenerated: o.outputs.n,
    nReference: o.targets.n,
    referenceAvailable: o.targets.n,
    featureDim: generated[plan.layers.features]!.cols,
    fd: metrics['fd'],
    metrics: plan.ids,
    labels: 'none',
    generatedShape: o.outputs,
    referenceShape: o.targets,
    nName: 'the number of images scored',
  });
  const seeds: Record<string, number> = {};
  for (const [group, p] of Object.entries(plan.params)) if (typeof p['seed'] === 'number') seeds[group] = p['seed'];
  const log = refStats.log();
  return {
    metrics,
    ids: plan.ids,
    params: plan.params,
    seeds,
    warnings: [...skipped, ...plan.warnings, ...small],
    extractor: {
      id: fx.id,
      engine: fx.engine,
      recipe: { id: fx.keyId, weightsSha256: fx.weightsSha256, layers: { features: plan.layers.features }, preprocessing: { ...fx.preprocessing }, ...(fx.info === undefined ? {} : { info: { ...fx.info } }) },
    },
    seconds: { generated: generatedSeconds, reference: referenceSeconds, cached: Object.values(cached).every((c) => c.hit), metrics: metricsSeconds, intervals: Math.round(timing.intervalSeconds * 1000) / 1000 },
    ...(log.entries.length === 0 ? {} : { referenceStats: { seconds: log.seconds, cached: log.entries.every((e) => e.hit) } }),
  };
}

function since(t: number): number {
  return Math.round(performance.now() - t) / 1000;
}
