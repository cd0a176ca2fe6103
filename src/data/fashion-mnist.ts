import { idxDataset } from './idx-dataset.js';
import type { Dataset } from './types.js';

/**
 * The `fashion-mnist` dataset. Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, Zalando Research): 28x28 grayscale
 * photos of clothing in 10 classes, in MNIST's IDX layout; `train` 60,000 and `test` 10,000 images. Found in a
 * GENBENCH_ASSETS folder or GENBENCH_HOME, else downloaded on first use; files are checked by the sha256 of their
 * gunzipped content, so any faithful re-compression of the official .gz files is accepted too.
 *
 * @example
 * const test = await fashionMnist.load('test'); // images 10000x28x28x1, labels 0..9
 * fashionMnist.classNames![9];                   // 'Ankle boot'
 */
export const fashionMnist: Dataset = idxDataset({
  name: 'fashion-mnist',
  title: 'Fashion-MNIST',
  description: 'Fashion-MNIST clothing photos, 28x28 grayscale, 10 classes',
  license: 'Zalando Research (Xiao, Rasul, Vollgraf 2017); MIT',
  splits: {
    train: {
      images: 'datasets/fashion-mnist/train-images-idx3-ubyte.gz',
      labels: 'datasets/fashion-mnist/train-labels-idx1-ubyte.gz',
      count: 60000,
      downloadBytes: 26421856 + 29491, // about the size of the .gz files
    },
    test: {
      images: 'datasets/fashion-mnist/t10k-images-idx3-ubyte.gz',
      labels: 'datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz',
      count: 10000,
      downloadBytes: 4422079 + 5125,
    },
  },
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
});
