import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { loadGenerator } from '../../src/models/load.js';
import { loadGraphModelFromFiles, loadLayersModelFromFiles } from '../../src/models/tfjs-io.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets, sharedAssets } from '../helpers/assets.js';
import { LATENT, buildDcganLike, graphReference, saveLayersModel, writeFolderManifest, writeGraphModel } from './fixtures.js';

const skipWithoutAssets = optionalSharedAssets() === undefined;

let tmp: string;
beforeAll(async () => {
  await initBackend();
  tmp = await mkdtemp(join(tmpdir(), 'genbench-tfjs-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('TF.js layers generator round trip', () => {
  it('loads through loadGenerator and matches the in-memory model, leaking no tensors', async () => {
    const model = buildDcganLike();
    const dir = join(tmp, 'layers');
    await saveLayersModel(model, dir);
    await writeFolderManifest(dir, {}, ['weights.bin']);

    const z = new Rng(3).fillNormal(new Float32Array(5 * LATENT));
    const expected = tf.tidy(() => (model.predict(tf.tensor2d(z, [5, LATENT])) as tf.Tensor).dataSync());
    const before = tf.memory().numTensors;
    const g = await loadGenerator(dir, { engine: 'tfjs' }); // the tfjs path (tfjs-onnx.test.ts covers the default)
    expect(g.engine).toMatch(/^tfjs /);
    expect(g.imageShape).toEqual({ height: 8, width: 8, channels: 1 });
    const during = tf.memory().numTensors;
    const out = await g.generate(z, undefined, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(during);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();

    expect(out.n).toBe(5);
    let maxErr = 0;
    for (let i = 0; i < expected.length; i++) maxErr = Math.max(maxErr, Math.abs(out.data[i]! - expected[i]!));
    expect(maxErr).toBeLessThan(1e-6);
    expect(out.data.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  });
});

describe('TF.js graph model', () => {
  it('a hand-written graph model loads and runs, directly and as a generator', async () => {
    const dir = join(tmp, 'graph');
    await writeGraphModel(dir);
    const z = new Rng(5).fillNormal(new Float32Array(3 * 4));
    const ref = graphReference(z);

    const model = await loadGraphModelFromFiles(dir);
    const y = tf.tidy(() => model.execute(tf.tensor2d(z, [3, 4])) as tf.Tensor);
    expect(y.shape).toEqual([3, 2, 2, 3]);
    const direct = y.dataSync();
    y.dispose();
    model.dispose();
    for (let i = 0; i < ref.length; i++) expect(direct[i]).toBeCloseTo(ref[i]!, 5);

    await writeFolderManifest(dir, { format: 'tfjs-graph', latent_dim: 4, image_shape: [2, 2, 3] }, ['group1-shard1of1.bin']);
    const g = await loadGenerator(join(dir, 'model.json'));
    const out = await g.generate(z);
    g.dispose();
    expect([out.n, out.height, out.width, out.channels]).toEqual([3, 2, 2, 3]);
    for (let i = 0; i < ref.length; i++) expect(out.data[i]).toBeCloseTo(ref[i]!, 5);
  });
});

describe.skipIf(skipWithoutAssets)('shared MobileNet v1 0.25 through the file IOHandler', () => {
  it('predicts a [1,1000] softmax summing to 1', async () => {
    const model = await loadLayersModelFromFiles(join(sharedAssets(), 'models', 'mobilenet_v1_0.25_224'));
    const before = tf.memory().numTensors;
    const p = tf.tidy(() => {
      const img = tf.linspace(-1, 1, 224 * 224 * 3).reshape([1, 224, 224, 3]);
      return model.predict(img) as tf.Tensor;
    });
    expect(p.shape).toEqual([1, 1000]);
    const v = p.dataSync();
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    const sum = Array.from(v as Float32Array).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);
    expect(Math.min(...(v as Float32Array))).toBeGreaterThanOrEqual(0);
  });
});
