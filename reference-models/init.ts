import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../src/rng.js';

/**
 * Seeded initial weights. tfjs initialisers draw from tf.random with a fresh seed unless each is given one, so the
 * reference models overwrite every weight from genbench's Rng after building: the same seed gives the same network
 * on every backend. Weights are visited in `model.weights` order and recognised by their name's last part.
 *
 * - 'dcgan' (Radford et al. 2015): kernels and embeddings N(0, 0.02), BatchNorm gamma N(1, 0.02), biases and beta 0.
 * - 'glorot': kernels Glorot-uniform, limit sqrt(6 / (fan_in + fan_out)) with fans of a dense [in, out] or a conv
 *   [kh, kw, a, b] kernel as kh*kw*a and kh*kw*b (symmetric, so conv-transpose kernels are fine); gamma 1; rest 0.
 *
 * BatchNorm moving statistics start at mean 0 and variance 1 in both schemes.
 *
 * @example
 * initWeights(generator, new Rng(0).fork('init-g'), 'dcgan');
 */
export type InitScheme = 'dcgan' | 'glorot';

export function initWeights(model: tf.LayersModel, rng: Rng, scheme: InitScheme): void {
  const values = model.weights.map((w) => initialValue(w.name, w.shape as number[], rng, scheme));
  model.setWeights(values);
  tf.dispose(values);
}

function initialValue(name: string, shape: number[], rng: Rng, scheme: InitScheme): tf.Tensor {
  const kind = name.slice(name.lastIndexOf('/') + 1).replace(/_\d+$/, '');
  const size = tf.util.sizeFromShape(shape);
  const out = new Float32Array(size);
  switch (kind) {
    case 'moving_variance':
    case 'gamma':
      if (scheme === 'dcgan' && kind === 'gamma') for (let i = 0; i < size; i++) out[i] = 1 + 0.02 * rng.normal();
      else out.fill(1);
      break;
    case 'kernel':
    case 'embeddings':
      if (scheme === 'dcgan') for (let i = 0; i < size; i++) out[i] = 0.02 * rng.normal();
      else glorot(out, shape, rng);
      break;
    default: // bias, beta, moving_mean
      break;
  }
  return tf.tensor(out, shape);
}

function glorot(out: Float32Array, shape: number[], rng: Rng): void {
  const receptive = shape.length > 2 ? shape.slice(0, -2).reduce((a, b) => a * b, 1) : 1;
  const fanIn = receptive * (shape[shape.length - 2] ?? 1);
  const fanOut = receptive * (shape[shape.length - 1] ?? 1);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = (2 * rng.float() - 1) * limit;
}
