import { resolve } from 'node:path';
import { activeBackend, initBackend } from '../backend/index.js';
import { openDataset } from '../data/index.js';
import type { Dataset, DatasetSplit } from '../data/types.js';
import { GenbenchError } from '../errors.js';
import { createExtractor, DEFAULT_EXTRACTOR } from '../features/index.js';
import { datasetInputs, extractCached, imagesInputs } from '../features/cache.js';
import { referenceStatsDir, referenceStatsProvider, type ReferenceStatsLog } from '../features/stats-cache.js';
import type { FeatureExtractor } from '../features/types.js';
import { resizeOf } from '../data/image-folder.js';
import { loadImageSet, type ImageSet } from '../data/image-set.js';
import type { ResizeSpec } from '../io/image-codec.js';
import { sliceImages, type ValueRange } from '../io/image.js';
import { writeGridPng } from '../io/png.js';
import { REPORT_SCHEMA, type Report } from '../io/report.js';
import { memorizationVerdict } from '../memorization/verdict.js';
import { loadGenerator } from '../models/load.js';
import type { Generator } from '../models/types.js';
import type { Progress } from '../progress.js';
import { VERSION } from '../version.js';
import { checkMetricNames, planLayers, planMetrics, type MetricPlan } from './metric-plan.js';
import { BOOTSTRAP_DEFAULTS, fixedReferenceInterval, RECENTRED_METHOD } from '../../metrics/bootstrap.js';
import type { GaussianStats } from '../../metrics/fd.js';
import type { Matrix } from '../linalg/matrix.js';
import { defaultSplit, loadReference, trainingOverlapWarning, trainingSplit, type ReferenceSelection } from './reference.js';

const BOOTSTRAP_METHOD = `${RECENTRED_METHOD}, or normal from the variance for fd, fd_inf, precision and density (each metric's ciMethod): both sets resampled: random halves without replacement for the k-NN metrics (radii recomputed per half; precision and density by the law of total variance), FD (variance from halves and their complements), KID (variance extrapolated from halves and nested quarters), with replacement for IS (docs/uncertainty.md)`;
import { generatorSource, imageSetSource, type ImageSource } from './image-source.js';
import { runMetrics, type MetricEntryValue } from './run-metrics.js';
import { intervalWarnings, sampleWarnings } from './warnings.js';

/**
 * `evaluate()`: sample -> features -> metrics -> report. Samples the generator in batches and quantises to 8 bits
 * (toUint8: the same quantisation real images have), extracts features of the generated images and of the
 * reference split (reference features through the content-addressed feature cache, so a second run reuses them),
 * computes every planned metric (metric-plan.ts, run-metrics.ts) with optional bootstrap intervals (the reference's
 * mean, covariance and k-NN radii of the point values through the reference-statistics cache, features/stats-cache.ts,
 * beside the feature cache: the same numbers, computed once per reference rows), times each
 * stage, collects warnings, writes a PNG grid of the first 64 samples scored when `grid` is given, and returns the
 * `genbench.report/v1` object (io/report.ts). Paths given for the generator or extractor are opened and released
 * here; objects passed in are left open. With `generated` instead of a generator, the first n of those images are
 * scored as they are (image-source.ts), with the same reference, metrics, intervals, grid and memorisation checks.
 *
 * @example
 * const report = await evaluate({ generator: 'subs/mnist-dcgan.onnx', dataset: 'mnist', split: 'test', n: 1000 });
 * report.metrics['fd']?.value;                  // 38.7
 * report.timings.featuresReference.cached;      // true on a second run
 */
