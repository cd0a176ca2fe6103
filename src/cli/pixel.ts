import { Command } from 'commander';
import { BOOTSTRAP_DEFAULTS, bootstrapGroup, RECENTRED_METHOD, withIntervals } from '../../metrics/bootstrap.js';
import { groupMetrics, parseMetricList } from '../../metrics/index.js';
import type { ImagePairs, ImageStack, MetricParams, MetricResults, MetricValue, PairMetricDescriptor } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import { VERSION } from '../version.js';
import { readNpyHeader, type NpyHeader } from '../io/npy.js';
import { loadNpyInput, printHuman, type InputRecord } from './metrics.js';
import { parseIntFlag, printJson } from './output.js';
import { featureMatchingOnPairs, parseLayerList } from '../harness/pair-feature-matching.js';
import { stderrProgress } from './progress-bar.js';

/**
 * `genbench pixel`: paired pixel metrics (MSE, L1, PSNR, SSIM) between two image arrays, pair i = (A[i], B[i]).
 * Arrays are uint8 or float, [N,H,W] (grayscale) or [N,H,W,C]; the data range is explicit (--range 255 for
 * uint8, 1 for images in [0, 1]). Each metric reports the mean over pairs (`value`) and `perPair`. With
 * `--discriminator D` it adds `feature_matching`, the per-pair feature-matching distance through D's named layers
 * (mean over pairs of sum_l ||phi_l(a) - phi_l(b)||^2 / dim_l, per-layer means in `layers`; src/harness/pair-feature-matching.ts).
 *
 * @example
 * genbench pixel --a out.npy --b target.npy --range 255 --json   # { "mse": { "value": 632.69, "perPair": [...] }, ..., "recipe": {...} }
 */
interface PixelFlags {
  a: string;
  b: string;
  range: string;
  metrics: string;
  bootstrap: string;
  ci: boolean;
  seed?: string;
  json?: boolean;
  quiet?: boolean;
  discriminator?: string;
  layers?: string;
}

const PIXEL_DEFAULT = 'mse,l1,psnr,ssim';

export function pixelCommand(): Command {
  return new Command('pixel')
    .description('paired metrics between image arrays A and B (.npy, [N,H,W] or [N,H,W,C]): mse, l1, psnr, ssim; feature_matching with --discriminator')
    .requiredOption('--a <file.npy>', 'first image array (e.g. generated / translated images)')
    .requiredOption('--b <file.npy>', 'second image array (e.g. targets), same shape')
    .requiredOption('--range <R>', 'data range of the pixel values: 255 for uint8, 1 for [0, 1] floats')
    .option('--metrics <list>', 'comma-separated: mse, l1, psnr, ssim, feature_matching (needs --discriminator)', PIXEL_DEFAULT)
    .option('--discriminator <path>', 'GAN discriminator checkpoint (ONNX or TF.js with a manifest naming its outputs): adds feature_matching, the per-pair feature-matching distance over its layers')
    .option('--layers <list>', 'discriminator layers for feature_matching (default: every output its manifest names), e.g. f1,f2')
    .option('--bootstrap <n>', 'resamples of the pairs for the 95% intervals (ci95) on every metric (0 = none)', String(BOOTSTRAP_DEFAULTS.resamples))
    .option('--no-ci', 'no intervals (same as --bootstrap 0)')
    .option('--seed <int>', 'bootstrap seed', '0')
    .option('--json', 'machine-readable output on stdout')
    .option('--quiet', 'no progress bar')
    .action(runPixel);
}

