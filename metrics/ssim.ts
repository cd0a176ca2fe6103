/**
 * Structural similarity (SSIM) of paired images, Gaussian-weighted.
 *
 * Paper: Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image Quality Assessment: From Error Visibility to
 * Structural Similarity", IEEE TIP 2004.
 * Checked against: scikit-image 0.19.3 `skimage.metrics.structural_similarity(a, b, gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=R)`, fixture `fixtures/metrics/pixel` in GENBENCH_ASSETS.
 *
 * Method (as scikit-image): local means, variances and covariance by a separable Gaussian filter (sigma 1.5,
 * truncate 3.5 -> radius 5, window 11, weights normalised to sum 1) applied along rows then columns with
 * scipy.ndimage's 'reflect' padding (d c b a | a b c d); population (co)variances; C1 = (0.01 R)^2,
 * C2 = (0.03 R)^2 with the explicit data range R; the SSIM map is cropped by 5 px on every side and averaged.
 * Colour images: SSIM per channel (each channel a 2-D image), then the mean over channels.
 *
 * @example
 * ssimPair(a, b, 0, 255); // 0.6037 for pair 0 of the 28x28 fixture
 */
import type { ImageStack } from './types.js';

const SIGMA = 1.5;
const RADIUS = 5; // int(3.5 * 1.5 + 0.5)
const K1 = 0.01;
const K2 = 0.03;

const WEIGHTS: Float64Array = (() => {
  const w = new Float64Array(2 * RADIUS + 1);
  let s = 0;
  for (let x = -RADIUS; x <= RADIUS; x++) s += w[x + RADIUS] = Math.exp((-0.5 / (SIGMA * SIGMA)) * x * x);
  return w.map((v) => v / s);
})();

/** scipy.ndimage 'reflect' index: d c b a | a b c d | d c b a. */
function reflect(i: number, n: number): number {
  const period = 2 * n;
  let k = ((i % period) + period) % period;
  if (k >= n) k = period - 1 - k;
  return k;
}

/** Gaussian filter of an h x w image: correlate along axis 0 (rows), then axis 1 (columns), as scipy does. */
export function gaussianFilter2d(img: Float64Array, h: number, w: number): Float64Array {
  const tmp = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = -RADIUS; t <= RADIUS; t++) s += WEIGHTS[t + RADIUS]! * img[reflect(y + t, h) * w + x]!;
      tmp[y * w + x] = s;
    }
  }
  const out = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let t = -RADIUS; t <= RADIUS; t++) s += WEIGHTS[t + RADIUS]! * tmp[y * w + reflect(x + t, w)]!;
      out[y * w + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of two single-channel h x w images (cropped by 5 px). Needs h, w >= 11. */
export function ssimChannel(a: Float64Array, b: Float64Array, h: number, w: number, range: number): number {
  const mul = (p: Float64Array, q: Float64Array) => p.map((v, i) => v * q[i]!);
  const ux = gaussianFilter2d(a, h, w);
  const uy = gaussianFilter2d(b, h, w);
  const uxx = gaussianFilter2d(mul(a, a), h, w);
  const uyy = gaussianFilter2d(mul(b, b), h, w);
  const uxy = gaussianFilter2d(mul(a, b), h, w);
  const c1 = (K1 * range) ** 2;
  const c2 = (K2 * range) ** 2;
  let sum = 0;
  for (let y = RADIUS; y < h - RADIUS; y++) {
    for (let x = RADIUS; x < w - RADIUS; x++) {
      const i = y * w + x;
      const mx = ux[i]!;
      const my = uy[i]!;
      const vx = uxx[i]! - mx * mx;
      const vy = uyy[i]! - my * my;
      const vxy = uxy[i]! - mx * my;
      sum += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
    }
  }
  return sum / ((h - 2 * RADIUS) * (w - 2 * RADIUS));
}

/** SSIM of pair `index` of two stacks: per channel, then averaged over channels. */
export function ssimPair(a: ImageStack, b: ImageStack, index: number, range: number): number {
  const { height: h, width: w, channels: c } = a;
  let total = 0;
  for (let ch = 0; ch < c; ch++) total += ssimChannel(channel(a, index, ch), channel(b, index, ch), h, w, range);
  return total / c;
}

function channel(s: ImageStack, index: number, ch: number): Float64Array {
  const { height: h, width: w, channels: c } = s;
  const out = new Float64Array(h * w);
  const base = index * h * w * c;
  for (let p = 0; p < h * w; p++) out[p] = s.data[base + p * c + ch]!;
  return out;
}

/** The smallest image side SSIM accepts (the 11-px window must fit). */
export const SSIM_MIN_SIDE = 2 * RADIUS + 1;
