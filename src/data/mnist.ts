import { GenbenchError } from '../errors.js';
import { resolveAsset } from '../assets/index.js';
import { readIdxPair } from './idx.js';
import { requireSplit, sliceSplit } from './split-spec.js';
import { assetsAvailable } from './local-assets.js';
import type { Dataset, DatasetSplit, LoadOptions } from './types.js';

/**
 * MNIST (LeCun, Cortes & Burges): 28x28 grayscale handwritten digits, white on black, labels 0..9.
 * `test` is the 10,000-image t10k split; `train` (60,000 images) is downloaded on first use.
 */
const FILES: Record<string, { images: string; labels: string }> = {
  train: { images: 'datasets/mnist/train-images-idx3-ubyte.gz', labels: 'datasets/mnist/train-labels-idx1-ubyte.gz' },
  test: { images: 'datasets/mnist/t10k-images-idx3-ubyte.gz', labels: 'datasets/mnist/t10k-labels-idx1-ubyte.gz' },
};
const COUNTS: Record<string, number> = { train: 60000, test: 10000 };

/**
 * The `mnist` dataset.
 *
 * @example
 * const test = await mnist.load('test'); // images 10000x28x28x1, labels 0..9
 */
export const mnist: Dataset = {
  name: 'mnist',
  description: 'MNIST handwritten digits, 28x28 grayscale, 10 classes',
  license: 'Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0',
  splits: [
    { name: 'train', count: COUNTS['train']!, downloadBytes: 9912422 + 28881 },
    { name: 'test', count: COUNTS['test']! },
  ],
  shape: { height: 28, width: 28, channels: 1 },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  async load(split: string, opts: LoadOptions = {}): Promise<DatasetSplit> {
    const info = requireSplit('mnist', this.splits, split);
    const files = FILES[info.name]!;
    const resolveOpts = { ...(opts.progress ? { progress: opts.progress } : {}), ...(opts.offline ? { offline: true } : {}) };
    const img = await resolveAsset(files.images, resolveOpts);
    const lab = await resolveAsset(files.labels, resolveOpts);
    const { images, labels } = await readIdxPair(img.path, lab.path);
    const expected = COUNTS[info.name]!;
    if (images.n !== expected || images.height !== 28 || images.width !== 28) {
      throw new GenbenchError('INPUT', `${img.path}: MNIST ${info.name} should hold ${expected} images of 28x28, found ${images.n} of ${images.height}x${images.width}`);
    }
    const bad = labels.findIndex((l) => l > 9);
    if (bad >= 0) throw new GenbenchError('INPUT', `${lab.path}: label ${labels[bad]} at index ${bad} is not a digit 0..9`);
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
    const files = FILES[requireSplit('mnist', this.splits, split).name]!;
    return assetsAvailable([files.images, files.labels]);
  },
};
