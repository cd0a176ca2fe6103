import { basename } from 'node:path';
import { BOOTSTRAP_DEFAULTS, bootstrapGroup, withIntervals } from '../../metrics/bootstrap.js';
import { groupMetrics, parseMetricList } from '../../metrics/index.js';
import type { ImagePairs, ImageStack, MetricParams, MetricResults, PairMetricDescriptor } from '../../metrics/types.js';
import { openPairs, type PairedDataset, type PairedSplit, type PairImages } from '../data/paired.js';
import { asDisplay, sideBySide, TILE_PADDING } from '../data/pair-grid.js';
import { openTask } from '../data/paired-tasks.js';
import { GenbenchError } from '../errors.js';
import type { FeatureExtractor } from '../features/types.js';
import { roundHalfEven, toUint8, type ImageBatchU8, type ValueRange } from '../io/image.js';
import { writeGridPng } from '../io/png.js';
import type { Report } from '../io/report.js';
import { loadTranslator, type Translator } from '../models/translator.js';
import type { Progress } from '../progress.js';
import type { MetricEntryValue } from './run-metrics.js';
import { translationFeatures, type TranslationFeatures } from './translate-features.js';
import { translationReport } from './translate-report.js';

/**
 * `evaluateTranslation()`: pairs -> translator -> paired pixel metrics -> report. The sources of a task's split
 * (`task`: a built-in task or a volume task spec) or of a set of pairs (`pairs`: an .npz or a folder,
 * data/paired.ts) are mapped linearly from their data range to the translator's input range, translated in
 * batches, and the outputs mapped from the output range back to the data range; against uint8 targets the outputs
 * are then quantised to uint8 (round-half-even, as the targets are), against float targets they stay float. MSE,
 * L1, PSNR and SSIM per pair and their means (metrics/pixel.ts, data range = the width of the pairs' range), with
 * the pair bootstrap's 95% intervals (pairs resampled as pairs, as `genbench pixel` does). FD, KID, precision and
 * recall of the outputs against the targets through the feature extractor (translate-features.ts: default
 * mobilenet-v1-0.75, the targets' features cached; `extractor: 'none'` skips them, and so do sets too small for
 * them, with a warning). The grid shows input | output | target triplets of the first 16 pairs. The report is
 * `genbench.report/v1` (translate-report.ts); without features recipe.extractor is `none` (weights: the sha256 of
 * zero bytes) and the feature timings are zero.
 *
 * @example
 * const r = await evaluateTranslation({ translator: 't1-bet.onnx', task: 'colin27-t1-bet' });
 * r.metrics['ssim']; // { value: 0.91, ci95: [0.89, 0.93], perPair: [...] }
 */
export interface TranslationOptions {
  /** Translator checkpoint (opened and disposed here) or a loaded one. */
  readonly translator: string | Translator;
  /** A built-in task or a volume task spec (.json). */
  readonly task?: string;
  /** An .npz with arrays source and target, or a folder with source/ and target/. */
  readonly pairs?: string;
  /** Value range of float pairs (uint8 pairs are 0..255). */
  readonly pairsRange?: ValueRange;
  /** Split expression; default a task's `test`, the pairs' `all`. */
  readonly split?: string;
  /** Bootstrap seed (default 0). */
  readonly seed?: number;
  /** Bootstrap resamples (default 200; 0: no intervals). */
  readonly bootstrap?: number;
  readonly batchSize?: number;
  /** Feature extractor for FD, KID, precision and recall (an id, an open one, or 'none'); default mobilenet-v1-0.75. */
  readonly extractor?: string | FeatureExtractor;
  /** Feature cache folder (default GENBENCH_HOME/features). */
  readonly cacheDir?: string;
  /** Where to write the PNG grid of input | output | target triplets. */
  readonly grid?: string;
  readonly offline?: boolean;
  readonly progress?: Progress;
}

const PIXEL_METRICS = 'mse,l1,psnr,ssim';
const GRID_TRIPLETS = 16;

