import { GenbenchError } from '../errors.js';
import { imageSize, type ImageBatchU8 } from '../io/image.js';
import type { Rng } from '../rng.js';

/**
 * Known corruptions of a set of real images, for the metric sanity suite: pure functions of an ImageBatchU8 and a
 * seeded Rng. Each takes a strength (0 = unchanged) and, called with an Rng forked the same way for every strength,
 * gives NESTED corruptions (the images replaced at strength 0.25 are among those replaced at 0.5; the noise field is
 * the same, only scaled), so differences between levels are the strength alone, not resampling luck.
 *
 * Pixel corruptions (noise, blur) return new pixels. Selection corruptions (dropping classes, memorisation,
 * shrinking diversity) return images picked from the input or the training set, and say which (`picks`), so a
 * caller may reuse features already extracted for those images instead of extracting them again.
 *
 * @example
 * const noisy = gaussianNoise(images, 32, new Rng(0).fork('noise'));  // same shape, pixels + N(0, 32^2), clipped
 * const dropped = dropClasses(images, labels, 0.5, new Rng(0).fork('drop-classes'));
 * dropped.picks.index; // for each output image, the input image it copies (only kept classes occur)
 */

/** Where each output image of a selection corruption came from: `source[i]` 0 = the input, 1 = the training set. */
export interface Picks {
  readonly source: Uint8Array;
  readonly index: Int32Array;
}

export interface Corrupted {
  readonly images: ImageBatchU8;
  readonly labels?: Int32Array;
  readonly picks?: Picks;
}

/** Adds independent N(0, sigma^2) noise (sigma in 8-bit levels) to every value, rounds and clips to 0..255. */
export function gaussianNoise(images: ImageBatchU8, sigma: number, rng: Rng): ImageBatchU8 {
  checkStrength('noise sigma', sigma, Infinity);
  const out = new Uint8Array(images.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round(images.data[i]! + sigma * rng.normal());
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { ...images, data: out };
}

/**
 * Gaussian blur with standard deviation `sigma` pixels: separable kernel of radius ceil(3 sigma), normalised,
 * edges clamped, each channel alone, rounded to 8 bits. sigma 0 returns a copy.
 */
export function gaussianBlur(images: ImageBatchU8, sigma: number): ImageBatchU8 {
  checkStrength('blur sigma', sigma, Infinity);
  if (sigma === 0) return { ...images, data: images.data.slice() };
  const k = gaussianKernel(sigma);
  const { n, height: h, width: w, channels: c } = images;
  const tmp = new Float64Array(h * w * c);
  const out = new Uint8Array(images.data.length);
  const r = (k.length - 1) / 2;
  const clampAt = (v: number, hi: number) => (v < 0 ? 0 : v > hi ? hi : v);
  for (let img = 0; img < n; img++) {
    const base = img * h * w * c;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let t = -r; t <= r; t++) s += k[t + r]! * images.data[base + (y * w + clampAt(x + t, w - 1)) * c + ch]!;
          tmp[(y * w + x) * c + ch] = s;
        }
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let t = -r; t <= r; t++) s += k[t + r]! * tmp[(clampAt(y + t, h - 1) * w + x) * c + ch]!;
          out[base + (y * w + x) * c + ch] = Math.min(255, Math.max(0, Math.round(s)));
        }
  }
  return { ...images, data: out };
}