export interface EvaluateOptions {
  /** Checkpoint path (opened and disposed here) or a loaded Generator. */
  readonly generator: string | Generator;
  /** Built-in dataset name, image folder or .npz path. */
  readonly dataset: string;
  /** Reference split expression; default: see reference.ts defaultSplit (held out from the model's training rows). */
  readonly split?: string;
  /** Generated samples to score. */
  readonly n: number;
  /** Reference images: a seeded random subset of the split (reference.ts); default min(n, split size). */
  readonly referenceN?: number;
  /** Seed of the reference subset (default: the sampling seed, so runs with other seeds re-draw the reference too). */
  readonly referenceSeed?: number;
  /** Extractor id (created and disposed here) or an open extractor; default mobilenet-v1-0.75. */
  readonly extractor?: string | FeatureExtractor;
  /** Metric ids (comma-separated or a list); default: metric-plan.ts. */
  readonly metrics?: string | readonly string[];
  /** Sampling seed (latents), default 0; also the bootstrap seed. */
  readonly seed?: number;
  /** Bootstrap resamples for the ci95 of every metric (default 200; 0: no intervals). */
  readonly bootstrap?: number;
  /** Images per forward pass for the generator and the extractor (default: each one's own). */
  readonly batchSize?: number;
  /** tfjs backend to pin (node-gpu, node, wasm, cpu). */
  readonly backend?: string;
  /** Where to write the PNG grid of the first 64 samples scored. */
  readonly grid?: string;
  /** Feature cache folder (default GENBENCH_HOME/features). */
  readonly cacheDir?: string;
  /**
   * Resize every image of each image folder read (the dataset when it is one; for evaluateImages also a folder or
   * .zip of generated images): needed when their sizes differ; recorded in recipe.preprocessing and, for the
   * reference, in the feature cache key.
   */
  readonly resize?: ResizeSpec;
  /**
   * Training split of the model: adds the memorisation checks (feature space, src/memorization) to the metrics.
   * Default: the split the generator's manifest names (`dataset` + `train_split`); `false` skips the checks.
   */
  readonly trainSplit?: string | false;
  /**
   * The reference as statistics instead of rows: a `genbench stats` file (mean, covariance, count) of the same
   * extractor and layer. Only FD (and IS, which reads no reference) can be computed from it; FD's interval covers
   * the generated sampling alone (a statistics file has no rows to resample), and the memorisation checks, which
   * need reference rows, do not run.
   */
  readonly referenceStats?: string;
  readonly progress?: Progress;
}

export async function evaluate(opts: EvaluateOptions): Promise<Report> {
  checkOptions(opts);
  checkMetricNames(opts.metrics);
  const started = performance.now();
  if (opts.backend !== undefined) await initBackend(opts.backend);
  const ds = await openDataset(opts.dataset, folderOptions(opts));
  const g = typeof opts.generator === 'string' ? await loadGenerator(opts.generator, opts.backend === undefined ? {} : { backend: opts.backend }) : opts.generator;
  try {
    return await withExtractor(opts, (fx) => run(opts, ds, generatorSource(g), fx, started));
  } finally {
    if (typeof opts.generator === 'string') g.dispose();
  }
}

/**
 * Options of `evaluateImages()`: those of `evaluate()` with a set of images in place of the generator.
 */
export interface EvaluateImagesOptions extends Omit<EvaluateOptions, 'generator' | 'n'> {
  /** A folder of PNG/JPEG files, a .zip of them, a .npy or a .npz (data/image-set.ts), or a loaded set. */
  readonly generated: string | ImageSet;
  /** Value range of float arrays (uint8 arrays and image files need none). */
  readonly generatedRange?: ValueRange;
  /** Images to score: the first n of the set (default all of them). */
  readonly n?: number;
}

/**
 * `evaluate()` for images given as they are (no checkpoint): the first n images of the set are scored with the
 * same reference, metrics, intervals, grid and (with `trainSplit`) memorisation checks; the report's `model`
 * describes the set (format 'images', sha256 of its files).
 *
 * @example
 * const report = await evaluateImages({ generated: 'samples.npy', dataset: 'mnist', split: 'test[8000:]' });
 * report.model.format; // 'images'
 */
