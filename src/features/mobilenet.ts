import { resolveAssetFolder, type ResolveOptions } from '../assets/index.js';
import { loadLayersModelFromFiles } from '../models/tfjs-io.js';
import type { ResizeFilter } from '../io/image-codec.js';
import { assembleExtractor } from './assemble.js';
import { preprocessing } from './preprocess.js';
import { layersForward } from './tfjs-forward.js';
import type { FeatureExtractor, LayerInfo, Preprocessing } from './types.js';

/**
 * MobileNet v1 (224x224, alpha 0.75 or 0.25) feature extractors: Google's published TF.js layers models, found as
 * genbench assets (`models/mobilenet_v1_<alpha>_224`: GENBENCH_ASSETS folders, then GENBENCH_HOME, then a verified
 * download). The default `mobilenet-v1-0.75` therefore works offline once the folder is there; it does not use
 * `@tensorflow-models/mobilenet`, which loads TF-Hub graph models from the network and is not a dependency.
 *
 * Layers: `global_average_pooling2d_1` (penultimate features, 768 / 256 values; FD, KID, PRDC), `conv_preds`
 * (the 1000 ImageNet logits, before softmax) and `reshape_2` (the 1000-way softmax; the IS default).
 * Preprocessing: gray replicated to RGB, resized to 224x224 (bilinear unless told), scaled to [-1, 1], NHWC.
 * The weights hash is the asset's tree hash over model.json and its shards.
 *
 * @example
 * const fx = await createMobilenetExtractor('0.25');
 * (await fx.extract(images, { layers: ['global_average_pooling2d_1', 'reshape_2'] }))['reshape_2'].cols; // 1000
 */
export type MobilenetAlpha = '0.75' | '0.25';

const FEATURE_DIM: Record<MobilenetAlpha, number> = { 0.75: 768, 0.25: 256 };
export const MOBILENET_FEATURES = 'global_average_pooling2d_1';
export const MOBILENET_LOGITS = 'conv_preds';
export const MOBILENET_PROBABILITIES = 'reshape_2';

export interface MobilenetOptions extends ResolveOptions {
  /** Resize filter from 28x28 (or any size) to 224x224; default 'bilinear'. */
  readonly filter?: ResizeFilter;
}

/** The preprocessing MobileNet v1 was trained with, given a resize filter. */
export function mobilenetPreprocessing(filter: ResizeFilter = 'bilinear'): Preprocessing {
  return preprocessing({ height: 224, width: 224, filter, range: [-1, 1], channels: 3, layout: 'NHWC' });
}

export function mobilenetLayers(alpha: MobilenetAlpha): LayerInfo[] {
  return [
    { name: MOBILENET_FEATURES, dim: FEATURE_DIM[alpha], kind: 'features' },
    { name: MOBILENET_LOGITS, dim: 1000, kind: 'logits' },
    { name: MOBILENET_PROBABILITIES, dim: 1000, kind: 'probabilities' },
  ];
}

export async function createMobilenetExtractor(alpha: MobilenetAlpha, opts: MobilenetOptions = {}): Promise<FeatureExtractor> {
  const folder = await resolveAssetFolder(`models/mobilenet_v1_${alpha}_224`, opts);
  const base = await loadLayersModelFromFiles(folder.path);
  const layers = mobilenetLayers(alpha);
  const p = mobilenetPreprocessing(opts.filter);
  const tfjs = layersForward(base, layers.map((l) => l.name), p, folder.path);
  const id = `mobilenet-v1-${alpha}`;
  return assembleExtractor({
    id,
    keyId: id,
    layers,
    defaults: { features: MOBILENET_FEATURES, classScores: MOBILENET_PROBABILITIES },
    preprocessing: p,
    weightsSha256: folder.treeSha256,
    engine: tfjs.engine,
    forward: tfjs.forward,
    release: tfjs.release,
  });
}