function gaussianKernel(sigma: number): Float64Array {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

/**
 * Mode dropping: drops round(fraction x classes) of the classes present (a seeded order of classes, so larger
 * fractions drop a superset) and replaces each image of a dropped class by a uniformly drawn image of a kept class.
 * At least one class is always kept. The set keeps its size.
 */
export function dropClasses(images: ImageBatchU8, labels: Int32Array, fraction: number, rng: Rng): Corrupted & { picks: Picks } {
  checkStrength('drop-classes fraction', fraction, 1);
  if (labels.length !== images.n) throw new RangeError(`dropClasses: ${labels.length} labels for ${images.n} images`);
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  const order = rng.shuffle(classes.slice()) as number[];
  const dropped = new Set(order.slice(0, Math.min(classes.length - 1, Math.round(fraction * classes.length))));
  const kept = Int32Array.from(labels.keys()).filter((i) => !dropped.has(labels[i]!));
  const index = Int32Array.from({ length: images.n }, (_, i) => i);
  for (let i = 0; i < images.n; i++) if (dropped.has(labels[i]!)) index[i] = kept[rng.int(kept.length)]!;
  return { ...pick(images, index), labels: Int32Array.from(index, (j) => labels[j]!) };
}

/**
 * Memorisation: replaces round(fraction x n) images (a seeded order, so larger fractions replace a superset) with
 * exact copies of distinct training images (cycled when the training set is smaller). The training images must be
 * disjoint from the reference: copies of the reference itself would be a leak that every metric rewards, not
 * memorisation.
 */
export function memorise(images: ImageBatchU8, training: ImageBatchU8, fraction: number, rng: Rng): Corrupted & { picks: Picks } {
  checkStrength('memorise fraction', fraction, 1);
  if (imageSize(training) !== imageSize(images) || training.channels !== images.channels) {
    throw new GenbenchError('INPUT', `memorise: training images are ${training.height}x${training.width}x${training.channels}, not ${images.height}x${images.width}x${images.channels}`);
  }
  const k = Math.round(fraction * images.n);
  const slots = rng.sampleWithoutReplacement(images.n, images.n);
  const copies = rng.sampleWithoutReplacement(training.n, training.n);
  const source = new Uint8Array(images.n);
  const index = Int32Array.from({ length: images.n }, (_, i) => i);
  for (let j = 0; j < k; j++) {
    source[slots[j]!] = 1;
    index[slots[j]!] = copies[j % training.n]!;
  }
  const size = imageSize(images);
  const data = new Uint8Array(images.data.length);
  for (let i = 0; i < images.n; i++) {
    const from = source[i] === 1 ? training : images;
    data.set(from.data.subarray(index[i]! * size, (index[i]! + 1) * size), i * size);
  }
  return { images: { ...images, data }, picks: { source, index } };
}

/**
 * Shrinking diversity: keeps max(1, round((1 - fraction) x n)) distinct images (a seeded order; larger fractions
 * keep a subset) and repeats them, in turn, to fill the n slots.
 */
export function shrinkDiversity(images: ImageBatchU8, fraction: number, rng: Rng): Corrupted & { picks: Picks } {
  checkStrength('shrink-diversity fraction', fraction, 1);
  const keep = Math.max(1, Math.round((1 - fraction) * images.n));
  const order = rng.sampleWithoutReplacement(images.n, images.n);
  const index = fraction === 0 ? Int32Array.from({ length: images.n }, (_, i) => i) : Int32Array.from({ length: images.n }, (_, i) => order[i % keep]!);
  return pick(images, index);
}

/** Images `index` of the input, with the picks record. */
function pick(images: ImageBatchU8, index: Int32Array): Corrupted & { picks: Picks } {
  const size = imageSize(images);
  const data = new Uint8Array(images.n * size);
  index.forEach((j, i) => data.set(images.data.subarray(j * size, (j + 1) * size), i * size));
  return { images: { ...images, n: index.length, data }, picks: { source: new Uint8Array(index.length), index } };
}

function needTraining(x: CorruptionInput): ImageBatchU8 {
  if (x.training === undefined) throw new RangeError('memorise needs training images (CorruptionInput.training)');
  return x.training;
}

function checkStrength(what: string, v: number, max: number): void {
  if (!(v >= 0 && v <= max)) throw new RangeError(`${what} must be in [0, ${max}], got ${v}`);
}

/**
 * What a corruption gets: the "generated" images (real, held out), their labels, and training images: real images
 * of the same distribution disjoint from both the generated and the reference images (what a model would have been
 * trained on; the memorisation corruption copies them).
 */
export interface CorruptionInput {
  readonly images: ImageBatchU8;
  readonly labels?: Int32Array;
  readonly training?: ImageBatchU8;
}

export interface CorruptionSpec {
  readonly id: string;
  readonly title: string;
  /** What a strength means, e.g. 'noise sigma (8-bit levels)'. */
  readonly unit: string;
  /** Default strengths, increasing, starting at 0 (the clean images). */
  readonly levels: readonly number[];
  readonly needsLabels: boolean;
  readonly apply: (input: CorruptionInput, strength: number, rng: Rng) => Corrupted;
}

/**
 * The sanity suite's corruptions (a frozen Map; adding one is a function above and one entry).
 *
 * @example
 * CORRUPTIONS.get('noise')!.levels; // [0, 8, 24, 64]
 */
export const CORRUPTIONS: ReadonlyMap<string, CorruptionSpec> = Object.freeze(
  new Map<string, CorruptionSpec>(
    (
      [
        { id: 'noise', title: 'Gaussian noise', unit: 'sigma in 8-bit levels', levels: [0, 8, 24, 64], needsLabels: false, apply: (x, s, rng) => ({ images: gaussianNoise(x.images, s, rng) }) },
        { id: 'blur', title: 'Gaussian blur', unit: 'sigma in pixels', levels: [0, 0.5, 1, 2], needsLabels: false, apply: (x, s) => ({ images: gaussianBlur(x.images, s) }) },
        { id: 'drop-classes', title: 'mode dropping', unit: 'fraction of classes dropped', levels: [0, 0.3, 0.6, 0.9], needsLabels: true, apply: (x, s, rng) => dropClasses(x.images, x.labels!, s, rng) },
        { id: 'memorise', title: 'memorisation (training copies)', unit: 'fraction replaced by training images', levels: [0, 0.25, 0.5, 1], needsLabels: false, apply: (x, s, rng) => memorise(x.images, needTraining(x), s, rng) },
        { id: 'shrink-diversity', title: 'shrinking diversity', unit: 'fraction of distinct images removed', levels: [0, 0.5, 0.8, 0.95], needsLabels: false, apply: (x, s, rng) => shrinkDiversity(x.images, s, rng) },
      ] satisfies CorruptionSpec[]
    ).map((c) => [c.id, c]),
  ),
);