export async function evaluateImages(opts: EvaluateImagesOptions): Promise<Report> {
  checkOptions({ ...opts, generator: '', n: opts.n ?? 2 });
  checkMetricNames(opts.metrics);
  const started = performance.now();
  if (opts.backend !== undefined) await initBackend(opts.backend);
  const ds = await openDataset(opts.dataset, folderOptions(opts));
  const set = typeof opts.generated === 'string' ? await loadImageSet(opts.generated, { ...(opts.generatedRange === undefined ? {} : { range: opts.generatedRange }), ...folderOptions(opts) }) : opts.generated;
  const n = opts.n ?? set.images.n;
  if (n > set.images.n) throw new GenbenchError('USAGE', `--n ${n}: ${set.path} holds ${set.images.n} images; pass --n ${set.images.n} or fewer`);
  const src = imageSetSource(set, ds, opts.trainSplit === false ? undefined : opts.trainSplit);
  return withExtractor(opts, (fx) => run({ ...opts, generator: '', n }, ds, src, fx, started));
}

function folderOptions(opts: Pick<EvaluateOptions, 'resize'>): { resize?: ResizeSpec } {
  return opts.resize === undefined ? {} : { resize: opts.resize };
}

async function withExtractor<T>(opts: Pick<EvaluateOptions, 'extractor' | 'progress'>, f: (fx: FeatureExtractor) => Promise<T>): Promise<T> {
  let fx: FeatureExtractor | undefined;
  try {
    fx = typeof opts.extractor === 'object' ? opts.extractor : await createExtractor(opts.extractor ?? DEFAULT_EXTRACTOR, opts.progress === undefined ? {} : { progress: opts.progress });
    return await f(fx);
  } finally {
    if (fx !== undefined && typeof opts.extractor !== 'object') await fx.dispose();
  }
}

