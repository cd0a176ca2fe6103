import { getMetric } from '../../metrics/index.js';
import { activeBackend, initBackend } from '../backend/index.js';
import { resizeOf } from '../data/image-folder.js';
import { openDataset } from '../data/index.js';
import type { ResizeSpec } from '../io/image-codec.js';
import { parseSplitExpr } from '../data/split-spec.js';
import { GenbenchError } from '../errors.js';
import { createExtractor, DEFAULT_EXTRACTOR } from '../features/index.js';
import { datasetInputs, extractCached, imagesInputs, type FeatureInputs } from '../features/cache.js';
import type { FeatureExtractor } from '../features/types.js';
import type { ImageBatchU8 } from '../io/image.js';
import { takeRows, type Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { Rng } from '../rng.js';
import { VERSION } from '../version.js';
import { CORRUPTIONS, type Corrupted, type CorruptionSpec } from './corruptions.js';
import { checkMetricNames, planLayers, planMetrics, type MetricPlan } from './metric-plan.js';
import { runMetrics } from './run-metrics.js';
import { sanityRows, sanitySeeds, sanitySplit, type RowCounts, type SanityRows } from './sanity-rows.js';
import { uninformativeMetrics } from './sanity-notes.js';
import { markUninformative, trendOverSeeds, type MetricTrend } from './trend.js';

/**
 * The metric sanity suite: real held-out images play "generated" against a disjoint set of real reference images,
 * then known corruptions (corruptions.ts) are applied at increasing strength; for every metric and corruption the
 * values per strength and their trend are reported. It tells a user which metric to trust for which failure (e.g.
 * FD detects noise but not the copying of training images).
 *
 * Seeds: the run repeats everything for `seeds` run seeds derived from `seed` (sanity-rows.ts). Each run seed draws
 * its own three disjoint random row sets of the split, `split~S[0:r]` reference, `split~S[r:r+n]` generated
 * (held-out, corrupted) and `split~S[r+n:r+2n]` training (copied by the memorisation corruption only, never the
 * reference), and seeds the corruptions. The trend (trend.ts) is the mean Spearman rho over run seeds with a
 * Student-t interval from their spread; a verdict is given only when that interval excludes 0. The intervals are
 * 95% simultaneous over the run's m verdicts (Bonferroni: each at 1 - 0.05 / m): a table of ~30 verdicts at 95%
 * each would call one or two null trends significant on most runs, so verdicts would flip with the seed (measured on
 * MNIST, n 128, mobilenet-v1-0.25, pairs of 5-seed runs resampled from 40 run seeds: two runs disagreed on at least
 * one of 30 verdicts 68% of the time at 95% each, 11% with the simultaneous intervals). Metrics that cannot be read on this
 * extractor and dataset (sanity-notes.ts: IS from ImageNet classes on grayscale images) are marked `uninformative`
 * with the reason instead, and are not in the family.
 *
 * Features: the row sets go through the feature cache by split expression; selection corruptions reuse the
 * features of the images they pick; pixel corruptions are extracted (cached by pixel content), so a rerun is fast.
 *
 * @example
 * const r = await sanity({ dataset: 'mnist', n: 256, extractor: 'mobilenet-v1-0.25' });
 * r.corruptions.find((c) => c.id === 'noise')!.metrics['fd'];
 * // { values: [2.1, 3.0, 9.8, 41.7], spearman: { mean: 1, ci95: [1, 1], perSeed: [1, 1, 1, 1, 1] }, verdict: 'detects', ... }
 */
export interface SanityOptions {
  readonly dataset: string;
  /** Split (a bare name) to draw the row sets from (default: test; the largest split when test is too small). */
  readonly split?: string;
  readonly extractor?: string | FeatureExtractor;
  /** Held-out images playing "generated" (default 256); as many training rows are drawn for memorisation. */
  readonly n?: number;
  /** Reference images (default n). */
  readonly referenceN?: number;
  readonly metrics?: string | readonly string[];
  /** Base seed (default 0): the run seeds derive from it. */
  readonly seed?: number;
  /** Run seeds per strength (default 5, at least 2). */
  readonly seeds?: number;
  /** Corruption ids (default all). */
  readonly corruptions?: readonly string[];
  readonly batchSize?: number;
  readonly backend?: string;
  readonly cacheDir?: string;
  /** Resize every image of an image-folder dataset (recorded in dataset.preprocessing and the feature cache keys). */
  readonly resize?: ResizeSpec;
  readonly progress?: Progress;
}

export const SANITY_SCHEMA = 'genbench.sanity/v2';
export const SANITY_DEFAULT_N = 256;
export const SANITY_DEFAULT_SEEDS = 5;
/** Family-wise coverage of the trend intervals of one run (Bonferroni over its verdicts). */
export const SANITY_LEVEL = 0.95;

export interface CorruptionResult {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly strengths: readonly number[];
  readonly skipped?: string;
  readonly metrics: Readonly<Record<string, MetricTrend>>;
}

/** One run seed's row sets, as split expressions. */
export interface SanityRun {
  readonly seed: number;
  readonly reference: string;
  readonly generated: string;
  readonly training?: string;
}

export interface SanityResult {
  readonly schema: typeof SANITY_SCHEMA;
  readonly created: string;
  /** `preprocessing`: the resize applied while reading an image folder, when one was. */
  readonly dataset: { readonly name: string; readonly split: string; readonly runs: readonly SanityRun[]; readonly preprocessing?: Readonly<Record<string, string>> };
  readonly recipe: {
    readonly extractor: { readonly id: string; readonly weightsSha256: string; readonly layers: readonly string[] };
    readonly n: { readonly generated: number; readonly reference: number; readonly training: number };
    /** How the three disjoint row sets are drawn. */
    readonly rows: string;
    readonly seed: number;
    readonly seeds: readonly number[];
    readonly trend: {
      readonly statistic: string;
      readonly interval: string;
      /** Family-wise coverage of all the run's intervals together. */
      readonly level: number;
      /** Trends that get a verdict (not skipped, not uninformative): the Bonferroni family. */
      readonly verdicts: number;
      /** Coverage of each interval: 1 - (1 - level) / verdicts. */
      readonly perTrendLevel: number;
      readonly verdict: string;
    };
    readonly metrics: readonly string[];
    readonly params: Readonly<Record<string, unknown>>;
    readonly genbench: string;
    readonly backend: { readonly tfjs: string | null; readonly extractor: string };
  };
  readonly corruptions: readonly CorruptionResult[];
  /** Metrics marked uninformative, with the reason (also in each of their trends). */
  readonly notes: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
  readonly seconds: number;
}

type Features = Record<string, Matrix>;
/** values[corruption][metric][run seed][strength] */
type Values = Record<string, Record<string, (number | null)[][]>>;

export async function sanity(opts: SanityOptions): Promise<SanityResult> {
  const started = performance.now();
  const n = opts.n ?? SANITY_DEFAULT_N;
  const referenceN = opts.referenceN ?? n;
  for (const [name, v] of [['n', n], ['reference-n', referenceN]] as const) {
    if (!Number.isInteger(v) || v < 2) throw new GenbenchError('USAGE', `--${name}: must be an integer >= 2, got ${v}`);
  }
  const seed = opts.seed ?? 0;
  const seeds = sanitySeeds(seed, opts.seeds ?? SANITY_DEFAULT_SEEDS);
  const specs = pickCorruptions(opts.corruptions);
  const trainingN = specs.some((s) => s.id === 'memorise') ? n : 0;
  checkMetricNames(opts.metrics);
  if (opts.backend !== undefined) await initBackend(opts.backend);
  const ds = await openDataset(opts.dataset, opts.resize === undefined ? {} : { resize: opts.resize });
  const counts = { reference: referenceN, generated: n, training: trainingN };
  const split = opts.split ?? sanitySplit(ds.splits, counts.reference + counts.generated + counts.training);
  const e = parseSplitExpr(split);
  if (e.shuffle !== undefined || e.start !== undefined || e.stop !== undefined) {
    throw new GenbenchError('USAGE', `--split '${split}': give a split name such as ${e.name}; the row sets are seeded random partitions of the whole split (${e.name}~S[0:r] and on)`);
  }
  const full = await ds.load(split, opts.progress === undefined ? {} : { progress: opts.progress });
  sanityRows(full, seeds[0]!, counts); // size check before the extractor loads
  const fx = typeof opts.extractor === 'object' ? opts.extractor : await createExtractor(opts.extractor ?? DEFAULT_EXTRACTOR);
  try {
    const plan = planMetrics({ fx, nGenerated: n, nReference: referenceN, ...(opts.metrics === undefined ? {} : { list: opts.metrics }) });
    const extract = (images: ImageBatchU8, inputs: FeatureInputs) => extractLayers(fx, plan, images, inputs, opts);
    const values: Values = Object.fromEntries(specs.map((s) => [s.id, Object.fromEntries(plan.ids.map((id) => [id, [] as (number | null)[][]]))]));
    const runs: SanityRun[] = [];
    for (const s of seeds) {
      const rows = sanityRows(full, s, counts);
      runs.push({ seed: s, reference: rows.reference.split, generated: rows.generated.split, ...(rows.training ? { training: rows.training.split } : {}) });
      await runSeed({ rows, specs, plan, extract, dataset: ds.name }, values);
    }
    const notes = plan.ids.includes('is') ? uninformativeMetrics({ fx, images: full.images, ...(full.labels ? { labels: full.labels } : {}), dataset: ds.name }) : {};
    const ran = specs.filter((spec) => !(spec.needsLabels && full.labels === undefined));
    const verdicts = Math.max(1, ran.length * plan.ids.filter((id) => notes[id] === undefined).length);
    const level = 1 - (1 - SANITY_LEVEL) / verdicts;
    const corruptions = specs.map((spec): CorruptionResult => {
      const head = { id: spec.id, title: spec.title, unit: spec.unit, strengths: spec.levels };
      if (spec.needsLabels && full.labels === undefined) return { ...head, skipped: `dataset '${ds.name}' has no labels`, metrics: {} };
      const metrics = Object.fromEntries(
        plan.ids.map((id) => {
          const t = trendOverSeeds(spec.levels, values[spec.id]![id]!, higherIsBetter(id), { level });
          return [id, notes[id] === undefined ? t : markUninformative(t, notes[id])];
        }),
      );
      return { ...head, metrics };
    });
    const resized = resizeOf(full.source.preprocessing);
    return {
      schema: SANITY_SCHEMA,
      created: new Date().toISOString(),
      dataset: { name: ds.name, split: full.split, runs, ...(resized === undefined ? {} : { preprocessing: resized }) },
      recipe: recipeOf(fx, plan, counts, seed, seeds, { verdicts, level }),
      corruptions,
      notes: Object.fromEntries(Object.entries(notes).filter(([id]) => plan.ids.includes(id))),
      warnings: plan.warnings,
      seconds: Math.round(performance.now() - started) / 1000,
    };
  } finally {
    if (typeof opts.extractor !== 'object') await fx.dispose();
  }
}

interface SeedJob {
  readonly rows: SanityRows;
  readonly specs: readonly CorruptionSpec[];
  readonly plan: MetricPlan;
  readonly extract: (images: ImageBatchU8, inputs: FeatureInputs) => Promise<Features>;
  readonly dataset: string;
}

/** One run seed: features of its row sets, every corruption at every strength, metric values appended to `values`. */
async function runSeed(job: SeedJob, values: Values): Promise<void> {
  const { rows, plan, extract, dataset } = job;
  const held = rows.generated;
  const refF = await extract(rows.reference.images, datasetInputs(dataset, rows.reference));
  const heldF = await extract(held.images, datasetInputs(dataset, held));
  const trainF = rows.training === undefined ? undefined : await extract(rows.training.images, datasetInputs(dataset, rows.training));
  for (const spec of job.specs) {
    if (spec.needsLabels && held.labels === undefined) continue;
    const perLevel: Record<string, (number | null)[]> = Object.fromEntries(plan.ids.map((id) => [id, []]));
    for (const s of spec.levels) {
      const input = { images: held.images, ...(held.labels ? { labels: held.labels } : {}), ...(rows.training ? { training: rows.training.images } : {}) };
      const out = spec.apply(input, s, new Rng(rows.seed).fork(spec.id));
      const feats = s === 0 && out.picks === undefined ? heldF : out.picks ? pickedFeatures(out, heldF, trainF) : await extract(out.images, imagesInputs(out.images));
      const m = await runMetrics(plan, { generated: feats, reference: refF });
      for (const id of plan.ids) perLevel[id]!.push(m[id]?.value ?? null);
    }
    for (const id of plan.ids) values[spec.id]![id]!.push(perLevel[id]!);
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

async function extractLayers(fx: FeatureExtractor, plan: MetricPlan, images: ImageBatchU8, inputs: FeatureInputs, o: SanityOptions): Promise<Features> {
  const r = await extractCached(fx, images, inputs, {
    layers: planLayers(plan),
    ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
    ...(o.progress === undefined ? {} : { progress: o.progress }),
    ...(o.cacheDir === undefined ? {} : { dir: o.cacheDir }),
  });
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.matrix]));
}

