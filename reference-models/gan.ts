import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../src/errors.js';
import type { ImageShape } from '../src/data/types.js';
import type { Rng } from '../src/rng.js';
import { Adam } from './adam.js';
import { initWeights } from './init.js';
import type { Batch, ModelContext, Scalars, TrainableModel } from './types.js';

/**
 * The DCGAN networks and step shared by `dcgan` and `cdcgan` (Radford et al. 2015, in the shape of
 * bench/dcgan_step_torch.py in GENBENCH_ASSETS). G: Dense -> (H/4, W/4, 128), BN, ReLU, ConvT 64 4/2, BN, ReLU,
 * ConvT C 4/2, tanh. D: Conv 64 4/2, LeakyReLU 0.2, Conv 128 4/2, LeakyReLU 0.2, Flatten, Dense 1 (a logit).
 * Conditional versions take a one-hot label: G concatenates it to z; D maps it to an extra input channel
 * (Dense -> H x W x 1) and concatenates it again before the last Dense. One step is the PyTorch reference's: a D step
 * on real and (detached) fake images, then a G step with the non-saturating loss -log D(G(z)) against the updated D.
 * Adam 2e-4, beta1 0.5, beta2 0.999 for both.
 */
export interface GanOptions {
  readonly latentDim: number;
  /** Class-conditional (labels into G and D). */
  readonly conditional: boolean;
}

const L = tf.layers;
const BN = { momentum: 0.9, epsilon: 1e-5 }; // PyTorch's BatchNorm2d defaults

/** Builds G, D and their optimizers, seeded from ctx.rng. */
export function buildGan(ctx: ModelContext, opts: GanOptions): TrainableModel {
  const { shape } = ctx;
  if (shape.height % 4 !== 0 || shape.width % 4 !== 0) {
    throw new GenbenchError('UNSUPPORTED', `DCGAN needs image sides divisible by 4, the dataset's images are ${shape.height}x${shape.width} (resize the dataset, e.g. to 28x28)`);
  }
  const classes = opts.conditional ? ctx.classes : 0;
  if (opts.conditional && classes < 2) {
    throw new GenbenchError('USAGE', 'a conditional GAN needs a labelled dataset with at least 2 classes (use --model dcgan for unlabelled data)');
  }
  const g = generator(shape, opts.latentDim, classes);
  const d = discriminator(shape, classes);
  initWeights(g, ctx.rng.fork('generator'), 'dcgan');
  initWeights(d, ctx.rng.fork('discriminator'), 'dcgan');
  const adam = { lr: 2e-4, beta1: 0.5, beta2: 0.999 };
  const optG = new Adam(trainable(g), adam);
  const optD = new Adam(trainable(d), adam);
  return {
    nets: { generator: g, discriminator: d },
    optimizers: { generator: optG, discriminator: optD },
    exported: g,
    manifest: {
      latent_dim: opts.latentDim,
      input: 'z',
      output: 'image',
      output_range: '[-1,1]',
      conditional: classes > 0 ? { classes, input: 'label', encoding: 'onehot' } : null,
    },
    step: (batch, rng) => ganStep({ g, d, optG, optD, latentDim: opts.latentDim, classes }, batch, rng),
    preview: (rng) => {
      const n = classes > 0 ? 8 * classes : 64;
      const labels = classes > 0 ? Int32Array.from({ length: n }, (_, i) => i % classes) : null;
      const images = tf.tidy(() => {
        const z = latents(rng, n, opts.latentDim);
        const y = labels ? tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() : null;
        return g.apply(y ? [z, y] : z, { training: false }) as tf.Tensor4D;
      });
      return { images, columns: classes > 0 ? classes : 8 };
    },
  };
}

/** The trainable variables of a model, in weight order. */
export function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** n standard-normal latents [n, dim] from `rng` (row-major, as Generator.sample draws them). */
export function latents(rng: Rng, n: number, dim: number): tf.Tensor2D {
  return tf.tensor2d(rng.fillNormal(new Float32Array(n * dim)), [n, dim]);
}

interface GanParts {
  readonly g: tf.LayersModel;
  readonly d: tf.LayersModel;
  readonly optG: Adam;
  readonly optD: Adam;
  readonly latentDim: number;
  readonly classes: number;
}

/**
 * One step: G runs forward once, inside the tape of G's gradient; the D step (its own gradient, on the detached
 * fake batch, then D's update) runs within that scope, and the G loss then goes through the updated D. Same values
 * as a second G forward (BatchNorm uses batch statistics), but half the generator's forward work, and BatchNorm's
 * moving statistics are updated once per step, as in PyTorch.
 */
