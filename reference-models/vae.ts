import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../src/errors.js';
import type { ImageShape } from '../src/data/types.js';
import type { Rng } from '../src/rng.js';
import { Adam } from './adam.js';
import { latents, trainable } from './gan.js';
import { initWeights } from './init.js';
import type { Batch, ModelContext, ReferenceModel, Scalars, TrainableModel } from './types.js';

/**
 * `vae`: convolutional VAE (Kingma & Welling 2014) with a Gaussian encoder q(z|x) = N(mu, diag(exp(logvar))) and a
 * Bernoulli decoder p(x|z) over pixel intensities in [0, 1]; latent 16, prior N(0, I), Adam 1e-3.
 * Encoder: Conv 32 4/2, ReLU, Conv 64 4/2, ReLU, Flatten, Dense 2x16. Decoder: Dense (H/4)(W/4)64, ReLU,
 * ConvT 32 4/2, ReLU, ConvT C 4/2 (logits); the exported generator is the decoder with a sigmoid (range [0,1]).
 *
 * Loss per image: -ELBO = sum_pixels BCE(x, logits) + KL(q || N(0, I)), one reparameterised sample.
 * Held out, `elbo` is in nats per image on images binarised at 0.5 (so the Bernoulli likelihood is a proper
 * probability and -ELBO bounds -log p(x)), and `bits_per_dim` = -ELBO / (D ln 2), D = H*W*C.
 *
 * @example
 * genbench train --model vae --dataset mnist --epochs 5 --out runs/vae   # epoch lines report elbo and bits_per_dim
 */
const LATENT = 16;
const L = tf.layers;

export const vae: ReferenceModel = {
  name: 'vae',
  description: 'convolutional VAE: Gaussian encoder, Bernoulli decoder, latent 16; reports held-out ELBO and bits/dim',
  role: 'generator',
  needsLabels: false,
  inputRange: [0, 1],
  defaults: { batch: 64, epochs: 5 },
  build: buildVae,
};

function buildVae(ctx: ModelContext): TrainableModel {
  if (ctx.shape.height % 4 !== 0 || ctx.shape.width % 4 !== 0) {
    throw new GenbenchError('UNSUPPORTED', `the VAE needs image sides divisible by 4, the dataset's images are ${ctx.shape.height}x${ctx.shape.width}`);
  }
  const enc = encoder(ctx.shape);
  const { logits, exported } = decoder(ctx.shape);
  initWeights(enc, ctx.rng.fork('encoder'), 'glorot');
  initWeights(logits, ctx.rng.fork('decoder'), 'glorot');
  const opt = new Adam([...trainable(enc), ...trainable(logits)], { lr: 1e-3 });
  const dims = ctx.shape.height * ctx.shape.width * ctx.shape.channels;
  const negElbo = (x: tf.Tensor, rng: Rng): tf.Tensor1D => {
    const [mu, logvar] = enc.apply(x, { training: true }) as tf.Tensor2D[];
    const eps = latents(rng, x.shape[0]!, LATENT);
    const z = tf.add(mu!, tf.mul(tf.exp(tf.mul(logvar!, 0.5)), eps));
    const l = logits.apply(z, { training: true }) as tf.Tensor;
    const bce = tf.sum(tf.losses.sigmoidCrossEntropy(x, l, undefined, undefined, tf.Reduction.NONE), [1, 2, 3]);
    const kl = tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logvar!), tf.add(tf.square(mu!), tf.exp(logvar!))), 1));
    return tf.add(bce, kl) as tf.Tensor1D;
  };
  return {
    nets: { encoder: enc, decoder: logits },
    optimizers: { vae: opt },
    exported,
    manifest: { latent_dim: LATENT, input: 'z', output: 'image', output_range: '[0,1]', conditional: null },
    step: (batch, rng) => vaeStep(opt, (x) => negElbo(x, rng), batch),
    preview: (rng) => ({ images: tf.tidy(() => exported.apply(latents(rng, 64, LATENT)) as tf.Tensor4D), columns: 8 }),
    evaluate: (batch, rng) => {
      const loss = tf.tidy(() => tf.mean(negElbo(tf.cast(tf.greaterEqual(batch.images, 0.5), 'float32'), rng)));
      const nats = loss.dataSync()[0]!;
      loss.dispose();
      return { elbo: -nats, bits_per_dim: nats / (dims * Math.LN2) };
    },
  };
}

function vaeStep(opt: Adam, negElbo: (x: tf.Tensor) => tf.Tensor1D, batch: Batch): Scalars {
  const { value, grads } = tf.variableGrads(() => tf.tidy(() => tf.mean(negElbo(batch.images)) as tf.Scalar), opt.variables);
  opt.apply(grads);
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss };
}

function encoder(shape: ImageShape): tf.LayersModel {
  const x = tf.input({ shape: [shape.height, shape.width, shape.channels], name: 'image' });
  let h = L.conv2d({ filters: 32, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', name: 'e_conv1' }).apply(x);
  h = L.conv2d({ filters: 64, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', name: 'e_conv2' }).apply(h);
  h = L.flatten({ name: 'e_flatten' }).apply(h);
  const mu = L.dense({ units: LATENT, name: 'mu' }).apply(h) as tf.SymbolicTensor;
  const logvar = L.dense({ units: LATENT, name: 'logvar' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: [mu, logvar], name: 'encoder' });
}

/** The decoder to logits (trained), and the same layers with a sigmoid on top (exported). */
function decoder(shape: ImageShape): { logits: tf.LayersModel; exported: tf.LayersModel } {
  const [h4, w4] = [shape.height / 4, shape.width / 4];
  const z = tf.input({ shape: [LATENT], name: 'z' });
  let h = L.dense({ units: h4 * w4 * 64, activation: 'relu', name: 'x_dense' }).apply(z);
  h = L.reshape({ targetShape: [h4, w4, 64], name: 'x_reshape' }).apply(h);
  h = L.conv2dTranspose({ filters: 32, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', name: 'x_deconv1' }).apply(h);
  const out = L.conv2dTranspose({ filters: shape.channels, kernelSize: 4, strides: 2, padding: 'same', name: 'x_logits' }).apply(h) as tf.SymbolicTensor;
  const image = L.activation({ activation: 'sigmoid', name: 'image' }).apply(out) as tf.SymbolicTensor;
  return { logits: tf.model({ inputs: z, outputs: out, name: 'decoder_logits' }), exported: tf.model({ inputs: z, outputs: image, name: 'decoder' }) };
}
