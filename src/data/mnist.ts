import { idxDataset } from './idx-dataset.js';
import type { Dataset } from './types.js';

/**
 * The `mnist` dataset. MNIST (LeCun, Cortes & Burges): 28x28 grayscale handwritten digits, white on black, labels
 * 0..9. `test` is the 10,000-image t10k split; `train` (60,000 images) is downloaded on first use.
 *
 * @example
 * const test = await mnist.load('test'); // images 10000x28x28x1, labels 0..9
 */
export const mnist: Dataset = idxDataset({
  name: 'mnist',
  title: 'MNIST',
  description: 'MNIST handwritten digits, 28x28 grayscale, 10 classes',
  license: 'Y. LeCun, C. Cortes, C. Burges; CC BY-SA 3.0',
  splits: {
    train: {
      images: 'datasets/mnist/train-images-idx3-ubyte.gz',
      labels: 'datasets/mnist/train-labels-idx1-ubyte.gz',
      count: 60000,
      downloadBytes: 9912422 + 28881,
    },
    test: { images: 'datasets/mnist/t10k-images-idx3-ubyte.gz', labels: 'datasets/mnist/t10k-labels-idx1-ubyte.gz', count: 10000 },
  },
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
});
