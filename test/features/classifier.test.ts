import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataset } from '../../src/data/index.js';
import { GenbenchError } from '../../src/errors.js';
import { classifierCachePath, CLASSIFIER_RECIPES, createExtractor, type FeatureExtractor } from '../../src/features/index.js';
import { softmaxRows } from '../../src/features/classifier.js';
import { sliceImages, type ImageBatchU8 } from '../../src/io/image.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { classifierTestHome } from './classifier-home.js';

/**
 * `classifier:<dataset>` / `classifier:<path>`. The first use of `classifier:mnist` in an empty GENBENCH_HOME (CI)
 * trains the standard recipe (about a minute on an idle 2-core machine); later runs reuse the cached checkpoint.
 */
const shared = optionalSharedAssets();
const home = classifierTestHome();

function argmaxAccuracy(p: { rows: number; cols: number; data: Float64Array }, labels: Int32Array): number {
  let hits = 0;
  for (let i = 0; i < p.rows; i++) {
    const row = p.data.subarray(i * p.cols, (i + 1) * p.cols);
    if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
  }
  return hits / p.rows;
}

describe.skipIf(!shared)('classifier:mnist (standard recipe)', () => {
  let fx: FeatureExtractor;
  let heldout: { images: ImageBatchU8; labels?: Int32Array };
  let tensorsBefore: number;
  beforeAll(async () => {
    process.env['GENBENCH_HOME'] = home;
    tensorsBefore = tf.memory().numTensors;
    fx = await createExtractor('classifier:mnist'); // trains on first use
    heldout = await getDataset('mnist').load('test[8000:10000]');
  }, 600_000);
  afterAll(async () => {
    await fx?.dispose();
  });

  it('declares features (128), logits and softmax (10), the IS default softmax, and its preprocessing', () => {
    expect(fx.id).toBe('classifier:mnist');
    expect(fx.keyId).toBe('classifier:mnist');
    expect(fx.layers).toEqual([
      { name: 'features', dim: 128, kind: 'features' },
      { name: 'logits', dim: 10, kind: 'logits' },
      { name: 'softmax', dim: 10, kind: 'probabilities' },
    ]);
    expect(fx.defaults).toEqual({ features: 'features', classScores: 'softmax' });
    expect(fx.preprocessing).toMatchObject({ height: 28, width: 28, channels: 1, range: [0, 1], layout: 'NHWC', filter: 'area' });
    expect(fx.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records the recipe and a held-out accuracy that meets the 98% target', () => {
    const r = CLASSIFIER_RECIPES.get('mnist')!;
    expect(fx.info).toMatchObject({ dataset: 'mnist', train_split: 'test[0:8000]', heldout_split: 'test[8000:10000]', target_accuracy: r.target, recipe: 'genbench-classifier/r1' });
    expect(fx.info!['heldout_accuracy']).toBeGreaterThanOrEqual(0.98);
  });

  it('its softmax scores the held-out digits as training measured them', async () => {
    const p = (await fx.extract(heldout.images, { layers: ['softmax'] }))['softmax']!;
    const acc = argmaxAccuracy(p, heldout.labels!);
    expect(acc).toBeGreaterThanOrEqual(0.98);
    expect(Math.abs(acc - Number(fx.info!['heldout_accuracy']))).toBeLessThanOrEqual(0.002); // ONNX vs tfjs rounding
    for (let i = 0; i < 5; i++) expect(p.data.subarray(i * 10, i * 10 + 10).reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('gives the same features every time, whatever the batch size', async () => {
    const images = sliceImages(heldout.images, 0, 50);
    const a = (await fx.extract(images, { layers: ['features', 'softmax'] }))!;
    const b = (await fx.extract(images, { layers: ['features', 'softmax'] }))!;
    const c = (await fx.extract(images, { layers: ['features'], batchSize: 7 }))!;
    expect(b['features']!.data).toEqual(a['features']!.data);
    expect(b['softmax']!.data).toEqual(a['softmax']!.data);
    expect(a['features']!.rows).toBe(50);
    let worst = 0;
    a['features']!.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - c['features']!.data[i]!))));
    expect(worst).toBeLessThan(1e-4);
  });

  it('leaks no tfjs tensors (training included) and classifier:<path> opens the cached folder directly', async () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const byPath = await createExtractor(`classifier:${classifierCachePath('mnist', home)}`);
    try {
      expect(byPath.keyId).toBe('classifier:classifier-mnist');
      expect(byPath.id).toBe(`classifier:${join(classifierCachePath('mnist', home), 'genbench.json')}`);
      expect(byPath.weightsSha256).toBe(fx.weightsSha256);
      const images = sliceImages(heldout.images, 0, 8);
      expect((await byPath.extract(images))['features']!.data).toEqual((await fx.extract(images))['features']!.data);
    } finally {
      await byPath.dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('evaluates a generator through the CLI with --extractor classifier:mnist, accuracy in the recipe', async () => {
    const gen = join(shared!, 'fixtures/submissions/mnist-dcgan.onnx');
    const r = await runCli(['evaluate', '--generator', gen, '--dataset', 'mnist', '--n', '200', '--extractor', 'classifier:mnist', '--metrics', 'is,fd,precision,recall', '--json', '--quiet'], {
      env: { GENBENCH_ASSETS: shared, GENBENCH_HOME: home, GENBENCH_BACKEND: undefined },
      timeoutMs: 300_000,
    });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    // --quiet hides progress only: stderr holds the report's warnings, nothing else
    expect(r.stderr).toBe((report.warnings as string[]).map((w) => `warning: ${w}\n`).join(''));
    expect(report.recipe.extractor).toMatchObject({ id: 'classifier:mnist', weightsSha256: fx.weightsSha256, layers: { features: 'features', classScores: 'softmax' } });
    expect(report.recipe.extractor.info).toEqual(fx.info);
    expect(report.metrics.is.value).toBeGreaterThan(1);
    expect(report.metrics.is.value).toBeLessThanOrEqual(10);
    expect(report.metrics.fd.value).toBeGreaterThan(0);
    // by default: intervals on every metric, and the memorisation checks (the fixture's manifest names its training rows)
    for (const id of ['is', 'fd', 'precision', 'recall']) {
      const [lo, hi] = report.metrics[id].ci95 as [number, number];
      expect(lo <= report.metrics[id].value && report.metrics[id].value <= hi, id).toBe(true);
    }
    expect(report.recipe.bootstrap.resamples).toBe(200);
    expect(report.memorization.verdict).toMatch(/^memorisation: /);
  }, 300_000);
});

describe('classifier extractor without training', () => {
  it('softmaxRows is exp / sum, stable for large logits', () => {
    expect([...softmaxRows([0, Math.log(3), 1000, 1000], 2, 2)]).toEqual([0.25, 0.75, 0.5, 0.5].map((x, i) => (i < 2 ? expect.closeTo(x, 14) : x)));
  });

  it('lists the recipes for a name without one, and rejects a checkpoint that is not a classifier', async () => {
    await expect(createExtractor('classifier:cifar10')).rejects.toThrow(/no standard classifier recipe for 'cifar10' \(recipes: mnist, pneumoniamnist, polygons\)/);
    const e = await createExtractor('classifier:./no/such/run').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GenbenchError);
    expect((e as GenbenchError).code).toBe('NOT_FOUND');
  });

  it.skipIf(!shared)('names the role field of a generator checkpoint', async () => {
    await expect(createExtractor(`classifier:${join(shared!, 'fixtures/submissions/mnist-dcgan.onnx')}`)).rejects.toThrow(/mnist-dcgan\.genbench\.json: field 'role'.*genbench train --model classifier/);
  });
});
