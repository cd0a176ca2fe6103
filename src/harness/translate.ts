import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { BOOTSTRAP_DEFAULTS, bootstrapGroup, RECENTRED_METHOD, withIntervals } from '../../metrics/bootstrap.js';
import { groupMetrics, parseMetricList } from '../../metrics/index.js';
import type { ImagePairs, ImageStack, MetricParams, MetricResults, PairMetricDescriptor } from '../../metrics/types.js';
import { openPairs, type PairedDataset, type PairedSplit, type PairImages } from '../data/paired.js';
import { asDisplay, sideBySide, TILE_PADDING } from '../data/pair-grid.js';
import { openTask } from '../data/paired-tasks.js';
import { GenbenchError } from '../errors.js';
import { roundHalfEven, type ValueRange } from '../io/image.js';
import { writeGridPng } from '../io/png.js';
import { REPORT_SCHEMA, type Report } from '../io/report.js';
import { loadTranslator, RANGE_TOLERANCE, type Translator } from '../models/translator.js';
import type { Progress } from '../progress.js';
import { VERSION } from '../version.js';
import { intervalWarnings } from './warnings.js';

/**
 * `evaluateTranslation()`: pairs -> translator -> paired pixel metrics -> report. The sources of a task's split
 * (`task`: a built-in task or a volume task spec) or of a set of pairs (`pairs`: an .npz or a folder,
 * data/paired.ts) are mapped linearly from their data range to the translator's input range, translated in
 * batches, and the outputs mapped from the output range back to the data range; against uint8 targets the outputs
 * are then quantised to uint8 (round-half-even, as the targets are), against float targets they stay float. MSE,
 * L1, PSNR and SSIM per pair and their means (metrics/pixel.ts, data range = the width of the pairs' range), with
 * the pair bootstrap's 95% intervals (pairs resampled as pairs, as `genbench pixel` does). The grid shows
 * input | output | target triplets of the first 16 pairs. The report is `genbench.report/v1`: no feature network
 * reads the images, so recipe.extractor is `none` (weights: the sha256 of zero bytes) and the feature timings are
 * zero.
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
  /** Where to write the PNG grid of input | output | target triplets. */
  readonly grid?: string;
  readonly offline?: boolean;
  readonly progress?: Progress;
}

const PIXEL_METRICS = 'mse,l1,psnr,ssim';
const GRID_TRIPLETS = 16;
const NO_WEIGHTS = createHash('sha256').digest('hex');

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
    const metricsSeconds = since(clock);
    if (opts.grid !== undefined) await writeTriplets(opts.grid, pairs, output);
    return report({ t, ds, pairs, metrics, params, resamples, seed, opts, seconds: { translate: translateSeconds, metrics: metricsSeconds, total: since(started) } });
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

async function writeTriplets(path: string, p: PairedSplit, output: ImageStack): Promise<void> {
  const out: PairImages = { ...output, data: Float64Array.from(output.data), range: p.target.range };
  const tiles = sideBySide([asDisplay(p.source), asDisplay(out), asDisplay(p.target)], GRID_TRIPLETS);
  await writeGridPng(path, tiles, { columns: Math.ceil(Math.sqrt(tiles.n)), padding: TILE_PADDING, scale: tiles.height < 48 ? 2 : 1 });
}

/** sha256 over each side's shape line and values as stored (the pairs actually scored). */
function pairsSha256(p: PairedSplit): string {
  const h = createHash('sha256');
  for (const [role, s] of [['source', p.source], ['target', p.target]] as const) {
    h.update(`${role} ${s.n}x${s.height}x${s.width}x${s.channels} ${s.data.constructor.name} ${s.range.join(',')}\n`);
    h.update(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength));
  }
  return h.digest('hex');
}

