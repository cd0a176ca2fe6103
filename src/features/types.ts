import type { ImageBatchU8, ValueRange } from '../io/image.js';
import type { ResizeFilter } from '../io/image-codec.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { GenbenchError } from '../errors.js';

/**
 * The FeatureExtractor interface: every network that turns images into feature vectors (MobileNet from assets, a GAN
 * discriminator, a user's custom export) looks the same to the harness. Each declares its layers, which layer each
 * kind of metric reads by default, and its preprocessing AS DATA: that record is part of every feature cache key
 * (feature cache keys), so two runs that resize differently can never share cached features.
 *
 * Features leave an extractor as Float64 matrices (rows = images), converted once from the network's float32 output
 * (statistics are float64); no tensor ever leaves it.
 *
 * @example
 * const fx = await createExtractor('mobilenet-v1-0.25');
 * fx.defaults;                 // { features: 'global_average_pooling2d_1', classScores: 'reshape_2' }
 * const out = await fx.extract(images, { layers: [fx.defaults.features] });
 * out['global_average_pooling2d_1']; // { rows: images.n, cols: 256, data: Float64Array }
 * await fx.dispose();
 */

/** What a layer's values are: feature vectors (FD, KID, PRDC) or class scores (IS) as logits or probabilities. */
export type LayerKind = 'features' | 'logits' | 'probabilities';

/** One output of the network, flattened per image to `dim` values (C,H,W or H,W,C order as the model emits it). */
export interface LayerInfo {
  readonly name: string;
  readonly dim: number;
  readonly kind: LayerKind;
}

/**
 * How images are turned into network input, in this order: channels converted (gray -> RGB repeats the value,
 * RGB -> gray is BT.601 luma, alpha dropped: io/image-codec.ts `toChannels`), resized to `height` x `width` with
 * `filter` by io/image-codec.ts `resizeImage` (on 8-bit values, rounded: the one resize of genbench), scaled
 * linearly from 0..255 to `range`, laid out as `layout`. For gray -> RGB, resizing before replicating gives the same
 * pixels and is what runs (3x less work).
 */
export interface Preprocessing {
  readonly height: number;
  readonly width: number;
  readonly filter: ResizeFilter;
  /** Value range of the network input: u8 0 maps to range[0], 255 to range[1]. */
  readonly range: ValueRange;
  /** Channels the network takes. */
  readonly channels: 1 | 3;
  /** Channel rule names, recorded so a change of rule changes the cache key. */
  readonly grayToRgb: 'replicate';
  readonly rgbToGray: 'bt601-luma';
  /** The resize runs on uint8 pixels and rounds (io/image-codec.ts), then values are scaled to `range`. */
  readonly resizeOn: 'uint8';
  readonly layout: 'NHWC' | 'NCHW';
}

/** Default layers: `features` for FD/KID/PRDC; `classScores` (logits or probabilities) for IS, when the net has one. */
export interface DefaultLayers {
  readonly features: string;
  readonly classScores?: string;
}

export interface ExtractOptions {
  /** Layer names to return (each must be declared); default: the default features layer. */
  readonly layers?: readonly string[];
  /** Images per forward pass (default 32). Results do not depend on it beyond float rounding. */
  readonly batchSize?: number;
  /** Ticks once per image. */
  readonly progress?: Progress;
}

export interface FeatureExtractor {
  /** The id as the user gave it, paths made absolute: 'mobilenet-v1-0.75', 'discriminator:/abs/disc.onnx'. */
  readonly id: string;
  /**
   * The network's identity for cache keys: the id with any path replaced by the model's manifest name
   * ('discriminator:mnist-dcgan-disc'), so moving a file keeps its cache; the weights hash tells models apart.
   */
  readonly keyId: string;
  readonly layers: readonly LayerInfo[];
  readonly defaults: DefaultLayers;
  readonly preprocessing: Preprocessing;
  /** sha256 of the weights: the file (ONNX) or the folder's tree hash over model.json + shards (TF.js). */
  readonly weightsSha256: string;
  /** Runtime, e.g. 'tfjs 4.22.0 (wasm)' or 'onnxruntime-node 1.30.0 (cpu)', for recipes. */
  readonly engine: string;
  /** Facts about the network that belong in every report's recipe (e.g. a classifier's held-out accuracy). */
  readonly info?: Readonly<Record<string, string | number>>;
  extract(images: ImageBatchU8, opts?: ExtractOptions): Promise<Record<string, Matrix>>;
  /** Releases the model (tfjs weights, ONNX session). The extractor cannot be used afterwards. */
  dispose(): Promise<void>;
}

/** The metric input kinds of metrics/types.ts: which default layer each reads. */
export type MetricInput = 'features' | 'class-scores';

/**
 * The default layer an extractor offers for a metric input kind; an extractor without class scores is a USAGE
 * error for IS that says which extractors have them.
 *
 * @example
 * defaultLayerFor(fx, 'class-scores'); // 'reshape_2' for MobileNet
 */
export function defaultLayerFor(fx: Pick<FeatureExtractor, 'id' | 'defaults'>, input: MetricInput): string {
  if (input === 'features') return fx.defaults.features;
  if (fx.defaults.classScores === undefined) {
    throw new GenbenchError(
      'USAGE',
      `extractor '${fx.id}' has no class-score (logits/probabilities) layer, so it cannot compute IS; use a mobilenet extractor or declare one in the custom manifest`,
    );
  }
  return fx.defaults.classScores;
}

/** The declared layer named `name`, or a USAGE error listing the declared ones. */
export function layerInfo(fx: Pick<FeatureExtractor, 'id' | 'layers'>, name: string): LayerInfo {
  const l = fx.layers.find((x) => x.name === name);
  if (l === undefined) {
    throw new GenbenchError('USAGE', `extractor '${fx.id}' has no layer '${name}'; its layers are ${fx.layers.map((x) => x.name).join(', ')}`);
  }
  return l;
}
