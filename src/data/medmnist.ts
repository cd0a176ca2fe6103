import { GenbenchError } from '../errors.js';
import { resolveAsset } from '../assets/index.js';
import { assetsAvailable } from './local-assets.js';
import { npzSplitArrays, parseNpz, readWithHash } from './npz.js';
import { requireSplit, sliceSplit } from './split-spec.js';
import type { Dataset, DatasetSplit, LoadOptions, SplitInfo } from './types.js';

/**
 * MedMNIST v2 datasets (Yang et al. 2023, "MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D
 * biomedical image classification"), stored as `.npz` with members `<split>_images.npy` / `<split>_labels.npy`.
 */
interface MedMnistSpec {
  readonly name: string;
  readonly assetId: string;
  readonly description: string;
  readonly license: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly classNames: readonly string[];
}

/**
 * A Dataset over one MedMNIST `.npz` asset; each load reads only the members of the requested split.
 *
 * @example
 * const ds = medmnistDataset({ name: 'pneumoniamnist', assetId: '...', counts: { train: 2428 }, ... });
 */
export function medmnistDataset(spec: MedMnistSpec): Dataset {
  const splits: SplitInfo[] = Object.entries(spec.counts).map(([name, count]) => ({ name, count }));
  return {
    name: spec.name,
    description: spec.description,
    license: spec.license,
    splits,
    shape: { height: 28, width: 28, channels: 1 },
    classNames: spec.classNames,
    async load(split: string, opts: LoadOptions = {}): Promise<DatasetSplit> {
      const info = requireSplit(spec.name, splits, split);
      const resolveOpts = { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) };
      const asset = await resolveAsset(spec.assetId, resolveOpts);
      const { bytes } = await readWithHash(asset.path);
      const arrays = parseNpz(bytes, asset.path, (m) => m === `${info.name}_images` || m === `${info.name}_labels`);
      const { images, labels } = npzSplitArrays(arrays, info.name, asset.path);
      if (!labels) throw new GenbenchError('INPUT', `${asset.path}: member ${info.name}_labels.npy is missing`);
      if (images.n !== info.count || images.height !== 28 || images.width !== 28) {
        throw new GenbenchError('INPUT', `${asset.path}: ${spec.name} ${info.name} should hold ${info.count} images of 28x28, found ${images.n} of ${images.height}x${images.width}`);
      }
      const bad = labels.findIndex((l) => l >= spec.classNames.length);
      if (bad >= 0) throw new GenbenchError('INPUT', `${asset.path}: label ${labels[bad]} at index ${bad} of ${info.name} is not a class of ${spec.name}`);
      const full: DatasetSplit = {
        images,
        labels,
        split: info.name,
        source: { files: [{ id: spec.assetId, path: asset.path, sha256: asset.sha256 }] },
      };
      return sliceSplit(full, split);
    },
    async available(split: string): Promise<boolean> {
      requireSplit(spec.name, splits, split);
      return assetsAvailable([spec.assetId]);
    },
  };
}

const PNEUMONIA = {
  description: 'chest X-rays (MedMNIST v2 PneumoniaMNIST), 28x28 grayscale',
  classNames: ['normal', 'pneumonia'],
};

/** `pneumoniamnist`: the class-balanced subset in genbench's shared assets (1583 of each class, pneumonia undersampled). */
export const pneumoniamnist: Dataset = medmnistDataset({
  name: 'pneumoniamnist',
  assetId: 'datasets/pneumoniamnist/pneumoniamnist_balanced.npz',
  description: `${PNEUMONIA.description}, class-balanced subset`,
  license: 'MedMNIST (Yang et al. 2023), CC BY 4.0; balanced by undersampling pneumonia',
  counts: { train: 2428, val: 270, test: 468 },
  classNames: PNEUMONIA.classNames,
});

/** `pneumoniamnist-full`: the official MedMNIST v2 file (5856 images, about 3:1 pneumonia to normal). */
export const pneumoniamnistFull: Dataset = medmnistDataset({
  name: 'pneumoniamnist-full',
  assetId: 'datasets/pneumoniamnist/pneumoniamnist.npz',
  description: `${PNEUMONIA.description}, official splits`,
  license: 'MedMNIST (Yang et al. 2023), CC BY 4.0',
  counts: { train: 4708, val: 524, test: 624 },
  classNames: PNEUMONIA.classNames,
});
