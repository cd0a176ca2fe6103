import type { ImageBatchU8 } from '../io/image.js';
import { imageSize } from '../io/image.js';
import type { Rng } from '../rng.js';
import type { DatasetSplit } from './types.js';

/** What `genbench datasets show` reports about one loaded split. */
export interface SplitSummary {
  readonly split: string;
  readonly count: number;
  readonly shape: readonly [number, number, number];
  readonly dtype: 'uint8';
  /** Pixel statistics over every value of every image, on the 0..255 scale (population std). */
  readonly pixels: { readonly mean: number; readonly std: number; readonly min: number; readonly max: number };
  /** Images per class, in class order (absent for unlabelled data). */
  readonly labels?: readonly { readonly label: number; readonly name: string; readonly count: number }[];
}

/**
 * Counts, shape, pixel mean/std (float64 sums) and the label histogram of a split.
 *
 * @example
 * summarizeSplit(await getDataset('mnist').load('test'), mnist.classNames).labels?.[0];
 * // { label: 0, name: '0', count: 980 }
 */
export function summarizeSplit(s: DatasetSplit, classNames?: readonly string[]): SplitSummary {
  const { images } = s;
  let sum = 0;
  let sumSq = 0;
  let min = 255;
  let max = 0;
  const d = images.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = Math.max(1, d.length);
  const mean = sum / n;
  const std = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
  return {
    split: s.split,
    count: images.n,
    shape: [images.height, images.width, images.channels],
    dtype: 'uint8',
    pixels: { mean, std, min: d.length ? min : 0, max },
    ...(s.labels ? { labels: histogram(s.labels, classNames) } : {}),
  };
}

function histogram(labels: Int32Array, classNames?: readonly string[]): { label: number; name: string; count: number }[] {
  let k = classNames?.length ?? 0;
  for (const l of labels) k = Math.max(k, l + 1);
  const counts = new Array<number>(k).fill(0);
  for (const l of labels) counts[l]!++;
  return counts.map((count, label) => ({ label, name: classNames?.[label] ?? String(label), count }));
}

/**
 * The first `n` images of a batch, or `n` images drawn without replacement by `rng` (in draw order) when given.
 *
 * @example
 * pickImages(test.images, 64).n; // 64
 */
export function pickImages(b: ImageBatchU8, n: number, rng?: Rng): ImageBatchU8 {
  const k = Math.min(n, b.n);
  const size = imageSize(b);
  const idx = rng ? rng.sampleWithoutReplacement(b.n, k) : Int32Array.from({ length: k }, (_, i) => i);
  const data = new Uint8Array(k * size);
  idx.forEach((j, i) => data.set(b.data.subarray(j * size, (j + 1) * size), i * size));
  return { data, n: k, height: b.height, width: b.width, channels: b.channels };
}
