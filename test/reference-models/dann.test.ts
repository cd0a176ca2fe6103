import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { getDataset } from '../../src/data/index.js';
import { uciDigits } from '../../src/data/uci-digits.js';
import { Rng } from '../../src/rng.js';
import { BatchSource, disposeBatch } from '../../reference-models/batches.js';
import { dannLambda } from '../../reference-models/dann.js';
import { getReferenceModel, train } from '../../reference-models/index.js';
import { evaluateHeldOut } from '../../reference-models/run-outputs.js';
import { disposeTrainable } from '../../reference-models/train-state.js';
import { optionalSharedAssets } from '../helpers/assets.js';

/**
 * dann on MNIST (labelled source) -> UCI digits (unlabelled target, MNIST-like 28x28): the target loader's framing,
 * a short run that lifts target accuracy over the untrained network, and the source-only baseline that trains no
 * domain adversary.
 */
const shared = optionalSharedAssets();
let root: string;

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'genbench-dann-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe.skipIf(!shared)('dann: MNIST -> UCI digits', () => {
  it('uci-digits: 1200 + 597 labelled digits in a 28x28 frame with a black 4-pixel border', async () => {
    const t = await uciDigits.load('test');
    expect(t.images).toMatchObject({ n: 597, height: 28, width: 28, channels: 1 });
    expect(new Set(t.labels).size).toBe(10);
    let borderMax = 0;
    let max = 0;
    t.images.data.forEach((v, i) => {
      const [y, x] = [Math.floor((i % 784) / 28), i % 28];
      if (y < 4 || y >= 24 || x < 4 || x >= 24) borderMax = Math.max(borderMax, v);
      max = Math.max(max, v);
    });
    expect(borderMax).toBe(0);
    expect(max).toBe(255);
  });

  it('a short run lifts target accuracy over the untrained network; the adversary is trained with a ramped lambda', async () => {
    const model = getReferenceModel('dann');
    const src = await getDataset('mnist').load('test[:640]');
    const tgt = await uciDigits.load('train[:640]');
    const held = await uciDigits.load('test[:300]');
    const data = { images: src.images, labels: src.labels!, targets: tgt.images, pairing: 'independent' as const };
    const untrained = model.build({ shape: src.images, classes: 10, rng: new Rng(2).fork('init') });
    const before = evaluateHeldOut(untrained, new BatchSource(held, model.inputRange), 2)!;
    disposeTrainable(untrained);
    const tensors = tf.memory().numTensors;
    const r = await train({ model, train: data, heldOut: held, classes: 10, out: join(root, 'dann'), maxSteps: 12, settings: { model: 'dann', dataset: 'mnist', split: src.split, batch: 32, seed: 2, backend: 'wasm', target: 'uci-digits train[:640]' } });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r.lastEpoch!.heldout!['target_accuracy']!).toBeGreaterThan(before['target_accuracy']! + 0.15);
    const curve = JSON.parse(await readFile(r.curvePath, 'utf8')) as { losses: Record<string, number[]> };
    expect(curve.losses['domain_loss']).toHaveLength(12);
    expect(curve.losses['lambda']![11]).toBeCloseTo(dannLambda(11), 8);
    const manifest = JSON.parse(await readFile(join(root, 'dann', 'genbench.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ role: 'classifier', adversarial: true, classes: 10 });
  }, 60_000);

  it('--no-adversarial: the domain head never changes and lambda is 0', async () => {
    const model = getReferenceModel('dann');
    const src = await getDataset('mnist').load('test[:16]');
    const tgt = await uciDigits.load('train[:16]');
    const net = model.build({ shape: src.images, classes: 10, rng: new Rng(1), adversarial: false });
    const batch = new BatchSource({ images: src.images, labels: src.labels!, targets: tgt.images, pairing: 'independent' }, model.inputRange).range(0, 16);
    try {
      const d0 = net.nets['domain']!.getWeights().map((w) => w.dataSync().slice());
      const losses = [0, 1].map(() => net.step(batch, new Rng(3)));
      expect(losses[1]).toMatchObject({ lambda: 0 });
      expect(losses[1]!['domain_loss']).toBeUndefined();
      expect(losses[1]!['class_loss']!).toBeLessThan(losses[0]!['class_loss']!);
      net.nets['domain']!.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(d0[i]));
    } finally {
      disposeBatch(batch);
      disposeTrainable(net);
    }
  });
});
