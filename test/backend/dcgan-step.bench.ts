import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { bench, describe } from 'vitest';
import { Rng } from '../../src/rng.js';
import { registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';

/**
 * One DCGAN training step (batch 64, 28x28) on wasm with genbench's kernels: the architecture of
 * shared/bench/dcgan_step_torch.py (Dense 100→7·7·128, BN, ReLU, ConvT 64 4/2, BN, ReLU, ConvT 1 4/2, tanh;
 * D: Conv 64 4/2, LeakyReLU 0.2, Conv 128 4/2, LeakyReLU, Flatten, Dense 1; Adam 2e-4 β1 0.5; BCE on logits).
 * Run: npx vitest bench --run test/backend/dcgan-step.bench.ts
 */
const B = 64;
const L = tf.layers;

function normals(rng: Rng, shape: number[]): tf.Tensor {
  return tf.tensor(rng.fillNormal(new Float32Array(tf.util.sizeFromShape(shape))), shape);
}

function buildGan(): { g: tf.Sequential; d: tf.Sequential } {
  const g = tf.sequential({
    layers: [
      L.dense({ inputShape: [100], units: 7 * 7 * 128 }),
      L.reshape({ targetShape: [7, 7, 128] }),
      L.batchNormalization(), L.reLU(),
      L.conv2dTranspose({ filters: 64, kernelSize: 4, strides: 2, padding: 'same' }),
      L.batchNormalization(), L.reLU(),
      L.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
  const d = tf.sequential({
    layers: [
      L.conv2d({ inputShape: [28, 28, 1], filters: 64, kernelSize: 4, strides: 2, padding: 'same' }),
      L.leakyReLU({ alpha: 0.2 }),
      L.conv2d({ filters: 128, kernelSize: 4, strides: 2, padding: 'same' }),
      L.leakyReLU({ alpha: 0.2 }),
      L.flatten(),
      L.dense({ units: 1 }),
    ],
  });
  return { g, d };
}

/** Builds the models and optimizers on wasm and returns one training step (D then G, as in the torch script). */
async function setUpStep(): Promise<() => void> {
  registerWasmKernels();
  await tf.setBackend('wasm');
  const rng = new Rng(0);
  const { g, d } = buildGan();
  const [optG, optD] = [tf.train.adam(2e-4, 0.5, 0.999), tf.train.adam(2e-4, 0.5, 0.999)];
  const real = normals(rng, [B, 28, 28, 1]);
  const [ones, zeros] = [tf.ones([B, 1]), tf.zeros([B, 1])];
  const gVars = g.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = d.trainableWeights.map((w) => w.read() as tf.Variable);
  const logits = (x: tf.Tensor): tf.Tensor => d.apply(x, { training: true }) as tf.Tensor;
  const bce = (target: tf.Tensor, x: tf.Tensor): tf.Scalar =>
    tf.losses.sigmoidCrossEntropy(target, logits(x)) as tf.Scalar;
  return () => {
    const z = normals(rng, [B, 100]);
    const fake = tf.tidy(() => g.apply(z, { training: true }) as tf.Tensor);
    optD.minimize(() => tf.add(bce(ones, real), bce(zeros, fake)) as tf.Scalar, false, dVars);
    optG.minimize(() => bce(ones, g.apply(z, { training: true }) as tf.Tensor), false, gVars);
    tf.dispose([z, fake]);
  };
}

const step = await setUpStep();
for (let i = 0; i < 3; i++) step();

describe('DCGAN training step, batch 64, 28x28', () => {
  bench('wasm step', step, { iterations: 10, time: 0, warmupIterations: 0 });
});