async function runPixel(f: PixelFlags): Promise<void> {
  const range = Number(f.range);
  if (!(range > 0) || !Number.isFinite(range)) throw new GenbenchError('USAGE', `--range: expected a positive number such as 255 or 1, got '${f.range}'`);
  const all = parseMetricList(f.discriminator !== undefined && f.metrics === PIXEL_DEFAULT ? `${PIXEL_DEFAULT},feature_matching` : f.metrics);
  const descs = all.filter((d) => d.input === 'image-pairs');
  const matching = all.some((d) => d.input === 'feature-pairs');
  for (const d of all) {
    if (d.input !== 'image-pairs' && d.input !== 'feature-pairs') throw new GenbenchError('USAGE', `metric '${d.id}' is not a pixel metric; use genbench metrics for it (pixel metrics: mse, l1, psnr, ssim, feature_matching)`);
  }
  if (matching && f.discriminator === undefined) throw new GenbenchError('USAGE', 'metric feature_matching needs --discriminator <checkpoint of a GAN discriminator>');
  if (f.layers !== undefined && f.discriminator === undefined) throw new GenbenchError('USAGE', '--layers: give --discriminator too (layers are its outputs)');
  const resamples = f.ci ? parseIntFlag('bootstrap', f.bootstrap, { min: 0 }) : 0;
  if (resamples === 1) throw new GenbenchError('USAGE', '--bootstrap: give 0 (no intervals) or at least 2 resamples, e.g. 200');
  const seed = parseIntFlag('seed', f.seed ?? '0', { min: 0 });
  await checkPair(f.a, f.b);
  const a = await loadImages(f.a);
  const b = await loadImages(f.b);
  checkRange(a.stack, f.a, range, f.range);
  checkRange(b.stack, f.b, range, f.range);
  const pairs: ImagePairs = { generated: a.stack, reference: b.stack };
  const progress = stderrProgress({ quiet: f.quiet === true });
  const d = descs[0] as PairMetricDescriptor | undefined;
  const params: MetricParams = { ...d?.defaults, range };
  const results: MetricResults =
    d === undefined ? {} : resamples > 0 ? withIntervals(await bootstrapGroup(d, pairs, params, { resamples, seed, progress })) : await d.compute(pairs, params);
  const out: Record<string, unknown> = {};
  for (const g of groupMetrics(descs).flat()) out[g.id] = results[g.id];
  const fm = matching
    ? await featureMatchingOnPairs({
        generated: a.stack,
        reference: b.stack,
        range: [0, range],
        discriminator: f.discriminator!,
        progress,
        ...(f.layers === undefined ? {} : { layers: parseLayerList(f.layers) }),
        ...(resamples > 0 ? { bootstrap: { resamples, seed } } : {}),
      })
    : undefined;
  if (fm !== undefined) out['feature_matching'] = fm.value;
  const recipe = {
    genbench: VERSION,
    command: 'pixel',
    metrics: all.map((x) => x.id),
    inputs: { a: a.record, b: b.record },
    params,
    ...(fm === undefined ? {} : { featureMatching: fm.recipe }),
    bootstrap: resamples > 0 ? { resamples, level: 0.95, method: RECENTRED_METHOD, seed, covers: 'sampling of the pairs' } : null,
  };
  if (f.json) return printJson({ ...out, recipe });
  printHuman(out as Record<string, MetricValue>);
}

/** Both headers before any data: image dtypes, rank 3 or 4, the same shape, and not uint8 against float. */
async function checkPair(aPath: string, bPath: string): Promise<void> {
  const a = await imageHeader(aPath);
  const b = await imageHeader(bPath);
  if (a.shape.join(',') !== b.shape.join(',')) {
    throw new GenbenchError('INPUT', `--a ${aPath} has shape (${a.shape.join(', ')}) but --b ${bPath} has (${b.shape.join(', ')}); pairs need the same shape`);
  }
  if ((a.dtype === 'uint8') !== (b.dtype === 'uint8')) {
    throw new GenbenchError('INPUT', `--a ${aPath} is ${a.dtype} but --b ${bPath} is ${b.dtype}; bring both to one scale first (e.g. uint8 0..255 for both, or float = uint8 / 255)`);
  }
}

async function imageHeader(path: string): Promise<NpyHeader> {
  const h = await readNpyHeader(path);
  if (h.dtype !== 'uint8' && !h.dtype.startsWith('float')) {
    throw new GenbenchError('INPUT', `${path}: dtype ${h.dtype} is not an image dtype; save uint8 or float images`);
  }
  if (h.shape.length !== 3 && h.shape.length !== 4) {
    throw new GenbenchError('INPUT', `${path}: expected images [N,H,W] or [N,H,W,C], got shape (${h.shape.join(', ')})`);
  }
  return h;
}

/** The values must fit the declared data range: their spread (max - min) may not exceed --range. */
function checkRange(stack: ImageStack, path: string, range: number, given: string): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of stack.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi - lo > range * (1 + 1e-6)) {
    const hint = hi > 1.5 ? 255 : hi - lo <= 2 && lo < 0 ? 2 : 1;
    throw new GenbenchError('INPUT', `--range ${given}: ${path} has values from ${lo} to ${hi}, wider than the range; use --range ${hint} (255 for 0..255 images, 1 for [0, 1], 2 for [-1, 1])`);
  }
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
