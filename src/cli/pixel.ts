import { Command } from 'commander';
import { bootstrapGroup, CONTRIBUTIONS_METHOD, withIntervals } from '../../metrics/bootstrap.js';
import { groupMetrics, parseMetricList } from '../../metrics/index.js';
import type { ImagePairs, ImageStack, MetricParams, MetricResults, MetricValue, PairMetricDescriptor } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import { VERSION } from '../version.js';
import { loadNpyInput, printHuman, type InputRecord } from './metrics.js';
import { parseIntFlag, printJson } from './output.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench pixel`: paired pixel metrics (MSE, L1, PSNR, SSIM) between two image arrays, pair i = (A[i], B[i]).
 * Arrays are uint8 or float, [N,H,W] (grayscale) or [N,H,W,C]; the data range is explicit (--range 255 for
 * uint8, 1 for images in [0, 1]). Each metric reports the mean over pairs (`value`) and `perPair`.
 *
 * @example
 * genbench pixel --a out.npy --b target.npy --range 255 --json   # { "mse": { "value": 632.69, "perPair": [...] }, ..., "recipe": {...} }
 */
interface PixelFlags {
  a: string;
  b: string;
  range: string;
  metrics: string;
  bootstrap?: string;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
}

export function pixelCommand(): Command {
  return new Command('pixel')
    .description('paired pixel metrics (mse, l1, psnr, ssim) between image arrays A and B (.npy, [N,H,W] or [N,H,W,C])')
    .requiredOption('--a <file.npy>', 'first image array (e.g. generated / translated images)')
    .requiredOption('--b <file.npy>', 'second image array (e.g. targets), same shape')
    .requiredOption('--range <R>', 'data range of the pixel values: 255 for uint8, 1 for [0, 1] floats')
    .option('--metrics <list>', 'comma-separated: mse, l1, psnr, ssim', 'mse,l1,psnr,ssim')
    .option('--bootstrap <n>', 'add 95% bootstrap intervals (ci95): percentile of per-pair values over n resamples of the pairs')
    .option('--seed <int>', 'bootstrap seed', '0')
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'no progress bar')
    .action(runPixel);
}

async function runPixel(f: PixelFlags): Promise<void> {
  const range = Number(f.range);
  if (!(range > 0) || !Number.isFinite(range)) throw new GenbenchError('USAGE', `--range: expected a positive number such as 255 or 1, got '${f.range}'`);
  const descs = parseMetricList(f.metrics);
  for (const d of descs) {
    if (d.input !== 'image-pairs') throw new GenbenchError('USAGE', `metric '${d.id}' is not a pixel metric; use genbench metrics for it (pixel metrics: mse, l1, psnr, ssim)`);
  }
  const resamples = f.bootstrap === undefined ? 0 : parseIntFlag('bootstrap', f.bootstrap, { min: 2 });
  const seed = parseIntFlag('seed', f.seed ?? '0', { min: 0 });
  const a = await loadImages(f.a);
  const b = await loadImages(f.b);
  const pairs: ImagePairs = { generated: a.stack, reference: b.stack };
  const d = descs[0] as PairMetricDescriptor;
  const params: MetricParams = { ...d.defaults, range };
  const all: MetricResults =
    resamples > 0 ? withIntervals(await bootstrapGroup(d, pairs, params, { resamples, seed, progress: stderrProgress({ quiet: f.quiet === true }) })) : await d.compute(pairs, params);
  const out: Record<string, unknown> = {};
  for (const g of groupMetrics(descs).flat()) out[g.id] = all[g.id];
  const recipe = {
    genbench: VERSION,
    command: 'pixel',
    metrics: descs.map((x) => x.id),
    inputs: { a: a.record, b: b.record },
    params,
    ...(resamples > 0 ? { bootstrap: { resamples, level: 0.95, method: CONTRIBUTIONS_METHOD, seed, over: 'pairs' } } : {}),
  };
  if (f.json) return printJson({ ...out, recipe });
  printHuman(out as Record<string, MetricValue>);
}

async function loadImages(path: string): Promise<{ stack: ImageStack; record: InputRecord }> {
  const { array, record } = await loadNpyInput(path);
  if (array.dtype !== 'uint8' && !array.dtype.startsWith('float')) {
    throw new GenbenchError('INPUT', `${path}: dtype ${array.dtype} is not an image dtype; save uint8 or float images`);
  }
  const s = array.shape;
  if (s.length !== 3 && s.length !== 4) {
    throw new GenbenchError('INPUT', `${path}: expected images [N,H,W] or [N,H,W,C], got shape (${s.join(', ')})`);
  }
  const data = Float64Array.from(array.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new GenbenchError('INPUT', `${path}: non-finite pixel value ${data[i]} at flat index ${i}`);
  }
  return { stack: { n: s[0]!, height: s[1]!, width: s[2]!, channels: s[3] ?? 1, data }, record };
}
