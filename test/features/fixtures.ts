import * as tf from '@tensorflow/tfjs';
import { encodeModel } from '../../src/io/onnx-model.js';
import { getDataset } from '../../src/data/index.js';
import type { ImageBatchU8 } from '../../src/io/image.js';

/**
 * Test fixtures for feature extractors: a tiny ONNX model encoded here with src/convert's encoder (no file in the repo)
 * and a tiny TF.js layers model, both with weights that make their outputs easy to predict, and MNIST images.
 */

/**
 * ONNX model, opset 13: input x [n, 1, 4, 4] -> Flatten -> output `flat` [n, 16] (the input pixels), and
 * GlobalAveragePool -> Flatten -> output `mean` [n, 1] (the image mean).
 */
export function tinyOnnxModel(): Uint8Array {
  return encodeModel(
    {
      name: 'tiny_features',
      nodes: [
        { op: 'Flatten', name: 'flatten', inputs: ['x'], outputs: ['flat'] },
        { op: 'GlobalAveragePool', name: 'gap', inputs: ['x'], outputs: ['pooled'] },
        { op: 'Flatten', name: 'flatten_mean', inputs: ['pooled'], outputs: ['mean'] },
      ],
      initializers: [],
      inputs: [{ name: 'x', type: 'float32', shape: ['n', 1, 4, 4] }],
      outputs: [
        { name: 'flat', type: 'float32', shape: ['n', 16] },
        { name: 'mean', type: 'float32', shape: ['n', 1] },
      ],
    },
    { opset: 13, producer: 'genbench-test' },
  );
}

/** A layers model on 4x4x1 input: `flat` (Flatten, 16 values) and `score` (Dense 16 -> 2, weights all 1, bias 0). */
export function tinyLayersModel(): tf.LayersModel {
  const x = tf.input({ shape: [4, 4, 1], name: 'x' });
  const flat = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  const score = tf.layers.dense({ units: 2, kernelInitializer: 'ones', biasInitializer: 'zeros', name: 'score' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: score, name: 'tiny_features' });
}

/** The first `n` MNIST test images (needs GENBENCH_ASSETS). */
export async function mnistImages(n: number): Promise<ImageBatchU8> {
  return (await getDataset('mnist').load(`test[:${n}]`)).images;
}
