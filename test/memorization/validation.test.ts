import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getDataset } from '../../src/data/index.js';
import type { DatasetSplit } from '../../src/data/types.js';
import { memorizationForModel, type MemorizationModelResult } from '../../src/memorization/model.js';
import type { MemorizationResult } from '../../src/memorization/checks.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { storedImagesGenerator } from './generators.js';

/**
 * Validation on MNIST (the test split stands in: rows 0-7999 = train, as the shared fixtures were trained; 8000-9999 =
 * held out), pixel space, 200 samples: the mnist-dcgan fixture does not copy, a generator that returns training images
 * copies on every check, and held-out real images (rows 9000-9999 against held-out rows 8000-8999) do not. These
 * contiguous blocks are not samples of one distribution (MNIST's writers change along its test split): the checks say
 * so with the shift warning, and calibration on seeded random partitions is null-calibration.test.ts's job.
 */
const shared = optionalSharedAssets();
const N = 200;
const checks = (r: MemorizationResult) => ({
  copy_rate: r.copy_rate.copying,
  closer_to_train_share: r.closer_to_train_share.copying,
  mifid_term: r.mifid_term.copying,
  ct: r.ct.copying,
});
const none = { copy_rate: false, closer_to_train_share: false, mifid_term: false, ct: false };
const all = { copy_rate: true, closer_to_train_share: true, mifid_term: true, ct: true };

describe.skipIf(!shared)('memorisation checks on MNIST (pixel space)', () => {
  let train: DatasetSplit;
  let out = '';
  const run = (generator: Parameters<typeof memorizationForModel>[0]['generator'], heldoutSplit = 'test[8000:]', panels?: string): Promise<MemorizationModelResult> =>
    memorizationForModel({ generator, dataset: 'mnist', trainSplit: 'test[:8000]', heldoutSplit, n: N, space: 'pixel', seed: 0, ...(panels === undefined ? {} : { panels }) });

  beforeAll(async () => {
    train = await getDataset('mnist').load('test[:8000]');
    out = mkdtempSync(join(tmpdir(), 'genbench-memorization-'));
  });

  it('the shared mnist-dcgan generator is not copying on any check', async () => {
    const r = await run(join(shared!, 'fixtures/submissions/mnist-dcgan.onnx'));
    const px = r.spaces.pixel!;
    expect(checks(px)).toEqual(none);
    expect(px.copy_rate.value).toBeLessThan(0.02);
    expect(px.ct.value!).toBeGreaterThan(-1);
    expect(px.warnings).toEqual([expect.stringMatching(/^the held-out set looks shifted from the training set/)]);
    expect(px.closer_to_train_share.baseline).toBeLessThan(px.closer_to_train_share.baseline_expectation - 0.1);
    expect(r.recipe).toMatchObject({ train_split: 'test[0:8000]', heldout_split: 'test[8000:10000]', n: { generated: N, train: 8000, heldout: 2000 } });
  });

  it('a generator that returns training images is copying on every check; the panel shows each beside its source', async () => {
    const panel = join(out, 'copier.png');
    const r = await run(storedImagesGenerator(train.images, 'copier'), 'test[8000:]', panel);
    const px = r.spaces.pixel!;
    expect(checks(px)).toEqual(all);
    expect(px.copy_rate.value).toBe(1);
    expect(px.closer_to_train_share.value).toBe(1);
    expect(px.mifid_term.raw).toBe(0);
    expect(px.ct.value!).toBeLessThan(-5);
    const legend = JSON.parse(readFileSync(r.panels!.legend, 'utf8')) as { rows: { sample: number; neighbours: { train_index: number; distance: number }[] }[] };
    expect(legend.rows).toHaveLength(8);
    for (const row of legend.rows) {
      expect(row.neighbours).toHaveLength(5);
      expect(row.neighbours[0]!.distance).toBe(0);
      expect(row.neighbours[1]!.distance).toBeGreaterThan(0);
    }
    const png = PNG.sync.read(readFileSync(panel));
    expect(png.height).toBeGreaterThan(8 * 56);
    expect(png.width).toBeGreaterThan(6 * 56);
  });

  it('held-out real images are not copying on any check', async () => {
    const extra = await getDataset('mnist').load('test[9000:]');
    const r = await run(storedImagesGenerator(extra.images, 'heldout-images'), 'test[8000:9000]');
    expect(checks(r.spaces.pixel!)).toEqual(none);
  });
});
