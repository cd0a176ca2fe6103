import { GenbenchError } from '../errors.js';
import { resolveAsset } from '../assets/index.js';
import { readIdxPair } from './idx.js';
import { requireSplit, sliceSplit } from './split-spec.js';
import { assetsAvailable } from './local-assets.js';
import type { Dataset, DatasetSplit, LoadOptions, SplitInfo } from './types.js';

/** One split of an IDX dataset: its image and label asset ids and the number of images they must hold. */
export interface IdxSplitSpec {
  readonly images: string;
  readonly labels: string;
  readonly count: number;
  /** Approximate download size of both files, shown while the split is not on this machine. */
  readonly downloadBytes?: number;
}

/** An MNIST-style dataset of 28x28 grayscale IDX files (one image file and one label file per split). */
export interface IdxDatasetSpec {
  readonly name: string;
  /** Display name in error messages ('MNIST', 'Fashion-MNIST'). */
  readonly title: string;
  readonly description: string;
  readonly license: string;
  readonly splits: Readonly<Record<string, IdxSplitSpec>>;
  readonly classNames: readonly string[];
}

/**
 * A Dataset over IDX asset pairs: each load resolves (finds or downloads, then verifies) the split's two files and
 * checks the image count, the 28x28 size and that every label names a class.
 *
 * @example
 * const ds = idxDataset({ name: 'mnist', title: 'MNIST', splits: { test: { images: '...', labels: '...', count: 10000 } }, ... });
 * (await ds.load('test[:100]')).images.n; // 100
 */
export function idxDataset(spec: IdxDatasetSpec): Dataset {
  const splits: SplitInfo[] = Object.entries(spec.splits).map(([name, s]) => ({
    name,
    count: s.count,
    ...(s.downloadBytes === undefined ? {} : { downloadBytes: s.downloadBytes }),
  }));
  return {
    name: spec.name,
    description: spec.description,
    license: spec.license,
    splits,
    shape: { height: 28, width: 28, channels: 1 },
    classNames: spec.classNames,
    async load(split: string, opts: LoadOptions = {}): Promise<DatasetSplit> {
      const info = requireSplit(spec.name, splits, split);
      const files = spec.splits[info.name]!;
      const resolveOpts = { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) };
      const img = await resolveAsset(files.images, resolveOpts);
      const lab = await resolveAsset(files.labels, resolveOpts);
      const { images, labels } = await readIdxPair(img.path, lab.path);
      if (images.n !== files.count || images.height !== 28 || images.width !== 28) {
        throw new GenbenchError(
          'INPUT',
          `${img.path}: ${spec.title} ${info.name} should hold ${files.count} images of 28x28, found ${images.n} of ${images.height}x${images.width}`,
        );
      }
      const bad = labels.findIndex((l) => l >= spec.classNames.length);
      if (bad >= 0) {
        throw new GenbenchError('INPUT', `${lab.path}: label ${labels[bad]} at index ${bad} is not a class of ${spec.title} (0..${spec.classNames.length - 1})`);
      }
      const full: DatasetSplit = {
        images,
        labels,
        split: info.name,
        source: {
          files: [
            { id: files.images, path: img.path, sha256: img.sha256 },
            { id: files.labels, path: lab.path, sha256: lab.sha256 },
          ],
        },
      };
      return sliceSplit(full, split);
    },
    async available(split: string): Promise<boolean> {
      const files = spec.splits[requireSplit(spec.name, splits, split).name]!;
      return assetsAvailable([files.images, files.labels]);
    },
  };
}