interface ReportFacts {
  readonly t: Translator;
  readonly ds: PairedDataset;
  readonly pairs: PairedSplit;
  readonly metrics: MetricResults;
  readonly params: MetricParams;
  readonly resamples: number;
  readonly seed: number;
  readonly opts: TranslationOptions;
  readonly seconds: { readonly translate: number; readonly metrics: number; readonly total: number };
}

function report(f: ReportFacts): Report {
  const { t, ds, pairs, metrics } = f;
  const n = pairs.source.n;
  const uint8 = pairs.target.data instanceof Uint8Array;
  const identical = ((metrics.psnr as { perPair?: number[] } | undefined)?.perPair ?? []).filter((v) => v === Infinity).length;
  const warnings = [
    ...(n < 30 ? [`only ${n} pairs: ${f.resamples > 0 ? 'the intervals are wide and' : 'the means'} rest on few pairs`] : []),
    ...(identical > 0 ? [`${identical} of ${n} outputs equal their targets exactly: their PSNR is +Infinity, and so is the mean PSNR`] : []),
    ...intervalWarnings(metrics as Record<string, { value: number | null; ci95?: readonly [number, number] }>),
  ];
  const translation = {
    data: f.opts.task !== undefined ? `task ${ds.name}` : `pairs ${basename(ds.name)}`,
    dataRange: pairs.target.range.join('..'),
    inputRange: t.manifest.input_range,
    outputRange: t.manifest.output_range,
    rangeTolerance: RANGE_TOLERANCE,
    inputMapping: 'linear from the data range to input_range',
    outputMapping: `linear from output_range to the data range, clipped${uint8 ? ', then uint8 round-half-even' : ''}`,
  };
  return {
    schema: REPORT_SCHEMA,
    created: new Date().toISOString(),
    model: { name: t.manifest.name, path: t.path, format: 'onnx', files: { [basename(t.path)]: t.sha256 }, manifest: { ...t.manifest }, engine: t.engine },
    dataset: {
      name: ds.name,
      split: pairs.split,
      count: n,
      files: pairs.files.map((x) => ({ ...(x.id === undefined ? {} : { id: x.id }), path: x.path, sha256: x.sha256 })),
      imagesSha256: pairsSha256(pairs),
      ...(pairs.preprocessing === undefined ? {} : { loading: { ...pairs.preprocessing } }),
      labelled: false,
    },
    recipe: {
      extractor: { id: 'none', weightsSha256: NO_WEIGHTS, layers: { features: 'pixels' }, preprocessing: { note: 'paired pixel metrics: no feature network reads the images' } },
      n: { generated: n, reference: n },
      seeds: { sampling: f.seed, metrics: {}, bootstrap: f.resamples > 0 ? f.seed : null },
      sampling: { labels: 'none', quantisation: uint8 ? 'outputs to uint8: clip(round-half-even(x)) in the targets\' 0..255 scale' : 'none: float outputs against float targets' },
      metrics: PIXEL_METRICS.split(','),
      params: { pixel: { ...f.params }, translation },
      rankedBy: 'ssim',
      bootstrap: f.resamples === 0 ? null : { resamples: f.resamples, level: BOOTSTRAP_DEFAULTS.level, method: RECENTRED_METHOD, resampleReference: false, covers: 'sampling of the pairs (resampled as pairs)' },
      genbench: VERSION,
      backend: { tfjs: null, generator: t.engine, extractor: 'none' },
    },
    metrics: metrics as Report['metrics'],
    timings: {
      sample: { seconds: f.seconds.translate },
      featuresGenerated: { seconds: 0 },
      featuresReference: { seconds: 0, cached: false },
      metrics: { seconds: f.seconds.metrics },
      total: { seconds: f.seconds.total },
    },
    warnings,
    run: { extractor: 'none', ...(f.opts.batchSize === undefined ? {} : { batchSize: f.opts.batchSize }), ...(f.opts.grid === undefined ? {} : { grid: resolve(f.opts.grid) }) },
  };
}

function since(t: number): number {
  return Math.round(performance.now() - t) / 1000;
}
