import type { Dataset } from '../data/types.js';
import type { ImageSet } from '../data/image-set.js';
import { resizeOf } from '../data/image-folder.js';
import { GenbenchError } from '../errors.js';
import { sliceImages, toUint8, type ImageBatchU8 } from '../io/image.js';
import type { Report } from '../io/report.js';
import type { Generator } from '../models/types.js';
import type { Progress } from '../progress.js';
import type { TrainingInfo } from './reference.js';

/**
 * Where `evaluate()` gets the images it scores: a generator's seeded samples, or a set of images given as they are
 * (`--generated`: the first n of them in file order, no sampling). Either way the images are 8-bit (a generator's
 * floats go through toUint8, the quantisation real images have), so a generator's samples saved with `genbench
 * sample --out` score exactly as the generator does with the same --n and --seed.
 *
 * @example
 * const src = imageSetSource(await loadImageSet('samples.npy'), mnist);
 * (await src.images({ n: 64, seed: 0 })).n; // 64
 * src.model.format;                         // 'images'
 */
export interface ImageSource {
  /** What the model was trained on (a generator's manifest, or the --train-split given with a set of images). */
  readonly training: TrainingInfo;
  readonly classes?: number;
  /** What made the images, for recipe.backend.generator. */
  readonly engine: string;
  /** The report's `model` section. */
  readonly model: Report['model'];
  /** Images available without sampling (a given set), or undefined for a generator. */
  readonly count?: number;
  /** The resize applied while reading a given set (`{ resize: '28x28', filter: 'bilinear' }`), when one was. */
  readonly preprocessing?: Readonly<Record<string, string>>;
  images(o: { n: number; seed: number; labels?: Int32Array; batchSize?: number; progress?: Progress }): Promise<ImageBatchU8>;
}

/** A generator as an image source: seeded samples, quantised to 8 bits. */
export function generatorSource(g: Generator): ImageSource {
  const main = g.manifest.file.split('/').pop()!;
  return {
    training: g.manifest,
    ...(g.classes === undefined ? {} : { classes: g.classes }),
    engine: g.engine,
    model: { name: g.manifest.name, path: g.path, format: g.manifest.format, files: { ...(g.manifest.files ?? {}), [main]: g.sha256 }, manifest: { ...g.manifest }, engine: g.engine },
    images: async (o) => toUint8(await g.sample(o)),
  };
}

/** Engine name recorded for images scored as given. */
export const GIVEN_IMAGES_ENGINE = 'none (images given)';

/**
 * A set of images as an image source: its first n images. `trainSplit` (of `ds`) stands in for a manifest's
 * training split, so the default reference split is held out from it as for a generator.
 */
export function imageSetSource(set: ImageSet, ds: Pick<Dataset, 'name'>, trainSplit?: string): ImageSource {
  const resized = resizeOf(set.details);
  return {
    training: trainSplit === undefined ? {} : { dataset: ds.name, train_split: trainSplit },
    engine: GIVEN_IMAGES_ENGINE,
    count: set.images.n,
    ...(resized === undefined ? {} : { preprocessing: resized }),
    model: { name: set.name, path: set.path, format: 'images', files: { ...set.files }, manifest: { format: 'images', count: set.images.n, ...set.details }, engine: GIVEN_IMAGES_ENGINE },
    images: async ({ n }) => {
      if (n > set.images.n) throw new GenbenchError('USAGE', `--n ${n}: ${set.path} holds ${set.images.n} images; pass --n ${set.images.n} or fewer`);
      return sliceImages(set.images, 0, n);
    },
  };
}
