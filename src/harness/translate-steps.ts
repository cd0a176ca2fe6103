import { bootstrapGroup, withIntervals } from '../../metrics/bootstrap.js';
import { parseMetricList } from '../../metrics/index.js';
import type { ImagePairs, ImageStack, MetricParams, MetricResults, PairMetricDescriptor } from '../../metrics/types.js';
import { asDisplay, sideBySide, TILE_PADDING } from '../data/pair-grid.js';
import type { PairImages } from '../data/paired.js';
import { GenbenchError } from '../errors.js';
import { roundHalfEven, toUint8, type ImageBatchU8, type ValueRange } from '../io/image.js';
import { writeGridPng } from '../io/png.js';
import type { Translator } from '../models/translator.js';
import type { Progress } from '../progress.js';
import type { MetricEntryValue } from './run-metrics.js';
import type { TranslationOptions } from './translate.js';
import { translationFeatures, type TranslationFeatures } from './translate-features.js';

/**
 * The steps paired and unpaired translation runs share (translate.ts, translate-unpaired.ts): shape checks with
 * one-line errors naming the manifest field, the linear range mappings around the translator, the pixel metric group
 * on any pairs of images (with the pair bootstrap's intervals), the cycle B(A(x)) back to the sources, uint8 views
 * for the feature network, and the PNG grid of tiles.
 *
 * @example
 * const out = await translateImages(t, source, { like: target });   // outputs in the targets' data range
 * const { entries } = await pixelGroup({ generated: out, reference: asStack(source) }, 255, { resamples: 200, seed: 0 });
 */
type Shape = { readonly height: number; readonly width: number; readonly channels: number };

const shapeText = (s: Shape) => `${s.height}x${s.width}x${s.channels}`;
const sameShape = (a: Shape, b: Shape) => a.height === b.height && a.width === b.width && a.channels === b.channels;

/**
 * The translator's input shape against the sources and its output shape against the images its outputs are
 * compared with (the targets); `why` says why they must agree.
 */
export function checkShapes(t: Translator, name: string, source: Shape, target: Shape, why: string): void {
  const m = t.manifest;
  if (!sameShape(t.inputShape, source)) {
    throw new GenbenchError('INPUT', `${t.manifestPath}: field 'input_shape' [${m.input_shape.join(',')}] is ${shapeText(t.inputShape)} (HxWxC) but the source images of ${name} are ${shapeText(source)}`);
  }
  if (!sameShape(t.outputShape, target)) {
    throw new GenbenchError('INPUT', `${t.manifestPath}: field 'output_shape' [${m.output_shape.join(',')}] is ${shapeText(t.outputShape)} (HxWxC) but the target images of ${name} are ${shapeText(target)}; ${why}`);
  }
}

/** A reverse translator maps the translator's outputs back to its inputs: its input shape is their output shape and vice versa. */
export function checkReverse(r: Translator, t: Translator): void {
  if (!sameShape(r.inputShape, t.outputShape)) {
    throw new GenbenchError('INPUT', `${r.manifestPath}: field 'input_shape' [${r.manifest.input_shape.join(',')}] is ${shapeText(r.inputShape)} (HxWxC) but ${t.manifest.name} outputs ${shapeText(t.outputShape)}; a reverse translator takes the outputs back to the sources`);
  }
  if (!sameShape(r.outputShape, t.inputShape)) {
    throw new GenbenchError('INPUT', `${r.manifestPath}: field 'output_shape' [${r.manifest.output_shape.join(',')}] is ${shapeText(r.outputShape)} (HxWxC) but ${t.manifest.name} takes ${shapeText(t.inputShape)}; a reverse translator takes the outputs back to the sources`);
  }
}

/** Images of one side with their data range and whether they are uint8 (outputs are quantised like them). */
export interface SideLike extends Shape {
  readonly range: ValueRange;
  readonly uint8: boolean;
}

export function sideOf(b: PairImages): SideLike {
  return { height: b.height, width: b.width, channels: b.channels, range: b.range, uint8: b.data instanceof Uint8Array };
}

/**
 * Translates images given in `from`'s data range into `like`'s: sources mapped linearly to the translator's
 * input range, outputs from its output range to `like`'s data range, clipped, and quantised to uint8
 * (round-half-even) when `like` is uint8.
 */
export async function translateImages(t: Translator, images: { data: ArrayLike<number>; n: number }, from: ValueRange, like: SideLike, opts: { batchSize?: number; progress?: Progress }): Promise<ImageStack> {
  const x = toRange(images.data, from, t.inputRange);
  const y = await t.translate(x, images.n, { ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }), ...(opts.progress === undefined ? {} : { progress: opts.progress }) });
  const [c, d] = t.outputRange;
  const [a, b] = like.range;
  const scale = (b - a) / (d - c);
  const data = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = a + (y[i]! - c) * scale;
    data[i] = like.uint8 ? Math.min(255, Math.max(0, roundHalfEven(v))) : Math.min(b, Math.max(a, v));
  }
  return { n: images.n, height: like.height, width: like.width, channels: like.channels, data };
}

/** Values mapped linearly from one range to another, as float32 (unchanged when the ranges agree). */
function toRange(data: ArrayLike<number>, [a, b]: ValueRange, [c, d]: ValueRange): Float32Array {
  if (a === c && b === d) return Float32Array.from(data);
  const scale = (d - c) / (b - a);
  return Float32Array.from(data, (v) => c + (v - a) * scale);
}

