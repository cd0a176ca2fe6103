import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getDataset } from '../../src/data/index.js';
import { datasetInputs, extractCached, mobilenetPreprocessing, type FeatureExtractor } from '../../src/features/index.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { loadReference } from '../../src/harness/reference.js';

/**
 * The evaluation's reference is a seeded random subset of the split, named by the whole split's expression: its
 * features must be cached under its rows, or a second run with another seed or size would be served the first
 * run's features.
 */
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A deterministic stand-in extractor: one feature per image, its pixel sum. */
function pixelSumExtractor(): FeatureExtractor & { calls: number } {
  const fx = {
    calls: 0,
    id: 'pixel-sum',
    keyId: 'pixel-sum',
    layers: [{ name: 'f', dim: 1, kind: 'features' as const }],
    defaults: { features: 'f' },
    preprocessing: mobilenetPreprocessing('bilinear'),
    weightsSha256: 'a'.repeat(64),
    engine: 'test',
    async extract(images: ImageBatchU8): Promise<Record<string, Matrix>> {
      fx.calls++;
      const size = images.height * images.width * images.channels;
      const data = Float64Array.from({ length: images.n }, (_, i) => images.data.subarray(i * size, (i + 1) * size).reduce((s, v) => s + v, 0));
      return { f: { rows: images.n, cols: 1, data } };
    },
    async dispose(): Promise<void> {},
  };
  return fx;
}

describe('reference subsets in the feature cache', () => {
  const ds = getDataset('polygons');
  const split = 'test[0:300]';

  it('keys a seeded subset by its rows, so another seed or size gets its own features', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genbench-refcache-'));
    dirs.push(dir);
    const fx = pixelSumExtractor();
    const features = async (n: number, seed: number) => {
      const { reference, selection } = await loadReference(ds, split, n, seed);
      expect(reference.split).toBe('test[0:300]'); // the whole split expression, as the report names it
      expect(reference.rows).toBe(selection.rowsSha256);
      const r = (await extractCached(fx, reference.images, datasetInputs(ds.name, reference), { dir }))['f']!;
      const direct = (await pixelSumExtractor().extract(reference.images))['f']!;
      expect(Array.from(r.matrix.data)).toEqual(Array.from(direct.data));
      return r;
    };
    const a = await features(100, 0);
    expect(a.hit).toBe(false);
    expect((await features(100, 0)).hit).toBe(true); // same seed, same rows: a hit
    const b = await features(100, 1);
    expect(b.hit).toBe(false);
    expect(b.key).not.toBe(a.key);
    const c = await features(150, 0);
    expect([c.hit, c.matrix.rows]).toEqual([false, 150]);
    expect(fx.calls).toBe(3);
  });

  it('keys the whole split as before: no rows in the key', async () => {
    const { reference, selection } = await loadReference(ds, split, undefined, 0);
    expect(reference.rows).toBeUndefined();
    expect(selection).toMatchObject({ count: 300, of: 300, seed: null });
    expect(datasetInputs(ds.name, reference)).not.toHaveProperty('rows');
  });
});
