import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../src/rng.js';

/**
 * Small versions of the models genbench trains, for the wasm-vs-cpu training-step test. Each builds its layers on
 * the active backend with seeded weights and returns a loss over seeded data; no Math.random, no tf.random
 * (Dropout layers get a fixed seed).
 */

export interface TrainingCase {
  readonly models: tf.LayersModel[];
  /** Seeded data the loss reads (disposed by the caller, with the models). */
  readonly data: tf.Tensor[];
  /** The loss of one training step, with every layer in training mode. */
  readonly loss: () => tf.Scalar;
}

export type ModelName = 'dcgan' | 'conditional-dcgan' | 'vae' | 'classifier' | 'mobilenet';

const B = 4;
const L = tf.layers;

/** Builds `name` on the active backend. */
export function buildCase(name: ModelName): TrainingCase {
  return BUILDERS[name]();
}

/** Sets every weight of `model` from `rng`: fan-in-scaled normals; BatchNorm statistics at 0 and 1. */
function seedWeights(model: tf.LayersModel, rng: Rng): void {
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = tf.util.sizeFromShape(shape);
    if (w.name.includes('moving_variance')) return tf.ones(shape);
    if (w.name.includes('moving_mean')) return tf.zeros(shape);
    const scale = shape.length === 1 ? 0.1 : 1 / Math.sqrt(size / shape[shape.length - 1]!);
    const v = rng.fillNormal(new Float32Array(size)).map((n) => n * scale + (w.name.includes('gamma') ? 1 : 0));
    return tf.tensor(v, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

function data(rng: Rng, shape: number[], kind: 'normal' | 'unit' = 'normal'): tf.Tensor {
  const v = new Float32Array(tf.util.sizeFromShape(shape));
  for (let i = 0; i < v.length; i++) v[i] = kind === 'normal' ? rng.normal() : rng.float();
  return tf.tensor(v, shape);
}

function labels(rng: Rng, classes: number): { ids: tf.Tensor; oneHot: tf.Tensor } {
  const ids = Array.from({ length: B }, () => rng.int(classes));
  return { ids: tf.tensor2d(ids, [B, 1]), oneHot: tf.tidy(() => tf.oneHot(tf.tensor1d(ids, 'int32'), classes)) };
}

function run(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return model.apply(inputs, { training: true }) as tf.Tensor;
}

function generatorTail(x: tf.SymbolicTensor): tf.SymbolicTensor {
  let h = L.dense({ units: 7 * 7 * 8 }).apply(x) as tf.SymbolicTensor;
  h = L.reshape({ targetShape: [7, 7, 8] }).apply(h) as tf.SymbolicTensor;
  h = L.reLU().apply(L.batchNormalization().apply(h)) as tf.SymbolicTensor;
  h = L.conv2dTranspose({ filters: 4, kernelSize: 4, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = L.reLU().apply(L.batchNormalization().apply(h)) as tf.SymbolicTensor;
  const out = L.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' });
  return out.apply(h) as tf.SymbolicTensor;
}

function discriminatorTail(x: tf.SymbolicTensor): tf.SymbolicTensor {
  let h = L.conv2d({ filters: 8, kernelSize: 4, strides: 2, padding: 'same' }).apply(x) as tf.SymbolicTensor;
  h = L.dropout({ rate: 0.3, seed: 7 }).apply(L.leakyReLU({ alpha: 0.2 }).apply(h)) as tf.SymbolicTensor;
  h = L.conv2d({ filters: 16, kernelSize: 4, strides: 2, padding: 'same' }).apply(h) as tf.SymbolicTensor;
  h = L.flatten().apply(L.leakyReLU({ alpha: 0.2 }).apply(h)) as tf.SymbolicTensor;
  return L.dense({ units: 1 }).apply(h) as tf.SymbolicTensor;
}

/** Discriminator and generator losses (sigmoid cross-entropy on logits), summed so one step trains both. */
function ganLoss(real: tf.Tensor, fake: tf.Tensor, d: (img: tf.Tensor) => tf.Tensor): tf.Scalar {
  const ones = tf.ones([B, 1]);
  const zeros = tf.zeros([B, 1]);
  const dLoss = tf.add(tf.losses.sigmoidCrossEntropy(ones, d(real)), tf.losses.sigmoidCrossEntropy(zeros, d(fake)));
  const gLoss = tf.losses.sigmoidCrossEntropy(ones, d(fake));
  return tf.add(dLoss, gLoss) as tf.Scalar;
}

function softmaxLoss(oneHot: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
}

function dcgan(): TrainingCase {
  const rng = new Rng(11);
  const z = tf.input({ shape: [16] });
  const g = tf.model({ inputs: z, outputs: generatorTail(z) });
  const img = tf.input({ shape: [28, 28, 1] });
  const d = tf.model({ inputs: img, outputs: discriminatorTail(img) });
  [g, d].forEach((m) => seedWeights(m, rng));
  const [real, noise] = [data(rng, [B, 28, 28, 1]), data(rng, [B, 16])];
  return { models: [g, d], data: [real, noise], loss: () => ganLoss(real, run(g, noise), (x) => run(d, x)) };
}

function conditionalDcgan(): TrainingCase {
  const rng = new Rng(12);
  const [z, gLabel] = [tf.input({ shape: [16] }), tf.input({ shape: [1] })];
  const gEmb = L.flatten().apply(L.embedding({ inputDim: 10, outputDim: 8 }).apply(gLabel)) as tf.SymbolicTensor;
  const gIn = L.concatenate().apply([z, gEmb]) as tf.SymbolicTensor;
  const g = tf.model({ inputs: [z, gLabel], outputs: generatorTail(gIn) });
  const [img, dLabel] = [tf.input({ shape: [28, 28, 1] }), tf.input({ shape: [1] })];
  const dEmbFlat = L.embedding({ inputDim: 10, outputDim: 784 }).apply(dLabel);
  const dEmb = L.reshape({ targetShape: [28, 28, 1] }).apply(dEmbFlat);
  const dIn = L.concatenate({ axis: -1 }).apply([img, dEmb as tf.SymbolicTensor]) as tf.SymbolicTensor;
  const d = tf.model({ inputs: [img, dLabel], outputs: discriminatorTail(dIn) });
  [g, d].forEach((m) => seedWeights(m, rng));
  const [real, noise, { ids, oneHot }] = [data(rng, [B, 28, 28, 1]), data(rng, [B, 16]), labels(rng, 10)];
  const loss = (): tf.Scalar => ganLoss(real, run(g, [noise, ids]), (x) => run(d, [x, ids]));
  return { models: [g, d], data: [real, noise, ids, oneHot], loss };
}

function vae(): TrainingCase {
  const rng = new Rng(13);
  const x = tf.input({ shape: [28, 28, 1] });
  let h = L.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(x);
  h = L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(h);
  h = L.flatten().apply(h);
  const heads = [L.dense({ units: 4 }).apply(h), L.dense({ units: 4 }).apply(h)] as tf.SymbolicTensor[];
  const enc = tf.model({ inputs: x, outputs: heads });
  const zIn = tf.input({ shape: [4] });
  let u = L.reshape({ targetShape: [7, 7, 16] }).apply(L.dense({ units: 7 * 7 * 16, activation: 'relu' }).apply(zIn));
  u = L.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(u);
  u = L.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid' }).apply(u);
  const dec = tf.model({ inputs: zIn, outputs: u as tf.SymbolicTensor });
  [enc, dec].forEach((m) => seedWeights(m, rng));
  const [images, eps] = [data(rng, [B, 28, 28, 1], 'unit'), data(rng, [B, 4])];
  const loss = (): tf.Scalar => {
    const [mean, logvar] = enc.apply(images, { training: true }) as tf.Tensor[];
    const z = tf.add(mean!, tf.mul(tf.exp(tf.mul(logvar!, 0.5)), eps));
    const p = tf.clipByValue(run(dec, z), 1e-6, 1 - 1e-6);
    const bce = tf.neg(tf.mean(tf.add(tf.mul(images, tf.log(p)), tf.mul(tf.sub(1, images), tf.log(tf.sub(1, p))))));
    const kl = tf.mul(-0.5, tf.mean(tf.sum(tf.sub(tf.sub(tf.add(1, logvar!), tf.square(mean!)), tf.exp(logvar!)), -1)));
    return tf.add(bce, kl) as tf.Scalar;
  };
  return { models: [enc, dec], data: [images, eps], loss };
}

function classifier(): TrainingCase {
  const rng = new Rng(14);
  const m = tf.sequential({
    layers: [
      L.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2, strides: 2 }),
      L.flatten(),
      L.dense({ units: 10 }),
    ],
  });
  seedWeights(m, rng);
  const [images, { ids, oneHot }] = [data(rng, [B, 28, 28, 1]), labels(rng, 10)];
  return { models: [m], data: [images, ids, oneHot], loss: () => softmaxLoss(oneHot, run(m, images)) };
}

function mobilenet(): TrainingCase {
  const rng = new Rng(15);
  const relu6 = (): tf.layers.Layer => L.reLU({ maxValue: 6 });
  const m = tf.sequential({
    layers: [
      L.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
      L.batchNormalization(), relu6(),
      L.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }),
      L.batchNormalization(), relu6(),
      L.conv2d({ filters: 16, kernelSize: 1, useBias: false }),
      L.batchNormalization(), relu6(),
      L.depthwiseConv2d({ kernelSize: 4, strides: 2, depthMultiplier: 2, padding: 'valid' }), relu6(),
      L.globalAveragePooling2d({}),
      L.dropout({ rate: 0.2, seed: 3 }),
      L.dense({ units: 5 }),
    ],
  });
  seedWeights(m, rng);
  const [images, { ids, oneHot }] = [data(rng, [B, 32, 32, 3]), labels(rng, 5)];
  return { models: [m], data: [images, ids, oneHot], loss: () => softmaxLoss(oneHot, run(m, images)) };
}

const BUILDERS: Record<ModelName, () => TrainingCase> = {
  dcgan,
  'conditional-dcgan': conditionalDcgan,
  vae,
  classifier,
  mobilenet,
};
