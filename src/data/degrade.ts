import { resizeImage, type ResizeFilter } from '../io/image-codec.js';
import { imageSize, roundHalfEven, type ImageBatchU8 } from '../io/image.js';
import type { Rng } from '../rng.js';

/**
 * Degradation models of the built-in restoration tasks: pure functions from clean uint8 images (the targets) to
 * degraded ones (the sources), with every choice stated.
 *
 * - `downUp`: resolution loss. Each image is resized to 1/factor of its size with `down` (the `area` box filter:
 *   an integer factor averages each factor x factor block exactly) and back to its size with `up`, both through
 *   genbench's one resize (io/image-codec.ts `resizeImage`, PIL's kernels, rounded to uint8 after each pass).
 * - `poissonNoise`: photon-counting noise as in low-dose imaging. A pixel of value v is a Poisson count with mean
 *   lambda = photons * v / 255 (`photons` is the count at full white), shown again on the 0..255 scale:
 *   round-half-even(255 k / photons) clipped to 255 (so bright pixels lose the upper part of their noise, as a
 *   detector that saturates does: at full white, counts of `photons` or more all show as 255). Counts are drawn by inversion of the Poisson CDF (one uniform
 *   per pixel, tables per pixel value), from `rng` in pixel order, so a seed gives one image set.
 *
 * @example
 * downUp(clean, { factor: 2, down: 'area', up: 'bilinear' }); // 28 -> 14 -> 28
 * poissonNoise(clean, { photons: 50 }, new Rng(0));          // each pixel Poisson(50 v / 255), rescaled
 */
export interface DownUpSpec {
  readonly factor: number;
  readonly down: ResizeFilter;
  readonly up: ResizeFilter;
}

export function downUp(images: ImageBatchU8, spec: DownUpSpec): ImageBatchU8 {
  const { n, height, width, channels } = images;
  const small = { height: Math.round(height / spec.factor), width: Math.round(width / spec.factor) };
  const size = imageSize(images);
  const out = new Uint8Array(images.data.length);
  for (let i = 0; i < n; i++) {
    const img = { data: images.data.subarray(i * size, (i + 1) * size), height, width, channels: channels as 1 | 3 };
    const down = resizeImage(img, { ...small, filter: spec.down });
    out.set(resizeImage(down, { height, width, filter: spec.up }).data, i * size);
  }
  return { ...images, data: out };
}

export interface PoissonSpec {
  /** Mean photon count of a white (255) pixel. */
  readonly photons: number;
}

export function poissonNoise(images: ImageBatchU8, spec: PoissonSpec, rng: Rng): ImageBatchU8 {
  if (!(spec.photons > 0 && spec.photons <= 700)) throw new RangeError(`photons must lie in (0, 700] (exp(-photons) must not underflow), got ${spec.photons}`);
  const tables = Array.from({ length: 256 }, (_, v) => poissonCdf((spec.photons * v) / 255));
  const out = new Uint8Array(images.data.length);
  for (let i = 0; i < out.length; i++) {
    const cdf = tables[images.data[i]!]!;
    const u = rng.float();
    let k = 0;
    while (k < cdf.length - 1 && u >= cdf[k]!) k++;
    out[i] = Math.min(255, roundHalfEven((255 * k) / spec.photons));
  }
  return { ...images, data: out };
}

/**
 * The Poisson CDF P(K <= k) for k = 0, 1, ... up to where it reaches 1 - 1e-15 (terms by the recurrence
 * p(k) = p(k - 1) lambda / k), the last entry forced to 1 so every uniform in [0, 1) finds a count.
 *
 * @example
 * poissonCdf(0); // Float64Array [1]
 */
export function poissonCdf(lambda: number): Float64Array {
  const cdf: number[] = [];
  let p = Math.exp(-lambda);
  let sum = p;
  cdf.push(sum);
  for (let k = 1; sum < 1 - 1e-15 && k < lambda + 40 * Math.sqrt(lambda) + 40; k++) {
    p *= lambda / k;
    sum += p;
    cdf.push(sum);
  }
  cdf[cdf.length - 1] = 1;
  return Float64Array.from(cdf);
}
