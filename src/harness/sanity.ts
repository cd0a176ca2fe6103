import { getMetric } from '../../metrics/index.js';
import { activeBackend, initBackend } from '../backend/index.js';
import { openDataset } from '../data/index.js';
import type { DatasetSplit } from '../data/types.js';
import { GenbenchError } from '../errors.js';
import { createExtractor, DEFAULT_EXTRACTOR } from '../features/index.js';
import { datasetInputs, extractCached, imagesInputs, type FeatureInputs } from '../features/cache.js';
import type { FeatureExtractor } from '../features/types.js';
import { sliceImages, type ImageBatchU8 } from '../io/image.js';
import { takeRows, type Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { Rng } from '../rng.js';
import { VERSION } from '../version.js';
import { CORRUPTIONS, type Corrupted, type CorruptionSpec } from './corruptions.js';
import { checkMetricNames, DISC_METRIC, planLayers, planMetrics, type MetricPlan } from './metric-plan.js';
import { runMetrics } from './run-metrics.js';
import { metricTrend, type MetricTrend } from './trend.js';

/**
 * The metric sanity suite: real held-out images play "generated" against a disjoint set of real reference images,
 * then known corruptions (corruptions.ts) are applied at increasing strength; for every metric and corruption the
 * values per strength and their trend (trend.ts: Spearman rho, monotonicity, verdict) are reported. It tells a user
 * which metric to trust for which failure (e.g. FD detects noise but improves under memorisation).
 *
 * Images: the reference is the first `referenceN` images of the split, the held-out "generated" set its last `n`
 * (disjoint; both go through the feature cache by split expression). Selection corruptions reuse features of the
 * images they pick; pixel corruptions are extracted (cached by pixel content), so a rerun is fast.
 *
 * @example
 * const r = await sanity({ dataset: 'mnist', n: 256, extractor: 'mobilenet-v1-0.25' });
 * r.corruptions.find((c) => c.id === 'noise')!.metrics['fd'];  // { values: [2.1, 3.0, 9.8, 41.7], spearman: 1, verdict: 'detects', ... }
 */
export interface SanityOptions {
  readonly dataset: string;
  /** Split to draw both sets from (default: test, else the last split). */
  readonly split?: string;
  readonly extractor?: string | FeatureExtractor;
  /** Held-out images playing "generated" (default 256). */
  readonly n?: number;
  /** Reference images (default n). */
  readonly referenceN?: number;
  readonly metrics?: string | readonly string[];
  /** Seed of the corruptions (default 0). */
  readonly seed?: number;
  /** Corruption ids (default all). */
  readonly corruptions?: readonly string[];
  readonly batchSize?: number;
  readonly backend?: string;
  readonly cacheDir?: string;
  readonly progress?: Progress;
}

export const SANITY_SCHEMA = 'genbench.sanity/v1';
export const SANITY_DEFAULT_N = 256;

export interface CorruptionResult {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly strengths: readonly number[];
  readonly skipped?: string;
  readonly metrics: Readonly<Record<string, MetricTrend>>;
}

export interface SanityResult {
  readonly schema: typeof SANITY_SCHEMA;
  readonly created: string;
  readonly dataset: { readonly name: string; readonly generated: string; readonly reference: string };
  readonly recipe: {
    readonly extractor: { readonly id: string; readonly weightsSha256: string; readonly layers: readonly string[] };
    readonly n: { readonly generated: number; readonly reference: number };
    readonly seed: number;
    readonly metrics: readonly string[];
    readonly params: Readonly<Record<string, unknown>>;
    readonly genbench: string;
    readonly backend: { readonly tfjs: string | null; readonly extractor: string };
  };
  readonly corruptions: readonly CorruptionResult[];
  readonly warnings: readonly string[];
  readonly seconds: number;
}

type Features = Record<string, Matrix>;

export async function sanity(opts: SanityOptions): Promise<SanityResult> {
  const started = performance.now();
  const n = opts.n ?? SANITY_DEFAULT_N;
  const referenceN = opts.referenceN ?? n;
  for (const [name, v] of [['n', n], ['reference-n', referenceN]] as const) {
    if (!Number.isInteger(v) || v < 2) throw new GenbenchError('USAGE', `--${name}: must be an integer >= 2, got ${v}`);
  }
  const specs = pickCorruptions(opts.corruptions);
  checkMetricNames(opts.metrics);
  if (opts.backend !== undefined) await initBackend(opts.backend);
  const ds = await openDataset(opts.dataset);
  const split = opts.split ?? ds.splits.find((s) => s.name === 'test')?.name ?? ds.splits[ds.splits.length - 1]!.name;
  const full = await ds.load(split, opts.progress === undefined ? {} : { progress: opts.progress });
  if (n + referenceN > full.images.n) {
    throw new GenbenchError('USAGE', `split '${full.split}' has ${full.images.n} images, fewer than --n ${n} + --reference-n ${referenceN}; lower them or pick a larger --split`);
  }
  const reference = subSplit(full, 0, referenceN);
  const held = subSplit(full, full.images.n - n, full.images.n);
  const fx = typeof opts.extractor === 'object' ? opts.extractor : await createExtractor(opts.extractor ?? DEFAULT_EXTRACTOR);
  try {
    const plan = planMetrics({ fx, nGenerated: n, nReference: referenceN, ...(opts.metrics === undefined ? {} : { list: opts.metrics }) });
    const extract = (images: ImageBatchU8, inputs: FeatureInputs) => extractLayers(fx, plan, images, inputs, opts);
    const refF = await extract(reference.images, datasetInputs(ds.name, reference));
    const heldF = await extract(held.images, datasetInputs(ds.name, held));
    const seed = opts.seed ?? 0;
    const corruptions: CorruptionResult[] = [];
    for (const spec of specs) {
      if (spec.needsLabels && held.labels === undefined) {
        corruptions.push({ id: spec.id, title: spec.title, unit: spec.unit, strengths: spec.levels, skipped: `dataset '${ds.name}' has no labels`, metrics: {} });
        continue;
      }
      const values: Record<string, (number | null)[]> = Object.fromEntries(plan.ids.map((id) => [id, []]));
      for (const s of spec.levels) {
        const out = spec.apply({ images: held.images, ...(held.labels ? { labels: held.labels } : {}), training: reference.images }, s, new Rng(seed).fork(spec.id));
        const feats = s === 0 && out.picks === undefined ? heldF : out.picks ? pickedFeatures(out, heldF, refF) : await extract(out.images, imagesInputs(out.images));
        const m = await runMetrics(plan, { generated: feats, reference: refF });
        for (const id of plan.ids) values[id]!.push(m[id]?.value ?? null);
      }
      const metrics = Object.fromEntries(plan.ids.map((id) => [id, metricTrend(spec.levels, values[id]!, higherIsBetter(id))]));
      corruptions.push({ id: spec.id, title: spec.title, unit: spec.unit, strengths: spec.levels, metrics });
    }
    return {
      schema: SANITY_SCHEMA,
      created: new Date().toISOString(),
      dataset: { name: ds.name, generated: held.split, reference: reference.split },
      recipe: recipeOf(fx, plan, n, referenceN, seed),
      corruptions,
      warnings: plan.warnings,
      seconds: Math.round(performance.now() - started) / 1000,
    };
  } finally {
    if (typeof opts.extractor !== 'object') await fx.dispose();
  }
}

function pickCorruptions(ids: readonly string[] | undefined): CorruptionSpec[] {
  if (ids === undefined) return [...CORRUPTIONS.values()];
  return ids.map((id) => {
    const c = CORRUPTIONS.get(id);
    if (c === undefined) throw new GenbenchError('USAGE', `unknown corruption '${id}'; valid: ${[...CORRUPTIONS.keys()].join(', ')}`);
    return c;
  });
}

/** Rows [from, to) of a loaded split, named by an exact split expression (so the feature cache can key on it). */
function subSplit(full: DatasetSplit, from: number, to: number): DatasetSplit {
  const m = /^(.*?)(?:\[(\d+):(\d+)\])?$/.exec(full.split)!;
  const base = m[2] === undefined ? 0 : Number(m[2]);
  return {
    images: sliceImages(full.images, from, to),
    ...(full.labels === undefined ? {} : { labels: full.labels.slice(from, to) }),
    split: `${m[1]}[${base + from}:${base + to}]`,
    source: full.source,
  };
}

async function extractLayers(fx: FeatureExtractor, plan: MetricPlan, images: ImageBatchU8, inputs: FeatureInputs, o: SanityOptions): Promise<Features> {
  const r = await extractCached(fx, images, inputs, {
    layers: planLayers(plan),
    ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.cacheDir === undefined ? {} : { dir: o.cacheDir }),
  });
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.matrix]));
}

/** Features of a selection corruption's output: the rows of the images it picked (held-out or reference). */
function pickedFeatures(out: Corrupted, held: Features, ref: Features): Features {
  const { source, index } = out.picks!;
  const result: Features = {};
  for (const [layer, h] of Object.entries(held)) {
    const r = ref[layer]!;
    const rows = Int32Array.from(index, (j, i) => (source[i] === 1 ? h.rows + j : j));
    result[layer] = takeRows({ rows: h.rows + r.rows, cols: h.cols, data: concat(h.data, r.data) }, rows);
  }
  return result;
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function higherIsBetter(id: string): boolean {
  return id === DISC_METRIC ? false : getMetric(id).higherIsBetter;
}

function recipeOf(fx: FeatureExtractor, plan: MetricPlan, n: number, referenceN: number, seed: number): SanityResult['recipe'] {
  return {
    extractor: { id: fx.keyId, weightsSha256: fx.weightsSha256, layers: planLayers(plan) },
    n: { generated: n, reference: referenceN },
    seed,
    metrics: plan.ids,
    params: plan.params,
    genbench: VERSION,
    backend: { tfjs: activeBackend()?.name ?? null, extractor: fx.engine },
  };
}