export async function evaluateTranslation(opts: TranslationOptions): Promise<Report> {
  if ((opts.task === undefined) === (opts.pairs === undefined)) throw new GenbenchError('USAGE', 'give --task NAME or --pairs FILE.npz|DIR (not both)');
  const resamples = opts.bootstrap ?? BOOTSTRAP_DEFAULTS.resamples;
  if (!Number.isInteger(resamples) || resamples < 0 || resamples === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (no intervals) or at least 2 resamples, e.g. 200');
  const started = performance.now();
  const ds = opts.task !== undefined ? await openTask(opts.task) : await openPairs(opts.pairs!, opts.pairsRange === undefined ? {} : { range: opts.pairsRange });
  const split = opts.split ?? (ds.splits.some((s) => s.name === 'test') ? 'test' : ds.splits[0]!.name);
  const t = typeof opts.translator === 'string' ? await loadTranslator(opts.translator) : opts.translator;
  try {
    if (opts.task !== undefined && t.manifest.task !== undefined && t.manifest.task !== ds.name) {
      throw new GenbenchError('INPUT', `${t.manifestPath}: field 'task' is '${t.manifest.task}' but the task evaluated is '${ds.name}'; evaluate it on its own task (or on --pairs)`);
    }
    const pairs = await ds.load(split, { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) });
    checkFit(t, ds, pairs);
    let clock = performance.now();
    const x = toRange(pairs.source.data, pairs.source.range, t.inputRange);
    const y = await t.translate(x, pairs.source.n, { ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }), ...(opts.progress ? { progress: opts.progress } : {}) });
    const output = outputStack(y, t, pairs.target);
    const translateSeconds = since(clock);
    clock = performance.now();
    const seed = opts.seed ?? 0;
    const { metrics, params } = await pixelMetrics(output, pairs.target, resamples, seed, opts.progress);
    const features = await featureMetrics(opts, output, pairs.target, resamples, seed);
    const metricsSeconds = since(clock);
    if (opts.grid !== undefined) await writeTriplets(opts.grid, pairs, output);
    return report({ t, ds, pairs, metrics: { ...(metrics as Record<string, MetricEntryValue>), ...(features?.metrics ?? {}) }, params, features, resamples, seed, opts, seconds: { translate: translateSeconds, metrics: metricsSeconds, total: since(started) } });
  } finally {
    if (typeof opts.translator === 'string') t.dispose();
  }
}

/** The translator's input and output shapes against the pairs: one INPUT line naming the manifest field. */
function checkFit(t: Translator, ds: PairedDataset, p: PairedSplit): void {
  const m = t.manifest;
  const shape = (s: { height: number; width: number; channels: number }) => `${s.height}x${s.width}x${s.channels}`;
  const same = (a: { height: number; width: number; channels: number }, b: typeof a) => a.height === b.height && a.width === b.width && a.channels === b.channels;
  if (!same(t.inputShape, p.source)) {
    throw new GenbenchError('INPUT', `${t.manifestPath}: field 'input_shape' [${m.input_shape.join(',')}] is ${shape(t.inputShape)} (HxWxC) but the source images of ${ds.name} are ${shape(p.source)}`);
  }
  if (!same(t.outputShape, p.target)) {
    throw new GenbenchError('INPUT', `${t.manifestPath}: field 'output_shape' [${m.output_shape.join(',')}] is ${shape(t.outputShape)} (HxWxC) but the target images of ${ds.name} are ${shape(p.target)}; the outputs are compared with the targets pixel for pixel`);
  }
}

/** Values mapped linearly from one range to another, as float32 (unchanged when the ranges agree). */
function toRange(data: ArrayLike<number>, [a, b]: ValueRange, [c, d]: ValueRange): Float32Array {
  if (a === c && b === d) return Float32Array.from(data);
  const scale = (d - c) / (b - a);
  return Float32Array.from(data, (v) => c + (v - a) * scale);
}

/** Outputs in the targets' data range, float64; quantised to uint8 when the targets are uint8. */
function outputStack(y: Float32Array, t: Translator, target: PairImages): ImageStack {
  const [c, d] = t.outputRange;
  const [a, b] = target.range;
  const scale = (b - a) / (d - c);
  const quantise = target.data instanceof Uint8Array;
  const data = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = a + (y[i]! - c) * scale;
    data[i] = quantise ? Math.min(255, Math.max(0, roundHalfEven(v))) : Math.min(b, Math.max(a, v));
  }
  return { n: target.n, height: target.height, width: target.width, channels: target.channels, data };
}

