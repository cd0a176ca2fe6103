import { createHash } from 'node:crypto';
import { canonicalJson } from '../io/canonical-json.js';
import type { ImageBatchU8 } from '../io/image.js';
import type { FeatureExtractor, Preprocessing } from './types.js';

/**
 * THE feature cache key (one function builds every key). A key is the sha256 of the canonical JSON
 * (keys sorted, no spaces) of: the cache format version, what the inputs are (content hashes, never paths), the
 * extractor's stable identity and weights sha256, the layer, and the full preprocessing record. Anything that can
 * change a feature value is in it; nothing that cannot (file paths, batch size, progress) is.
 *
 * @example
 * featureCacheKey({ inputs: imagesInputs(batch), extractor: 'mobilenet-v1-0.25', weightsSha256: '05aa...',
 *   layer: 'global_average_pooling2d_1', preprocessing: mobilenetPreprocessing() }); // '3f9c...' (64 hex digits)
 */

/** Bump when the stored format or the meaning of a key part changes: every older entry becomes a miss. */
export const FEATURE_CACHE_VERSION = 1;

/** What the features were computed from, by content. */
export type FeatureInputs =
  | {
    readonly kind: 'dataset';
    /** Registry name or the path the dataset was opened from. */
    readonly dataset: string;
    /** Normalised split expression, e.g. 'test[0:1000]'. */
    readonly split: string;
    /** sha256 of every file the split was read from, in load order. */
    readonly files: readonly string[];
    /** sha256 of the row indices kept, when only some rows of the split are (DatasetSplit.rows). */
    readonly rows?: string;
    /** Preprocessing applied while loading (folder resize, channel conversion), if any. */
    readonly loading?: Readonly<Record<string, string | number>>;
  }
  | {
    readonly kind: 'images';
    /** sha256 over the shape line and the pixel bytes (imagesInputs). */
    readonly sha256: string;
    readonly n: number;
  };

export interface FeatureKeyParts {
  readonly inputs: FeatureInputs;
  /** FeatureExtractor.keyId: 'mobilenet-v1-0.75', 'discriminator:mnist-dcgan-disc', 'custom:inception-v3'. */
  readonly extractor: string;
  readonly weightsSha256: string;
  readonly layer: string;
  readonly preprocessing: Preprocessing;
}

/** The one function that builds a feature cache key: 64 hex digits. */
export function featureCacheKey(parts: FeatureKeyParts): string {
  return createHash('sha256').update(canonicalJson(keyRecord(parts))).digest('hex');
}

/** The record hashed into a key (also stored in the sidecar, so a cache entry says how it was made). */
export function keyRecord(parts: FeatureKeyParts): Record<string, unknown> {
  return {
    format: `genbench.features/v${FEATURE_CACHE_VERSION}`,
    inputs: parts.inputs,
    extractor: parts.extractor,
    weightsSha256: parts.weightsSha256,
    layer: parts.layer,
    preprocessing: parts.preprocessing,
  };
}

/**
 * Inputs identified by the images themselves: sha256 of `u8 n h w c\n` followed by the pixel bytes (for generated
 * samples, or any batch without a dataset behind it).
 *
 * @example
 * imagesInputs({ data, n: 8, height: 28, width: 28, channels: 1 }); // { kind: 'images', sha256: 'c0ff...', n: 8 }
 */
export function imagesInputs(images: ImageBatchU8): FeatureInputs {
  const h = createHash('sha256').update(`u8 ${images.n} ${images.height} ${images.width} ${images.channels}\n`);
  h.update(images.data.subarray(0, images.n * images.height * images.width * images.channels));
  return { kind: 'images', sha256: h.digest('hex'), n: images.n };
}

/**
 * Inputs identified by a dataset split: the files' sha256 and the split expression (no pixel hashing needed), and
 * the sha256 of the rows kept when only some rows of the split are (a seeded random subset of it).
 *
 * @example
 * const s = await getDataset('mnist').load('test[:1000]');
 * datasetInputs('mnist', s); // { kind: 'dataset', dataset: 'mnist', split: 'test[0:1000]', files: ['0fa7...', ...] }
 */
export function datasetInputs(
  dataset: string,
  split: { split: string; rows?: string; source: { files: readonly { sha256: string }[]; preprocessing?: Readonly<Record<string, string | number>> } },
): FeatureInputs {
  const loading = split.source.preprocessing;
  return {
    kind: 'dataset',
    dataset,
    split: split.split,
    files: split.source.files.map((f) => f.sha256),
    ...(split.rows === undefined ? {} : { rows: split.rows }),
    ...(loading === undefined || Object.keys(loading).length === 0 ? {} : { loading }),
  };
}

/** Key parts for layer `layer` of extractor `fx` on `inputs`. */
export function keyPartsFor(fx: Pick<FeatureExtractor, 'keyId' | 'weightsSha256' | 'preprocessing'>, layer: string, inputs: FeatureInputs): FeatureKeyParts {
  return { inputs, extractor: fx.keyId, weightsSha256: fx.weightsSha256, layer, preprocessing: fx.preprocessing };
}
