import { resolve } from 'node:path';
import { bootstrapGroup, withIntervals } from '../../metrics/bootstrap.js';
import { featureMatchingDescriptor } from '../../metrics/feature-matching.js';
import type { FeaturePairs, ImageStack, MetricValue } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import type { ImageBatchU8 } from '../io/image.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';

/**
 * `genbench pixel --discriminator D`: the per-pair feature-matching distance (metrics/feature-matching.ts) of the
 * image pairs through the named layers of a GAN discriminator (the `discriminator:<path>` extractor). Pixel values
 * are mapped from 0..range to uint8 (rounded, clipped) and then preprocessed as the discriminator's manifest says;
 * uint8 images with --range 255 pass unchanged.
 *
 * @example
 * await featureMatchingOnPairs({ a, b, range: 255, discriminator: 'subs/mnist-dcgan-disc.onnx' });
 * // { value: { value: 0.41, perPair: [...], layers: { f1: 0.2, f2: 0.2, logit: 0.01 } }, recipe: { extractor: ..., layers: [...] } }
 */
export interface FeatureMatchingRequest {
  readonly a: ImageStack;
  readonly b: ImageStack;
  readonly range: number;
  /** Discriminator checkpoint (or its manifest). */
  readonly discriminator: string;
  /** Comma-separated layer names (default: every declared layer). */
  readonly layers?: string;
  readonly bootstrap?: { readonly resamples: number; readonly seed: number; readonly progress?: Progress };
  readonly progress?: Progress;
}

export async function featureMatchingOnPairs(req: FeatureMatchingRequest): Promise<{ value: MetricValue; recipe: Record<string, unknown> }> {
  const { createExtractor } = await import('../features/index.js'); // onnxruntime loads only when needed
  const fx = await createExtractor(`discriminator:${resolve(req.discriminator)}`);
  try {
    const names = req.layers === undefined ? fx.layers.map((l) => l.name) : parseLayers(req.layers);
    const opts = { layers: names, ...(req.progress ? { progress: req.progress } : {}) };
    const generated = await fx.extract(toU8(req.a, req.range), opts);
    const reference = await fx.extract(toU8(req.b, req.range), opts);
    const pairs: FeaturePairs = {
      generated: sideBySide(names.map((n) => generated[n]!)),
      reference: sideBySide(names.map((n) => reference[n]!)),
      layers: names.map((n) => ({ name: n, dim: generated[n]!.cols })),
    };
    const d = featureMatchingDescriptor;
    const results = req.bootstrap ? withIntervals(await bootstrapGroup(d, pairs, d.defaults, req.bootstrap)) : await d.compute(pairs, d.defaults);
    const recipe = { extractor: fx.keyId, weightsSha256: fx.weightsSha256, engine: fx.engine, layers: pairs.layers, preprocessing: { ...fx.preprocessing }, quantisation: 'uint8: clip(round(x / range * 255))' };
    return { value: results.feature_matching!, recipe };
  } finally {
    await fx.dispose();
  }
}

function parseLayers(list: string): string[] {
  const names = list.split(',').map((s) => s.trim());
  if (names.some((s) => s.length === 0)) throw new GenbenchError('USAGE', `--layers '${list}': empty layer name; give a comma-separated list such as f1,f2`);
  return [...new Set(names)];
}

/** Images in 0..range as uint8 (x / range * 255, rounded, clipped). */
function toU8(s: ImageStack, range: number): ImageBatchU8 {
  const data = new Uint8Array(s.data.length);
  const scale = 255 / range;
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(s.data[i]! * scale)));
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