/** Features of a selection corruption's output: the rows of the images it picked (held-out or training). */
function pickedFeatures(out: Corrupted, held: Features, training: Features | undefined): Features {
  const { source, index } = out.picks!;
  if (training === undefined && source.some((v) => v === 1)) throw new Error('sanity: a corruption picked training images, but no training rows were drawn');
  const result: Features = {};
  for (const [layer, h] of Object.entries(held)) {
    const r = training?.[layer] ?? { rows: 0, cols: h.cols, data: new Float64Array(0) };
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
  return getMetric(id).higherIsBetter;
}

function recipeOf(fx: FeatureExtractor, plan: MetricPlan, counts: RowCounts, seed: number, seeds: readonly number[], family: { verdicts: number; level: number }): SanityResult['recipe'] {
  const { reference: r, generated: n, training: t } = counts;
  return {
    extractor: { id: fx.keyId, weightsSha256: fx.weightsSha256, layers: planLayers(plan) },
    n: { generated: n, reference: r, training: t },
    rows:
      `per run seed S, disjoint seeded random rows of the split: reference split~S[0:${r}], generated (held out, corrupted) split~S[${r}:${r + n}]` +
      (t > 0 ? `, training (copied by memorise) split~S[${r + n}:${r + n + t}]` : ''),
    seed,
    seeds,
    trend: {
      statistic: 'Spearman rho of metric vs strength, per run seed',
      interval: 'mean over run seeds +- Student t(seeds - 1) x sd / sqrt(seeds), clipped to [-1, 1]; Bonferroni: each at 1 - 0.05 / verdicts, so all hold together with 95%',
      level: SANITY_LEVEL,
      verdicts: family.verdicts,
      perTrendLevel: family.level,
      verdict: 'detects: interval on the expected side of 0; inverted: on the other side; else no signal',
    },
    metrics: plan.ids,
    params: plan.params,
    genbench: VERSION,
    backend: { tfjs: activeBackend()?.name ?? null, extractor: fx.engine },
  };
}