export function asStack(b: PairImages): ImageStack {
  return { n: b.n, height: b.height, width: b.width, channels: b.channels, data: Float64Array.from(b.data) };
}

/** Images in a data range as uint8: uint8 data as it is, anything else quantised (round-half-even, io/image.ts toUint8). */
export function asUint8(b: { n: number; height: number; width: number; channels: number; data: ArrayLike<number> }, range: ValueRange): ImageBatchU8 {
  const { n, height, width, channels } = b;
  if (b.data instanceof Uint8Array) return { data: b.data, n, height, width, channels };
  return toUint8({ data: Float32Array.from(b.data), n, height, width, channels, range });
}

/**
 * The pixel metric group (metrics/pixel.ts: MSE, L1, PSNR, SSIM per pair and their means) on `pairs`, data range
 * `range`, with the pair bootstrap's intervals when `resamples` > 0 (pairs resampled as pairs).
 */
export async function pixelGroup(pairs: ImagePairs, range: number, o: { resamples: number; seed: number; progress?: Progress }): Promise<{ results: MetricResults; params: MetricParams }> {
  const d = parseMetricList('mse')[0] as PairMetricDescriptor;
  const params: MetricParams = { ...d.defaults, range };
  const results = o.resamples > 0 ? withIntervals(await bootstrapGroup(d, pairs, params, { resamples: o.resamples, seed: o.seed, ...(o.progress ? { progress: o.progress } : {}) })) : await d.compute(pairs, params);
  return { results, params };
}

/**
 * Cycle consistency: the outputs translated back by the reverse translator (from the targets' data range into the
 * sources'), and the mean L1 of B(A(x)) - x per image in the sources' data units, with the pair bootstrap's interval.
 */
export async function cycleError(
  r: Translator,
  output: ImageStack,
  outputRange: ValueRange,
  source: PairImages,
  o: { resamples: number; seed: number; batchSize?: number; progress?: Progress },
): Promise<{ entry: MetricEntryValue; reconstructed: ImageStack; params: Record<string, string | number> }> {
  const reconstructed = await translateImages(r, output, outputRange, sideOf(source), o);
  const { results } = await pixelGroup({ generated: reconstructed, reference: asStack(source) }, source.range[1] - source.range[0], o);
  const l1 = results.l1!;
  const params = { reverse: r.manifest.name, reverseSha256: r.sha256, metric: 'mean over images of mean |B(A(x)) - x| in the sources\' data units', dataRange: source.range.join('..') };
  return { entry: { ...l1, value: l1.value } as MetricEntryValue, reconstructed, params };
}

/**
 * A PNG grid of tiles joining the sides given (input | output | target, input | output | reconstruction, ...) for the
 * first 16 images; the sides flagged in `labels` are label maps, drawn in the categorical colour map.
 */
export async function writeTiles(path: string, sides: readonly PairImages[], o: { readonly labels?: readonly boolean[] } = {}): Promise<void> {
  const tiles = sideBySide(sides.map((s, i) => asDisplay(s, { labels: o.labels?.[i] === true })), 16);
  await writeGridPng(path, tiles, { columns: Math.ceil(Math.sqrt(tiles.n)), padding: TILE_PADDING, scale: tiles.height < 48 ? 2 : 1 });
}

/** An output stack as PairImages in a data range (for grids). */
export function asPairImages(s: ImageStack, range: ValueRange): PairImages {
  return { ...s, data: Float64Array.from(s.data), range };
}

/** What both kinds of run are given. */
export interface TranslationRun {
  readonly t: Translator;
  readonly reverse?: Translator;
  readonly resamples: number;
  readonly seed: number;
  readonly started: number;
  readonly opts: TranslationOptions;
}

/**
 * The start every translation run shares: the split loaded (the task's default unless `split` is given), the
 * translator's shapes checked against it (`why` says what the outputs are compared with), and the sources
 * translated, timed.
 */
export async function loadAndTranslate<S extends { readonly source: PairImages; readonly target: PairImages }>(
  run: TranslationRun,
  data: { readonly name: string; readonly splits: readonly { name: string }[]; load(split: string, o: { progress?: Progress; offline?: boolean }): Promise<S> },
  why: string,
): Promise<{ split: S; output: ImageStack; translateSeconds: number; prog: { batchSize?: number; progress?: Progress } }> {
  const { t, opts } = run;
  const split = await data.load(opts.split ?? defaultTranslationSplit(data.splits), { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) });
  checkShapes(t, data.name, split.source, split.target, why);
  const prog = { ...(opts.batchSize === undefined ? {} : { batchSize: opts.batchSize }), ...(opts.progress ? { progress: opts.progress } : {}) };
  const clock = performance.now();
  const output = await translateImages(t, split.source, split.source.range, sideOf(split.target), prog);
  return { split, output, translateSeconds: since(clock), prog };
}

/** The default split: the task's `test` when it has one, else its first. */
export function defaultTranslationSplit(splits: readonly { name: string }[]): string {
  return splits.some((s) => s.name === 'test') ? 'test' : splits[0]!.name;
}

/** FD, KID, precision and recall of the outputs against real target-domain images, as uint8; none with extractor 'none'. */
export async function featureMetrics(opts: TranslationOptions, output: ImageStack, target: PairImages, resamples: number, seed: number): Promise<TranslationFeatures | undefined> {
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

export function since(t: number): number {
  return Math.round(performance.now() - t) / 1000;
}
