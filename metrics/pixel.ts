/**
 * Paired pixel metrics for translation tasks: MSE, L1 (mean absolute error), PSNR and SSIM, per pair and the mean
 * over pairs. Pair i = (generated[i], reference[i]); values are in the units of the explicit data range R.
 *
 * Papers: PSNR is the classic 10 log10(R^2 / MSE); SSIM: Wang et al., IEEE TIP 2004 (see metrics/ssim.ts).
 * Checked against: scikit-image 0.19.3 `mean_squared_error`, `peak_signal_noise_ratio(data_range=R)`,
 * `structural_similarity` (fixture `fixtures/metrics/pixel` in GENBENCH_ASSETS); L1 = np.mean(np.abs(a - b)).
 *
 * Conventions: PSNR is the mean of per-pair PSNR (not the PSNR of the pooled MSE as torchmetrics' dim=None); an
 * identical pair has PSNR +Infinity, so the mean is +Infinity (reported with `identicalPairs`). The data range is
 * never inferred from the data.
 *
 * @example
 * pixelMetrics({ generated, reference }, { range: 255 }); // { mse: { value: 632.69, perPair: [...] }, psnr: ..., ssim: ... }
 */
import { GenbenchError } from '../src/errors.js';
import type { ParamSpecs } from './params.js';
import { SSIM_MIN_SIDE, ssimPair } from './ssim.js';
import {
  numParam,
  type Contributions,
  type ImagePairs,
  type MetricId,
  type MetricParams,
  type MetricResults,
  type PairMetricDescriptor,
  type ResultsWithContributions,
} from './types.js';

export interface PixelOptions {
  /** Data range R (e.g. 255 for uint8, 1 for [0, 1] floats). */
  readonly range: number;
  /** Which metrics to compute (default all four). */
  readonly metrics?: readonly PixelMetricId[];
}

export type PixelMetricId = 'mse' | 'l1' | 'psnr' | 'ssim';

export interface PixelSeries {
  readonly value: number;
  readonly perPair: number[];
}

/** Per-pair MSE, L1, PSNR and SSIM and their means over pairs. */
export function pixelMetrics(pairs: ImagePairs, opts: PixelOptions): Partial<Record<PixelMetricId, PixelSeries>> {
  checkPairs(pairs, opts.range);
  const want = new Set(opts.metrics ?? ['mse', 'l1', 'psnr', 'ssim']);
  const { generated: a, reference: b } = pairs;
  const size = a.height * a.width * a.channels;
  const mse: number[] = [];
  const l1: number[] = [];
  for (let p = 0; p < a.n; p++) {
    let sq = 0;
    let ab = 0;
    for (let k = p * size, e = k + size; k < e; k++) {
      const t = a.data[k]! - b.data[k]!;
      sq += t * t;
      ab += Math.abs(t);
    }
    mse.push(sq / size);
    l1.push(ab / size);
  }
  const out: Partial<Record<PixelMetricId, PixelSeries>> = {};
  if (want.has('mse')) out.mse = series(mse);
  if (want.has('l1')) out.l1 = series(l1);
  if (want.has('psnr')) out.psnr = series(mse.map((m) => 10 * Math.log10((opts.range * opts.range) / m)));
  if (want.has('ssim')) out.ssim = series(Array.from({ length: a.n }, (_, p) => ssimPair(a, b, p, opts.range)));
  return out;
}

function series(perPair: number[]): PixelSeries {
  return { value: perPair.reduce((s, v) => s + v, 0) / perPair.length, perPair };
}

function checkPairs(pairs: ImagePairs, range: number): void {
  const { generated: a, reference: b } = pairs;
  if (!(range > 0) || !Number.isFinite(range)) throw new GenbenchError('USAGE', `data range must be a positive number (e.g. 255 or 1), got ${range}`);
  if (a.n !== b.n || a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    const shape = (s: typeof a) => `${s.n}x${s.height}x${s.width}x${s.channels}`;
    throw new GenbenchError('INPUT', `paired images differ in shape: generated ${shape(a)} vs reference ${shape(b)}; pass arrays of the same [N,H,W(,C)]`);
  }
  if (a.n < 1) throw new GenbenchError('INPUT', 'no image pairs: the arrays hold 0 images');
  for (const [role, s] of [['generated', a], ['reference', b]] as const) {
    for (let i = 0; i < s.data.length; i++) {
      if (!Number.isFinite(s.data[i]!)) throw new GenbenchError('INPUT', `${role}: non-finite pixel value ${s.data[i]} at flat index ${i}`);
    }
  }
}

async function contributions(pairs: ImagePairs, params: MetricParams): Promise<ResultsWithContributions> {
  const range = numParam(params, 'range');
  if (Math.min(pairs.generated.height, pairs.generated.width) < SSIM_MIN_SIDE) {
    throw new GenbenchError('INPUT', `SSIM needs images of at least ${SSIM_MIN_SIDE}x${SSIM_MIN_SIDE} pixels, got ${pairs.generated.height}x${pairs.generated.width}`);
  }
  const r = pixelMetrics(pairs, { range });
  const results: MetricResults = {};
  const perPair: Partial<Record<MetricId, Contributions>> = {};
  for (const id of ['mse', 'l1', 'psnr', 'ssim'] as const) {
    const s = r[id]!;
    const identical = id === 'psnr' ? s.perPair.filter((v) => v === Infinity).length : 0;
    results[id] = { value: s.value, perPair: s.perPair, ...(identical > 0 ? { identicalPairs: identical } : {}) };
    perPair[id] = { over: 'pairs', values: Float64Array.from(s.perPair) };
  }
  return { results, contributions: perPair };
}

async function compute(pairs: ImagePairs, params: MetricParams): Promise<MetricResults> {
  return (await contributions(pairs, params)).results;
}

/** The one parameter: the data range, which has no default (never inferred from the data). */
const PIXEL_PARAMS: ParamSpecs = {
  range: { type: 'number', min: Number.MIN_VALUE, help: 'data range of the pixel values (e.g. 255 or 1)', example: 1 },
};

/** Fixed SSIM settings of the method (metrics/ssim.ts), recorded in recipes; not parameters. */
const PIXEL_CONSTANTS: MetricParams = { ssimWindow: 11, ssimSigma: 1.5, ssimTruncate: 3.5, ssimK1: 0.01, ssimK2: 0.03, ssimCrop: 5, padding: 'reflect' };

function descriptor(id: PixelMetricId, title: string, higherIsBetter: boolean, order: number, paper: string, reference: string): PairMetricDescriptor {
  const shown = { tolerance: { absolute: 0, relative: 0.05 }, display: { order, label: id.toUpperCase() } };
  return { id, group: 'pixel', input: 'image-pairs', title, higherIsBetter, paper, reference, params: PIXEL_PARAMS, defaults: PIXEL_CONSTANTS, ...shown, compute, contributions };
}

export const mseDescriptor = descriptor('mse', 'Mean squared error', false, 120, 'classic', 'skimage.metrics.mean_squared_error');
export const l1Descriptor = descriptor('l1', 'Mean absolute error (L1)', false, 110, 'classic', 'np.mean(np.abs(a - b))');
export const psnrDescriptor = descriptor('psnr', 'Peak signal-to-noise ratio (mean of per-pair PSNR)', true, 130, 'classic', 'skimage.metrics.peak_signal_noise_ratio');
export const ssimDescriptor = descriptor('ssim', 'Structural similarity (Gaussian 11, sigma 1.5)', true, 140, 'Wang et al., IEEE TIP 2004', 'skimage.metrics.structural_similarity(gaussian_weights=True)');