function ganStep(p: GanParts, batch: Batch, rng: Rng): Scalars {
  const z = latents(rng, batch.size, p.latentDim);
  const y = p.classes > 0 && batch.labels ? tf.tidy(() => tf.oneHot(batch.labels!, p.classes).toFloat()) : null;
  const gIn = y ? [z, y] : z;
  const disc = (x: tf.Tensor): tf.Tensor => p.d.apply(y ? [x, y] : x, { training: true }) as tf.Tensor;
  let dLoss = Number.NaN;
  const dStepOn = (fake: tf.Tensor): void => {
    const dStep = tf.variableGrads(() => tf.tidy(() => {
      const ones = tf.ones([batch.size, 1]);
      const real = tf.losses.sigmoidCrossEntropy(ones, disc(batch.images));
      return tf.add(real, tf.losses.sigmoidCrossEntropy(tf.zerosLike(ones), disc(fake))) as tf.Scalar;
    }), p.optD.variables);
    p.optD.apply(dStep.grads);
    dLoss = dStep.value.dataSync()[0]!;
    dStep.value.dispose();
  };
  try {
    const gStep = tf.variableGrads(() => tf.tidy(() => {
      const fake = p.g.apply(gIn, { training: true }) as tf.Tensor;
      dStepOn(fake);
      const logits = disc(fake);
      return tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits) as tf.Scalar;
    }), p.optG.variables);
    p.optG.apply(gStep.grads);
    const losses = { d_loss: dLoss, g_loss: gStep.value.dataSync()[0]! };
    gStep.value.dispose();
    return losses;
  } finally {
    tf.dispose(y ? [z, y] : [z]);
  }
}

function generator(shape: ImageShape, latentDim: number, classes: number): tf.LayersModel {
  const [h4, w4] = [shape.height / 4, shape.width / 4];
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const label = classes > 0 ? tf.input({ shape: [classes], name: 'label' }) : null;
  let x: tf.SymbolicTensor = label ? (L.concatenate({ name: 'g_concat' }).apply([z, label]) as tf.SymbolicTensor) : z;
  x = L.dense({ units: h4 * w4 * 128, name: 'g_dense' }).apply(x) as tf.SymbolicTensor;
  x = L.reshape({ targetShape: [h4, w4, 128], name: 'g_reshape' }).apply(x) as tf.SymbolicTensor;
  x = L.reLU({ name: 'g_relu1' }).apply(L.batchNormalization({ ...BN, name: 'g_bn1' }).apply(x)) as tf.SymbolicTensor;
  x = L.conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', name: 'g_deconv1' }).apply(x) as tf.SymbolicTensor;
  x = L.reLU({ name: 'g_relu2' }).apply(L.batchNormalization({ ...BN, name: 'g_bn2' }).apply(x)) as tf.SymbolicTensor;
  x = L.conv2dTranspose({ filters: shape.channels, kernelSize: 4, strides: 2, padding: 'same', name: 'g_deconv2' }).apply(x) as tf.SymbolicTensor;
  const image = L.activation({ activation: 'tanh', name: 'image' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: label ? [z, label] : z, outputs: image, name: 'generator' });
}

function discriminator(shape: ImageShape, classes: number): tf.LayersModel {
  const image = tf.input({ shape: [shape.height, shape.width, shape.channels], name: 'image' });
  const label = classes > 0 ? tf.input({ shape: [classes], name: 'label' }) : null;
  let x: tf.SymbolicTensor = image;
  if (label) {
    const map = L.dense({ units: shape.height * shape.width, name: 'd_label_map' }).apply(label);
    const plane = L.reshape({ targetShape: [shape.height, shape.width, 1], name: 'd_label_plane' }).apply(map);
    x = L.concatenate({ axis: -1, name: 'd_concat_in' }).apply([image, plane as tf.SymbolicTensor]) as tf.SymbolicTensor;
  }
  x = L.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', name: 'd_conv1' }).apply(x) as tf.SymbolicTensor;
  x = L.leakyReLU({ alpha: 0.2, name: 'd_lrelu1' }).apply(x) as tf.SymbolicTensor;
  x = L.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: 'same', name: 'd_conv2' }).apply(x) as tf.SymbolicTensor;
  x = L.leakyReLU({ alpha: 0.2, name: 'd_lrelu2' }).apply(x) as tf.SymbolicTensor;
  x = L.flatten({ name: 'd_flatten' }).apply(x) as tf.SymbolicTensor;
  if (label) x = L.concatenate({ name: 'd_concat_out' }).apply([x, label]) as tf.SymbolicTensor;
  const logit = L.dense({ units: 1, name: 'logit' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: label ? [image, label] : image, outputs: logit, name: 'discriminator' });
}
