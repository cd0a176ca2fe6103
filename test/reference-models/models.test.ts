import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { generatePolygons } from '../../src/data/index.js';
import { Rng } from '../../src/rng.js';
import { Adam } from '../../reference-models/adam.js';
import { BatchSource, disposeBatch } from '../../reference-models/batches.js';
import { getReferenceModel, REFERENCE_MODELS } from '../../reference-models/index.js';
import { disposeTrainable } from '../../reference-models/train-state.js';
import type { TrainableModel } from '../../reference-models/types.js';

/** One fixed batch of 8 polygons (labels 0..3), in each model's input range. */
const polys = generatePolygons({ seed: 5, start: 0, stop: 8 });
const data = { images: polys.images, labels: polys.labels.map((l) => l - 3) };
const shape = { height: 28, width: 28, channels: 1 };

function snapshot(net: TrainableModel): Float32Array[] {
  return Object.values(net.nets).flatMap((m) => m.trainableWeights.map((w) => w.read().dataSync() as Float32Array).map((a) => a.slice()));
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('reference models: one step on a fixed batch', () => {
  // models of two data sets (translators, dann) need targets: translators.test.ts and dann.test.ts train them
  it.each([...REFERENCE_MODELS.values()].filter((m) => m.pairing === undefined).map((m) => m.name))('%s: every trainable weight changes, the loss goes down, no tensor leaks', (name) => {
    const before = tf.memory().numTensors;
    const model = getReferenceModel(name);
    const net = model.build({ shape, classes: 4, rng: new Rng(1) });
    const source = new BatchSource(data, model.inputRange);
    const batch = source.range(0, 8);
    try {
      const w0 = snapshot(net);
      const losses = [0, 1, 2].map(() => net.step(batch, new Rng(9))); // same batch, same noise
      const w1 = snapshot(net);
      w0.forEach((w, i) => expect(w.some((v, k) => v !== w1[i]![k]), `weight ${i} of ${name} unchanged`).toBe(true));
      const key = 'd_loss' in losses[0]! ? 'd_loss' : 'loss';
      expect(losses[2]![key]!).toBeLessThan(losses[0]![key]!);
      for (const l of losses) for (const v of Object.values(l)) expect(Number.isFinite(v)).toBe(true);
    } finally {
      disposeBatch(batch);
      disposeTrainable(net);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the same seed builds the same weights; another seed does not', () => {
    const m = getReferenceModel('vae');
    const [a, b, c] = [1, 1, 2].map((seed) => m.build({ shape, classes: 0, rng: new Rng(seed) }));
    const [sa, sb, sc] = [a!, b!, c!].map(snapshot);
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    [a!, b!, c!].forEach(disposeTrainable);
  });

  it('unknown model names list the valid ones', () => {
    expect(() => getReferenceModel('gan')).toThrow(/valid: dcgan, cdcgan, vae, classifier/);
  });
});

describe('Adam', () => {
  it('takes the PyTorch step: the first update moves each weight by lr against the gradient sign', () => {
    const x = tf.variable(tf.tensor1d([1, -2, 3]));
    const opt = new Adam([x], { lr: 0.1, beta1: 0.5 });
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(x, tf.tensor1d([2, -4, 0.5]))) as tf.Scalar, [x]);
    opt.apply(grads);
    const v = x.dataSync();
    expect(v[0]).toBeCloseTo(0.9, 5);
    expect(v[1]).toBeCloseTo(-1.9, 5);
    expect(v[2]).toBeCloseTo(2.9, 5);
    expect(opt.t).toBe(1);
    opt.dispose();
    x.dispose();
  });
});
