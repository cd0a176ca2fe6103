import { describe, expect, it } from 'vitest';
import { assignCells, kmeans } from '../../src/stats/kmeans.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { npyInts, npyMatrix } from '../memorization/fixtures.js';

const shared = optionalSharedAssets();

function blobs(seed: number): { rows: number; cols: number; data: Float64Array } {
  const rng = new Rng(seed);
  const centres = [[0, 0], [10, 0], [0, 10]];
  const data = new Float64Array(300 * 2);
  for (let i = 0; i < 300; i++) {
    const c = centres[i % 3]!;
    data[2 * i] = c[0]! + rng.normal() * 0.5;
    data[2 * i + 1] = c[1]! + rng.normal() * 0.5;
  }
  return { rows: 300, cols: 2, data };
}

describe('k-means cells', () => {
  it('finds three separated blobs, reproducibly for a seed', () => {
    const x = blobs(1);
    const r = kmeans(x, { k: 3, rng: new Rng(7) });
    for (let i = 3; i < 300; i++) expect(r.labels[i]).toBe(r.labels[i % 3]);
    expect(new Set(r.labels).size).toBe(3);
    expect(kmeans(x, { k: 3, rng: new Rng(7) }).centers.data).toEqual(r.centers.data);
    expect(assignCells(x, r.centers)).toEqual(r.labels);
  });

  it('rejects k larger than the rows', () => {
    expect(() => kmeans(blobs(1), { k: 301, rng: new Rng(0) })).toThrow(/1 <= k <= 300/);
  });

  describe.skipIf(!shared)('golden: sklearn KMeans.predict labels from the stored centres', () => {
    it('assigns every train/test/fake row to the same cell as sklearn', async () => {
      const dir = `${shared}/fixtures/metrics/data-copying`;
      const centers = await npyMatrix(dir, 'kmeans_centers.npy');
      for (const [data, labels] of [['train.npy', 'labels_train.npy'], ['test.npy', 'labels_test.npy'], ['fake_copying.npy', 'labels_fake_copying.npy'], ['fake_fair.npy', 'labels_fake_fair.npy']] as const) {
        expect(assignCells(await npyMatrix(dir, data), centers)).toEqual(await npyInts(dir, labels));
      }
    });
  });
});