function checkOptions(o: EvaluateOptions): void {
  const int = (name: string, v: number | undefined, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new GenbenchError('USAGE', `--${name}: must be an integer >= ${min}, got ${v}`);
  };
  int('n', o.n, 2);
  int('reference-n', o.referenceN, 2);
  int('seed', o.seed, 0);
  int('bootstrap', o.bootstrap, 0);
  int('batch-size', o.batchSize, 1);
  if (o.bootstrap === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (none) or at least 2 resamples, e.g. 200');
  if (o.seed !== undefined && o.seed > 0xffffffff) throw new GenbenchError('USAGE', `--seed: must be < 2^32, got ${o.seed}`);
}

async function run(opts: EvaluateOptions, ds: Dataset, g: ImageSource, fx: FeatureExtractor, started: number): Promise<Report> {
  if (opts.referenceStats !== undefined) return runAgainstStats({ ...opts, referenceStats: opts.referenceStats }, ds, g, fx, started);
  const seed = opts.seed ?? 0;
  const progress = opts.progress;
  const split = opts.split ?? defaultSplit(ds, g.training);
  const referenceSeed = opts.referenceSeed ?? seed;
  const { reference, available, selection } = await loadReference(ds, split, opts.referenceN ?? opts.n, referenceSeed, progress);
  const trainSplit = opts.trainSplit === false ? undefined : (opts.trainSplit ?? trainingSplit(ds, g.training));
  const plan = planMetrics({ fx, nGenerated: opts.n, nReference: reference.images.n, ...(opts.metrics === undefined ? {} : { list: opts.metrics }) });
  const layers = planLayers(plan);
  const batch = opts.batchSize === undefined ? {} : { batchSize: opts.batchSize };
  const prog = progress === undefined ? {} : { progress };

  const labels = samplingLabels(g, reference, opts.n);
  let t = performance.now();
  const images = await g.images({ n: opts.n, seed, ...batch, ...prog, ...(labels.labels ? { labels: labels.labels } : {}) });
  const sampleSeconds = since(t);
  if (opts.grid !== undefined) await writeGridPng(opts.grid, sliceImages(images, 0, Math.min(64, images.n)));

  t = performance.now();
  const generated = await fx.extract(images, { layers, ...batch, ...prog });
  const generatedSeconds = since(t);
  t = performance.now();
  const cached = await extractCached(fx, reference.images, datasetInputs(ds.name, reference), { layers, ...batch, ...prog, ...(opts.cacheDir ? { dir: opts.cacheDir } : {}) });
  const referenceSeconds = since(t);
  t = performance.now();
  const refFeatures = Object.fromEntries(Object.entries(cached).map(([k, v]) => [k, v.matrix]));
  const resamples = opts.bootstrap ?? BOOTSTRAP_DEFAULTS.resamples;
  const bootstrap = resamples > 0 ? { resamples, seed } : undefined;
  const refStats = referenceStatsProvider(referenceStatsDir(opts.cacheDir));
  const timing = { intervalSeconds: 0 };
  const metrics = await runMetrics(plan, { generated, reference: refFeatures }, { ...(bootstrap ? { bootstrap } : {}), ...prog, referenceStats: refStats.get, timing });
  const fl = plan.layers.features;
  const memoStart = performance.now();
  const memo = trainSplit === undefined ? undefined : await (await import('../memorization/evaluate-hook.js')).memorizationForReport({ ds, trainSplit, fx, layer: fl, generated: generated[fl]!, reference: refFeatures[fl]!, seed, ...batch, ...prog, ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
  if (memo !== undefined) Object.assign(metrics, memo.metrics);
  const memoSeconds = since(memoStart);
  const metricsSeconds = since(t);

  const overlap = trainingOverlapWarning(ds.name, reference.split, g.training, splitCount(ds, reference.split));
  const warnings = [
    ...sampleWarnings({
      nGenerated: opts.n,
      nReference: reference.images.n,
      referenceAvailable: available,
      featureDim: generated[plan.layers.features]!.cols,
      fd: metrics['fd'],
      fdInf: metrics['fd_inf'],
      metrics: plan.ids,
      labels: labels.mode,
      generatedShape: images,
      referenceShape: reference.images,
    }),
    ...plan.warnings,
    ...intervalWarnings(metrics),
    ...(overlap === undefined ? [] : [overlap]),
    ...(memo?.warnings ?? []),
  ];
  return {
    schema: REPORT_SCHEMA,
    created: new Date().toISOString(),
    model: g.model,
    dataset: datasetSection(ds, reference),
    recipe: withMemorization(recipeSection({ fx, g, plan, n: opts.n, nReference: reference.images.n, seed, bootstrap, labels: labels.mode, selection, split: reference.split, referenceLoading: reference.source.preprocessing }), memo?.params),
    metrics,
    timings: {
      sample: { seconds: sampleSeconds },
      featuresGenerated: { seconds: generatedSeconds },
      featuresReference: { seconds: referenceSeconds, cached: Object.values(cached).every((c) => c.hit) },
      ...referenceStatsTiming(refStats.log()),
      metrics: { seconds: metricsSeconds },
      ...(bootstrap === undefined ? {} : { intervals: { seconds: Math.round(timing.intervalSeconds * 1000) / 1000 } }),
      ...(memo === undefined ? {} : { memorization: { seconds: memoSeconds } }),
      total: { seconds: since(started) },
    },
    warnings,
    ...(memo === undefined ? {} : { memorization: { verdict: memorizationVerdict(memo.metrics) ?? 'memorisation: no checks ran' } }),
    run: { extractor: fx.id, ...batch, ...(opts.grid === undefined ? {} : { grid: resolve(opts.grid) }) },
  };
}

/** Metrics a statistics file can serve: FD needs only the reference's mean and covariance, IS no reference. */
const STATS_METRICS = ['fd', 'is'];

/** evaluate() against a `genbench stats` file (EvaluateOptions.referenceStats). */
async function runAgainstStats(opts: EvaluateOptions & { referenceStats: string }, ds: Dataset, g: ImageSource, fx: FeatureExtractor, started: number): Promise<Report> {
  const seed = opts.seed ?? 0;
  const progress = opts.progress;
  const prog = progress === undefined ? {} : { progress };
  const batch = opts.batchSize === undefined ? {} : { batchSize: opts.batchSize };
  const { readStats } = await import('../data/stats-file.js');
  const file = await readStats(opts.referenceStats);
  const made = statsRecipe(file.recipe, opts.referenceStats);
  const asked = opts.metrics === undefined ? undefined : (typeof opts.metrics === 'string' ? opts.metrics.split(',') : [...opts.metrics]).map((m) => m.trim()).filter(Boolean);
  const refused = asked?.filter((m) => !STATS_METRICS.includes(m)) ?? [];
  if (refused.length > 0) throw new GenbenchError('USAGE', `--metrics ${refused.join(',')}: needs the reference rows, which ${opts.referenceStats} does not hold; only fd and is can be computed from statistics (use --dataset)`);
  const full = planMetrics({ fx, nGenerated: opts.n, nReference: file.stats.count });
  const list = asked ?? full.ids.filter((m) => STATS_METRICS.includes(m));
  const plan = planMetrics({ fx, nGenerated: opts.n, nReference: file.stats.count, list });
  const fl = plan.layers.features;
  if (made.extractor !== fx.keyId || made.weightsSha256 !== fx.weightsSha256 || made.layer !== fl) {
    throw new GenbenchError('INPUT', `${opts.referenceStats}: made with ${made.extractor} layer ${made.layer}, but this evaluation reads ${fx.keyId} layer ${fl}${made.weightsSha256 !== fx.weightsSha256 ? ' (other weights)' : ''}; pass --extractor ${made.extractor} or remake the statistics`);
  }
  const dim = fx.layers.find((l) => l.name === fl)?.dim;
  if (dim !== undefined && dim !== file.stats.cov.rows) throw new GenbenchError('INPUT', `${opts.referenceStats}: statistics of ${file.stats.cov.rows} features, but ${fx.keyId} layer ${fl} has ${dim}`);

  let t = performance.now();
  const images = await g.images({ n: opts.n, seed, ...batch, ...prog });
  const sampleSeconds = since(t);
  if (opts.grid !== undefined) await writeGridPng(opts.grid, sliceImages(images, 0, Math.min(64, images.n)));
  t = performance.now();
  const generated = await fx.extract(images, { layers: planLayers(plan), ...batch, ...prog });
  const generatedSeconds = since(t);
  t = performance.now();
  const resamples = opts.bootstrap ?? BOOTSTRAP_DEFAULTS.resamples;
  const bootstrap = resamples > 0 ? { resamples, seed } : undefined;
  const timing = { intervalSeconds: 0 };
  const others = plan.ids.filter((m) => m !== 'fd');
  const metrics = others.length === 0 ? {} : await runMetrics(planMetrics({ fx, nGenerated: opts.n, nReference: file.stats.count, list: others }), { generated, reference: {} }, { ...(bootstrap ? { bootstrap } : {}), ...prog, timing });
  if (plan.ids.includes('fd')) metrics['fd'] = await fdAgainstStats(generated[fl]!, file.stats, bootstrap, progress, timing);
  const metricsSeconds = since(t);
  const warnings = [
    `the reference is a statistics file (${opts.referenceStats}): FD's interval covers the generated sampling only, and KID, FD∞, precision/recall/density/coverage and the memorisation checks need reference rows (use --dataset)`,
    ...sampleWarnings({ nGenerated: opts.n, nReference: file.stats.count, referenceAvailable: file.stats.count, featureDim: generated[fl]!.cols, fd: metrics['fd'], metrics: plan.ids, labels: g.classes === undefined ? 'none' : 'balanced', generatedShape: images, referenceShape: images }),
    ...plan.warnings,
    ...intervalWarnings(metrics),
  ];
  const selection: ReferenceSelection = { count: file.stats.count, of: made.of ?? file.stats.count, seed: made.seed, rowsSha256: made.rowsSha256 ?? file.sha256 };
  const recipe = recipeSection({ fx, g, plan, n: opts.n, nReference: file.stats.count, seed, bootstrap, labels: g.classes === undefined ? 'none' : 'balanced', selection, split: made.split, referenceLoading: undefined });
  return {
    schema: REPORT_SCHEMA,
    created: new Date().toISOString(),
    model: g.model,
    dataset: { name: made.source ?? ds.name, split: made.split, count: file.stats.count, files: [{ id: 'reference-statistics', path: opts.referenceStats, sha256: file.sha256 }], imagesSha256: made.imagesSha256 ?? file.sha256, labelled: false },
    recipe: {
      ...recipe,
      referenceStats: { file: opts.referenceStats, sha256: file.sha256 },
      ...(recipe.bootstrap === null ? {} : { bootstrap: { ...recipe.bootstrap, resampleReference: false, covers: 'the sampling of the generated set (the reference is a statistics file, held fixed)' } }),
    },
    metrics,
    timings: {
      sample: { seconds: sampleSeconds },
      featuresGenerated: { seconds: generatedSeconds },
      featuresReference: { seconds: 0, cached: true },
      metrics: { seconds: metricsSeconds },
      ...(bootstrap === undefined ? {} : { intervals: { seconds: Math.round(timing.intervalSeconds * 1000) / 1000 } }),
      total: { seconds: since(started) },
    },
    warnings,
    run: { extractor: fx.id, ...batch, ...(opts.grid === undefined ? {} : { grid: resolve(opts.grid) }) },
  };
}

/** What a statistics file's recipe says about how it was made (extractor, layer, the rows' source and selection). */
function statsRecipe(recipe: Record<string, unknown> | undefined, path: string) {
  const ex = (recipe?.['extractor'] ?? {}) as Record<string, unknown>;
  const im = (recipe?.['images'] ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const hex = (v: unknown) => (typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : undefined);
  const extractor = str(ex['id']);
  const layer = str(recipe?.['layer']);
  if (extractor === undefined || layer === undefined) throw new GenbenchError('INPUT', `${path}: its recipe names no extractor and layer; remake it with genbench stats`);
  return {
    extractor,
    layer,
    weightsSha256: str(ex['weightsSha256']),
    source: str(im['source']),
    split: str(im['split']) ?? 'statistics',
    of: typeof im['of'] === 'number' ? im['of'] : undefined,
    seed: typeof im['seed'] === 'number' ? im['seed'] : null,
    rowsSha256: hex(im['rowsSha256']),
    imagesSha256: hex(im['sha256']),
  };
}

/** FD against the statistics with its interval over the generated sampling (reference held fixed). */
async function fdAgainstStats(generated: Matrix, ref: GaussianStats, bootstrap: { resamples: number; seed: number } | undefined, progress: Progress | undefined, timing: { intervalSeconds: number }): Promise<MetricEntryValue> {
  const { fdFromStats, statsOf } = await import('../../metrics/fd.js');
  const { value, ...extras } = await fdFromStats({ generated: await statsOf(generated), reference: ref });
  const point = Math.max(0, value);
  if (bootstrap === undefined) return { value: point, ...extras };
  const t = performance.now();
  const { fdAgainstGaussianResampled } = await import('../../metrics/fd-resampled.js');
  const { fdDescriptor } = await import('../../metrics/fd-descriptor.js');
  const iv = await fixedReferenceInterval(fdDescriptor, generated.rows, point, (draws) => fdAgainstGaussianResampled(generated, ref, draws, progress), { ...bootstrap });
  timing.intervalSeconds += (performance.now() - t) / 1000;
  return { value: point, ...extras, ci95: iv.ci, ciMethod: iv.method, ciCovers: iv.covers, bootstrapBias: iv.bootstrapBias, ciResamples: iv.resamples, ciMonteCarloError: iv.monteCarloError };
}

/** Labels for a conditional model: the reference labels in order (cycled), else balanced i % classes. */
function samplingLabels(g: Pick<ImageSource, 'classes'>, reference: DatasetSplit, n: number): { mode: 'none' | 'reference' | 'balanced'; labels?: Int32Array } {
  if (g.classes === undefined) return { mode: 'none' };
  const ref = reference.labels;
  if (ref === undefined || ref.length === 0 || ref.some((l) => l < 0 || l >= g.classes!)) return { mode: 'balanced' };
  return { mode: 'reference', labels: Int32Array.from({ length: n }, (_, i) => ref[i % ref.length]!) };
}

function datasetSection(ds: Dataset, s: DatasetSplit): Report['dataset'] {
  const loading = s.source.preprocessing;
  return {
    name: ds.name,
    split: s.split,
    count: s.images.n,
    files: s.source.files.map((f) => ({ ...(f.id === undefined ? {} : { id: f.id }), path: f.path, sha256: f.sha256 })),
    imagesSha256: (imagesInputs(s.images) as { sha256: string }).sha256,
    ...(loading === undefined ? {} : { loading: { ...loading } }),
    labelled: s.labels !== undefined,
  };
}

interface RecipeFacts {
  readonly fx: FeatureExtractor;
  readonly g: ImageSource;
  readonly plan: MetricPlan;
  readonly n: number;
  readonly nReference: number;
  readonly seed: number;
  readonly bootstrap: { resamples: number; seed: number } | undefined;
  readonly labels: 'none' | 'reference' | 'balanced';
  readonly selection: ReferenceSelection;
  readonly split: string;
  readonly referenceLoading: Readonly<Record<string, string | number>> | undefined;
}

function recipeSection(r: RecipeFacts): Report['recipe'] {
  const metricSeeds: Record<string, number> = {};
  for (const [group, p] of Object.entries(r.plan.params)) if (typeof p['seed'] === 'number') metricSeeds[group] = p['seed'];
  return {
    extractor: { id: r.fx.keyId, weightsSha256: r.fx.weightsSha256, layers: recipeLayers(r.plan), preprocessing: { ...r.fx.preprocessing }, ...(r.fx.info === undefined ? {} : { info: { ...r.fx.info } }) },
    n: { generated: r.n, reference: r.nReference },
    seeds: { sampling: r.seed, metrics: metricSeeds, bootstrap: r.bootstrap?.seed ?? null },
    sampling: { labels: r.labels, quantisation: 'uint8: clip(round-half-even((x - lo) / (hi - lo) * 255))' },
    metrics: [...r.plan.ids],
    params: Object.fromEntries(Object.entries(r.plan.params).map(([k, v]) => [k, { ...v }])),
    reference: { split: r.split, ...r.selection },
    ...preprocessingSection(r.g.preprocessing, resizeOf(r.referenceLoading)),
    rankedBy: r.plan.ids.includes('fd') ? 'fd' : (r.plan.ids[0] ?? 'fd'),
    bootstrap: r.bootstrap === undefined ? null : { resamples: r.bootstrap.resamples, level: BOOTSTRAP_DEFAULTS.level, method: BOOTSTRAP_METHOD, resampleReference: true, covers: 'the sampling of the generated and of the reference set (each metric\'s ciCovers)' },
    genbench: VERSION,
    backend: { tfjs: activeBackend()?.name ?? null, generator: r.g.engine, extractor: r.fx.engine },
  };
}

/** recipe.preprocessing: the resizes applied while reading, by role; nothing when no image was resized. */
function preprocessingSection(generated: Readonly<Record<string, string>> | undefined, reference: Record<string, string> | undefined): Pick<Report['recipe'], 'preprocessing'> {
  if (generated === undefined && reference === undefined) return {};
  return { preprocessing: { ...(generated === undefined ? {} : { generated: { ...generated } }), ...(reference === undefined ? {} : { reference }) } };
}

function recipeLayers(plan: MetricPlan): Report['recipe']['extractor']['layers'] {
  const { features, classScores, discriminator } = plan.layers;
  return { features, ...(classScores === undefined ? {} : { classScores }), ...(discriminator === undefined ? {} : { discriminator: [...discriminator] }) };
}

/** Recipe with the memorisation parameters under params.memorization, when the checks ran. */
function withMemorization(r: Report['recipe'], params: Record<string, string | number | boolean> | undefined): Report['recipe'] {
  return params === undefined ? r : { ...r, params: { ...r.params, memorization: params } };
}

/** The size of the split an expression selects from, when the dataset states it without loading. */
function splitCount(ds: Dataset, expr: string): number | undefined {
  const name = expr.replace(/[~[].*$/, '');
  return ds.splits.find((s) => s.name === name)?.count;
}

/** timings.referenceStats when the metrics read any reference statistics: how long, and whether all came from the cache. */
function referenceStatsTiming(log: ReferenceStatsLog): Pick<Report['timings'], 'referenceStats'> {
  return log.entries.length === 0 ? {} : { referenceStats: { seconds: log.seconds, cached: log.entries.every((e) => e.hit) } };
}

function since(t: number): number {
  return Math.round(performance.now() - t) / 1000;
}
