import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from '../src/data/types.js';
import { Adam } from './adam.js';
import { trainable } from './gan.js';
import { initWeights } from './init.js';
import type { Batch, ModelContext, ReferenceModel, Scalars, TrainableModel } from './types.js';

/**
 * `classifier`: the small CNN used as a dataset-specific feature network (the `classifier:<dataset>` extractor,
 * src/features/classifier.ts) and to check that conditional generators honour their labels. Conv 32 3x3, ReLU,
 * MaxPool 2, Conv 64 3x3, ReLU, MaxPool 2, Flatten, Dense 128 ReLU (`features`), Dense classes (`logits`); softmax
 * cross-entropy, Adam 1e-3. Pixels in [0, 1]. Held-out `accuracy` is reported every epoch.
 *
 * @example
 * genbench train --model classifier --dataset mnist --epochs 3 --out runs/mnist-classifier
 */
const L = tf.layers;

export const classifier: ReferenceModel = {
  name: 'classifier',
  description: 'small CNN classifier (features: Dense 128); reports held-out accuracy',
  role: 'classifier',
  needsLabels: true,
  inputRange: [0, 1],
  defaults: { batch: 64, epochs: 3 },
  build: buildClassifier,
};

function buildClassifier(ctx: ModelContext): TrainableModel {
  const net = network(ctx.shape, ctx.classes);
  initWeights(net, ctx.rng.fork('classifier'), 'glorot');
  const opt = new Adam(trainable(net), { lr: 1e-3 });
  const logits = (b: Batch, training: boolean): tf.Tensor2D => net.apply(b.images, { training }) as tf.Tensor2D;
  return {
    nets: { classifier: net },
    optimizers: { classifier: opt },
    exported: net,
    manifest: { classes: ctx.classes, input: 'image', features: 'features', logits: 'logits', input_range: '[0,1]' },
    step: (batch) => classifierStep(opt, batch, ctx.classes, logits),
    evaluate: (batch) => {
      const correct = tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits(batch, false), 1), batch.labels!), 'float32')));
      const accuracy = correct.dataSync()[0]! / batch.size;
      correct.dispose();
      return { accuracy };
    },
  };
}

function classifierStep(opt: Adam, batch: Batch, classes: number, logits: (b: Batch, t: boolean) => tf.Tensor2D): Scalars {
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
    const target = tf.oneHot(batch.labels!, classes);
    return tf.losses.softmaxCrossEntropy(target, logits(batch, true)) as tf.Scalar;
  }), opt.variables);
  opt.apply(grads);
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss };
}

function network(shape: ImageShape, classes: number): tf.LayersModel {
  const x = tf.input({ shape: [shape.height, shape.width, shape.channels], name: 'image' });
  let h = L.conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c_conv1' }).apply(x);
  h = L.maxPooling2d({ poolSize: 2, name: 'c_pool1' }).apply(h);
  h = L.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c_conv2' }).apply(h);
  h = L.maxPooling2d({ poolSize: 2, name: 'c_pool2' }).apply(h);
  h = L.flatten({ name: 'c_flatten' }).apply(h);
  const features = L.dense({ units: 128, activation: 'relu', name: 'features' }).apply(h);
  const logits = L.dense({ units: classes, name: 'logits' }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: logits, name: 'classifier' });
}
