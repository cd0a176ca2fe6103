import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import {
  createExtractor,
  defaultLayerFor,
  MOBILENET_FEATURES,
  MOBILENET_LOGITS,
  MOBILENET_PROBABILITIES,
  type FeatureExtractor,
} from '../../src/features/index.js';
import { sliceImages, type ImageBatchU8 } from '../../src/io/image.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { mnistImages } from './fixtures.js';

const shared = optionalSharedAssets();

function maxAbsDiff(a: Matrix, b: Matrix): number {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

describe.skipIf(!shared)('mobilenet-v1-0.25 on MNIST', () => {
  let fx: FeatureExtractor;
  let images: ImageBatchU8;
  let tensorsBefore: number;
  let first: Record<string, Matrix>;

  beforeAll(async () => {
    await initBackend();
    tensorsBefore = tf.memory().numTensors;
    fx = await createExtractor('mobilenet-v1-0.25', { engine: 'tfjs' });
    images = await mnistImages(8);
    first = await fx.extract(images, { layers: [MOBILENET_FEATURES, MOBILENET_LOGITS, MOBILENET_PROBABILITIES], batchSize: 8 });
  });
  afterAll(async () => {
    await fx?.dispose();
  });

  it('declares its layers, defaults, preprocessing and weights hash', () => {
    expect(fx.id).toBe('mobilenet-v1-0.25');
    expect(fx.layers.map((l) => [l.name, l.dim, l.kind])).toEqual([
      [MOBILENET_FEATURES, 256, 'features'],
      [MOBILENET_LOGITS, 1000, 'logits'],
      [MOBILENET_PROBABILITIES, 1000, 'probabilities'],
    ]);
    expect(defaultLayerFor(fx, 'features')).toBe('global_average_pooling2d_1');
    expect(defaultLayerFor(fx, 'class-scores')).toBe('reshape_2');
    expect(fx.preprocessing).toEqual({
      height: 224,
      width: 224,
      filter: 'bilinear',
      range: [-1, 1],
      channels: 3,
      grayToRgb: 'replicate',
      rgbToGray: 'bt601-luma',
      resizeOn: 'uint8',
      layout: 'NHWC',
    });
    // The registry's tree hash of model.json + shards (src/assets/registry.ts).
    expect(fx.weightsSha256).toBe('05aab648facc3ead01b13ed649c20bafa0b086b0c13e5d7c4ddec53b0aee18f5');
    expect(fx.engine).toMatch(/^tfjs 4\./);
  });

  it('gives [n, 256] features and [n, 1000] class scores, softmax rows summing to 1', () => {
    expect([first[MOBILENET_FEATURES]!.rows, first[MOBILENET_FEATURES]!.cols]).toEqual([8, 256]);
    const p = first[MOBILENET_PROBABILITIES]!;
    expect([p.rows, p.cols]).toEqual([8, 1000]);
    for (let i = 0; i < 8; i++) {
      const row = p.data.subarray(i * 1000, (i + 1) * 1000);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    // softmax(logits) = probabilities
    const z = first[MOBILENET_LOGITS]!.data.subarray(0, 1000);
    const mx = Math.max(...z);
    const e = Array.from(z, (v) => Math.exp(v - mx));
    const s = e.reduce((a, b) => a + b, 0);
    expect(Math.abs(e[7]! / s - p.data[7]!)).toBeLessThan(1e-5);
    // Features are post-ReLU averages: non-negative, and different images give different features.
    const f = first[MOBILENET_FEATURES]!.data;
    expect(Math.min(...f)).toBeGreaterThanOrEqual(0);
    expect(f.subarray(0, 256)).not.toEqual(f.subarray(256, 512));
  });

  it('is deterministic and batch-size invariant (batch 1 vs 8 within 1e-5)', async () => {
    const again = await fx.extract(images, { layers: [MOBILENET_FEATURES], batchSize: 8 });
    expect(maxAbsDiff(again[MOBILENET_FEATURES]!, first[MOBILENET_FEATURES]!)).toBe(0);
    const ones = await fx.extract(images, { layers: [MOBILENET_FEATURES], batchSize: 1 });
    expect(maxAbsDiff(ones[MOBILENET_FEATURES]!, first[MOBILENET_FEATURES]!)).toBeLessThan(1e-5);
    const threes = await fx.extract(images, { layers: [MOBILENET_FEATURES], batchSize: 3 }); // a short last batch
    expect(maxAbsDiff(threes[MOBILENET_FEATURES]!, first[MOBILENET_FEATURES]!)).toBeLessThan(1e-5);
  });

  it('leaks no tensors: extract keeps the count, dispose returns to the count before loading', async () => {
    const during = tf.memory().numTensors;
    await fx.extract(images, { batchSize: 4 });
    expect(tf.memory().numTensors).toBe(during);
    const other = await createExtractor('mobilenet-v1-0.25', { engine: 'tfjs' });
    await other.extract(sliceImages(images, 0, 2));
    await other.dispose();
    expect(tf.memory().numTensors).toBe(during);
    expect(during).toBeGreaterThan(tensorsBefore);
  });

  it('the resize filter is data: another filter changes the recorded preprocessing and the features', async () => {
    const near = await createExtractor('mobilenet-v1-0.25', { filter: 'nearest', engine: 'tfjs' });
    try {
      expect(near.preprocessing.filter).toBe('nearest');
      const f = await near.extract(sliceImages(images, 0, 2));
      expect(maxAbsDiff(f[MOBILENET_FEATURES]!, { rows: 2, cols: 256, data: first[MOBILENET_FEATURES]!.data.subarray(0, 512) })).toBeGreaterThan(1e-3);
    } finally {
      await near.dispose();
    }
  });

  it('rejects an undeclared layer with the declared ones listed', async () => {
    await expect(fx.extract(images, { layers: ['conv_pw_13'] })).rejects.toThrow(/no layer 'conv_pw_13'; its layers are global_average_pooling2d_1, conv_preds, reshape_2/);
  });
});

describe.skipIf(!shared)('mobilenet-v1-0.75 smoke test', () => {
  it('gives [2, 768] features and a 1000-way softmax on two digits', async () => {
    await initBackend();
    const fx = await createExtractor();
    try {
      expect(fx.id).toBe('mobilenet-v1-0.75');
      expect(fx.weightsSha256).toBe('e921b050e0d0ce7e1ac8371a79f7bd00bdaacc31eb99f2c8243b9345049a3329');
      const out = await fx.extract(await mnistImages(2), { layers: [MOBILENET_FEATURES, MOBILENET_PROBABILITIES] });
      expect([out[MOBILENET_FEATURES]!.rows, out[MOBILENET_FEATURES]!.cols]).toEqual([2, 768]);
      const p = out[MOBILENET_PROBABILITIES]!.data.subarray(0, 1000);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    } finally {
      await fx.dispose();
    }
  });
});