async function pixelMetrics(output: ImageStack, target: PairImages, resamples: number, seed: number, progress: Progress | undefined): Promise<{ metrics: MetricResults; params: MetricParams }> {
  const descs = parseMetricList(PIXEL_METRICS);
  const d = descs[0] as PairMetricDescriptor;
  const params: MetricParams = { ...d.defaults, range: target.range[1] - target.range[0] };
  const reference: ImageStack = { n: target.n, height: target.height, width: target.width, channels: target.channels, data: Float64Array.from(target.data) };
  const pairs: ImagePairs = { generated: output, reference };
  const results = resamples > 0 ? withIntervals(await bootstrapGroup(d, pairs, params, { resamples, seed, ...(progress ? { progress } : {}) })) : await d.compute(pairs, params);
  const metrics: MetricResults = {};
  for (const g of groupMetrics(descs).flat()) metrics[g.id] = results[g.id]!;
  return { metrics, params };
}

/** FD, KID, precision and recall of the outputs against the targets, as uint8 images; none with extractor 'none'. */
async function featureMetrics(opts: TranslationOptions, output: ImageStack, target: PairImages, resamples: number, seed: number): Promise<TranslationFeatures | undefined> {
  if (opts.extractor === 'none') return undefined;
  return translationFeatures({
    outputs: asUint8(output, target.range),
    targets: asUint8(target, target.range),
    resamples,
    seed,
    ...(opts.extractor === undefined ? {} : { extractor: opts.extractor }),
    ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }),
    ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }),
    ...(opts.progress === undefined ? {} : { progress: opts.progress }),
  });
}

/** Images in a data range as uint8: uint8 data as it is, float data quantised (round-half-even, io/image.ts toUint8). */
function asUint8(b: { n: number; height: number; width: number; channels: number; data: ArrayLike<number> }, range: ValueRange): ImageBatchU8 {
  const { n, height, width, channels } = b;
  if (b.data instanceof Uint8Array) return { data: b.data, n, height, width, channels };
  return toUint8({ data: Float32Array.from(b.data), n, height, width, channels, range });
}

async function writeTriplets(path: string, p: PairedSplit, output: ImageStack): Promise<void> {
  const out: PairImages = { ...output, data: Float64Array.from(output.data), range: p.target.range };
  const tiles = sideBySide([asDisplay(p.source), asDisplay(out), asDisplay(p.target)], GRID_TRIPLETS);
  await writeGridPng(path, tiles, { columns: Math.ceil(Math.sqrt(tiles.n)), padding: TILE_PADDING, scale: tiles.height < 48 ? 2 : 1 });
}

interface ReportFacts {
  readonly t: Translator;
  readonly ds: PairedDataset;
  readonly pairs: PairedSplit;
  readonly metrics: Record<string, MetricEntryValue>;
  readonly params: MetricParams;
  readonly features: TranslationFeatures | undefined;
  readonly resamples: number;
  readonly seed: number;
  readonly opts: TranslationOptions;
  readonly seconds: { readonly translate: number; readonly metrics: number; readonly total: number };
}

/** The paired run's report: pixel metrics ranked by SSIM, the feature metrics beside them. */
function report(f: ReportFacts): Report {
  const { pairs, metrics } = f;
  const n = pairs.source.n;
  const identical = ((metrics['psnr'] as { perPair?: number[] } | undefined)?.perPair ?? []).filter((v) => v === Infinity).length;
  const warnings = [
    ...(n < 30 ? [`only ${n} pairs: ${f.resamples > 0 ? 'the intervals are wide and' : 'the means'} rest on few pairs`] : []),
    ...(identical > 0 ? [`${identical} of ${n} outputs equal their targets exactly: their PSNR is +Infinity, and so is the mean PSNR`] : []),
  ];
  return translationReport({
    t: f.t,
    mode: 'paired',
    data: f.opts.task !== undefined ? `task ${f.ds.name}` : `pairs ${basename(f.ds.name)}`,
    name: f.ds.name,
    split: pairs.split,
    source: pairs.source,
    target: pairs.target,
    files: pairs.files,
    ...(pairs.preprocessing === undefined ? {} : { loading: pairs.preprocessing }),
    metrics,
    params: { pixel: { ...f.params } },
    ...(f.features === undefined ? {} : { features: f.features }),
    resamples: f.resamples,
    seed: f.seed,
    covers: 'sampling of the pairs (resampled as pairs)',
    rankedBy: 'ssim',
    warnings,
    seconds: f.seconds,
    ...(f.opts.batchSize === undefined ? {} : { batchSize: f.opts.batchSize }),
    ...(f.opts.grid === undefined ? {} : { grid: f.opts.grid }),
  });
}

function since(t: number): number {
  return Math.round(performance.now() - t) / 1000;
}
