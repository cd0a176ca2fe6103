import { resolve } from 'node:path';
import { bootstrapGroup, withIntervals } from '../../metrics/bootstrap.js';
import { featureMatchingDescriptor } from '../../metrics/feature-matching.js';
import type { FeaturePairs, ImageStack, MetricValue } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import type { FeatureExtractor } from '../features/types.js';
import type { ImageBatchU8, ValueRange } from '../io/image.js';
import type { Recipe } from '../io/report.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';

/**
 * The per-pair feature-matching distance (metrics/feature-matching.ts) of image pairs through the named layers of a
 * GAN discriminator (the `discriminator:<path>` extractor), for `genbench pixel --discriminator` and paired
 * translation runs (translate.ts). Pixel values are mapped from the data range lo..hi to uint8
 * (clip(round((x - lo) / (hi - lo) * 255))) and then preprocessed as the discriminator's manifest says; uint8 images
 * in 0..255 pass unchanged. With `bootstrap`, the pair bootstrap's 95% interval (pairs resampled as pairs).
 *
 * @example
 * await featureMatchingOnPairs({ generated, reference, range: [0, 255], discriminator: 'subs/mnist-dcgan-disc.onnx' });
 * // { value: { value: 0.41, perPair: [...], layers: { f1: 0.2, f2: 0.2, logit: 0.01 } }, recipe: { extractor: ..., layers: [...] } }
 */
export interface FeatureMatchingRequest {
  /** Image i of `generated` is compared with image i of `reference`. */
  readonly generated: ImageStack;
  readonly reference: ImageStack;
  /** Data range of both stacks. */
  readonly range: ValueRange;
  /** Discriminator checkpoint (or its manifest; opened and disposed here) or an open `discriminator:` extractor. */
  readonly discriminator: string | FeatureExtractor;
  /** Layer names (default: every declared layer). */
  readonly layers?: readonly string[];
  readonly bootstrap?: { readonly resamples: number; readonly seed: number; readonly progress?: Progress };
  readonly progress?: Progress;
}

/** What a report's `recipe.featureMatching` records: the discriminator, its layers and preprocessing, the quantisation. */
export type FeatureMatchingRecipe = NonNullable<Recipe['featureMatching']>;

export async function featureMatchingOnPairs(req: FeatureMatchingRequest): Promise<{ value: MetricValue; recipe: FeatureMatchingRecipe }> {
  const fx = typeof req.discriminator === 'string' ? await openDiscriminator(req.discriminator) : req.discriminator;
  try {
    const names = req.layers === undefined ? fx.layers.map((l) => l.name) : [...req.layers];
    const opts = { layers: names, ...(req.progress ? { progress: req.progress } : {}) };
    const generated = await fx.extract(toU8(req.generated, req.range), opts);
    const reference = await fx.extract(toU8(req.reference, req.range), opts);
    const pairs: FeaturePairs = {
      generated: sideBySide(names.map((n) => generated[n]!)),
      reference: sideBySide(names.map((n) => reference[n]!)),
      layers: names.map((n) => ({ name: n, dim: generated[n]!.cols })),
    };
    const d = featureMatchingDescriptor;
    const results = req.bootstrap ? withIntervals(await bootstrapGroup(d, pairs, d.defaults, req.bootstrap)) : await d.compute(pairs, d.defaults);
    const recipe: FeatureMatchingRecipe = {
      extractor: fx.keyId,
      weightsSha256: fx.weightsSha256,
      engine: fx.engine,
      layers: pairs.layers.map((l) => ({ ...l })),
      preprocessing: { ...fx.preprocessing },
      quantisation: `uint8: clip(round((x - lo) / (hi - lo) * 255)), data range ${req.range.join('..')}`,
    };
    return { value: results.feature_matching!, recipe };
  } finally {
    if (typeof req.discriminator === 'string') await fx.dispose();
  }
}

/** The `discriminator:<path>` extractor of a checkpoint or its manifest (onnxruntime loads only when needed). */
export async function openDiscriminator(path: string): Promise<FeatureExtractor> {
  const { createExtractor } = await import('../features/index.js');
  return createExtractor(`discriminator:${resolve(path)}`);
}

/** `--layers f1,f2` as layer names (duplicates dropped). */
export function parseLayerList(list: string): string[] {
  const names = list.split(',').map((s) => s.trim());
  if (names.some((s) => s.length === 0)) throw new GenbenchError('USAGE', `--layers '${list}': empty layer name; give a comma-separated list such as f1,f2`);
  return [...new Set(names)];
}

/**
 * Refuses images of another shape than the discriminator's input (HxWxC): its features of resized or
 * channel-converted images would score the resize, not the images.
 */
export function checkDiscriminatorInput(fx: FeatureExtractor, images: { readonly height: number; readonly width: number; readonly channels: number }, what: string): void {
  const p = fx.preprocessing;
  if (p.height !== images.height || p.width !== images.width || p.channels !== images.channels) {
    throw new GenbenchError('INPUT', `--discriminator ${fx.id.replace(/^discriminator:/, '')}: takes ${p.height}x${p.width}x${p.channels} images (HxWxC) but ${what} are ${images.height}x${images.width}x${images.channels}; give a discriminator of their shape`);
  }
}

/** Images in lo..hi as uint8 ((x - lo) / (hi - lo) * 255, rounded, clipped). */
function toU8(s: ImageStack, [lo, hi]: ValueRange): ImageBatchU8 {
  const data = new Uint8Array(s.data.length);
  const scale = 255 / (hi - lo);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, Math.round((s.data[i]! - lo) * scale)));
  return { data, n: s.n, height: s.height, width: s.width, channels: s.channels };
}

/** The matrices' columns side by side (same rows). */
function sideBySide(ms: readonly Matrix[]): Matrix {
  const rows = ms[0]!.rows;
  const cols = ms.reduce((s, m) => s + m.cols, 0);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let offset = i * cols;
    for (const m of ms) {
      data.set(m.data.subarray(i * m.cols, (i + 1) * m.cols), offset);
      offset += m.cols;
    }
  }
  return { rows, cols, data };
}
