import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { autoShards, defaultProjection, hnswNearestNeighbors, type HnswOptions } from '../../src/nn/hnsw.js';
import type { NnMatrix, NnMetric } from '../../src/nn/types.js';
import { bruteForce, clustered, featureLike } from './brute.js';
import { conformance } from './conformance.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'genbench-nn-test-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

conformance('hnsw (1 index, 2 query workers)', (train, metric) => hnswNearestNeighbors(train, { metric, cacheDir, shards: 1, threads: 2 }), { exact: false });
conformance('hnsw (2 shards, no cache)', (train, metric) => hnswNearestNeighbors(train, { metric, cache: false, shards: 2 }), { exact: false });

function recall(got: Int32Array[], want: Int32Array[], k: number): number {
  let hit = 0;
  got.forEach((g, i) => {
    const w = new Set([...want[i]!].slice(0, k));
    hit += [...g].slice(0, k).filter((j) => w.has(j)).length;
  });
  return hit / (got.length * k);
}

/** A 10-NN search on a new index, checked against brute force for recall@1 >= 0.99 and recall@10 >= 0.95. */
async function searchWithRecall(train: NnMatrix, query: NnMatrix, opts: HnswOptions & { metric: NnMetric }) {
  const want = bruteForce(train, query, 10, opts.metric);
  const nn = await hnswNearestNeighbors(train, opts);
  const r = await nn.search(query, 10);
  await nn.dispose();
  expect(recall(r.indices, want.indices, 1)).toBeGreaterThanOrEqual(0.99);
  expect(recall(r.indices, want.indices, 10)).toBeGreaterThanOrEqual(0.95);
  return { nn, r, want };
}

/** Flips bits of the byte `fromEnd` bytes before the end of a file (a corrupted cache file). */
function corrupt(file: string, fromEnd: number, mask: number): void {
  const bytes = readFileSync(file);
  bytes[bytes.length - fromEnd] ^= mask;
  writeFileSync(file, bytes);
}

describe('hnsw', () => {
  it('recall@1 >= 0.99 and recall@10 >= 0.95 on moderate random feature-like data, l2 and cosine', async () => {
    const train = featureLike(6000, 64, 12, 41);
    const query = featureLike(200, 64, 12, 42);
    for (const metric of ['l2', 'cosine'] as const) await searchWithRecall(train, query, { metric, cache: false });
  });

  it('saves to and loads from the cache: same results, cacheHit, and a corrupted shard is rebuilt', async () => {
    const train = clustered(2000, 16, 51);
    const query = clustered(50, 16, 52);
    const a = await hnswNearestNeighbors(train, { cacheDir, shards: 2, m: 12 });
    const ra = await a.search(query, 5);
    await a.dispose();
    expect(a.recipe['cacheHit']).toBe(false);
    const key = a.recipe['cacheKey'] as string;
    expect(readdirSync(join(cacheDir, key)).sort()).toEqual(['meta.json', 'shard-0.hnsw', 'shard-1.hnsw']);
    const b = await hnswNearestNeighbors(train, { cacheDir, shards: 2, m: 12 });
    expect(b.recipe['cacheHit']).toBe(true);
    expect((await b.search(query, 5)).indices).toEqual(ra.indices);
    await b.dispose();
    corrupt(join(cacheDir, key, 'shard-1.hnsw'), 5, 0xff);
    const c = await hnswNearestNeighbors(train, { cacheDir, shards: 2, m: 12 });
    expect(c.recipe['cacheHit']).toBe(false);
    expect((await c.search(query, 5)).indices).toEqual(ra.indices);
    await c.dispose();
    // Another parameter or other data is another key.
    const d = await hnswNearestNeighbors(train, { cacheDir, shards: 2, m: 16 });
    expect(d.recipe['cacheKey']).not.toBe(key);
    await d.dispose();
  });

  it('records its parameters in the recipe; ef is at least k; shards default by size', async () => {
    const nn = await hnswNearestNeighbors(clustered(300, 4, 61), { cache: false, ef: 5 });
    expect(nn.recipe).toMatchObject({ method: 'hnsw', metric: 'l2', m: 48, efConstruction: 200, ef: 5, seed: 100, shards: 1, project: 0, candidates: 'k' });
    const want = bruteForce(clustered(300, 4, 61), clustered(5, 4, 62), 50, 'l2');
    expect((await nn.search(clustered(5, 4, 62), 50)).indices[0]!.length).toBe(50);
    expect(recall((await nn.search(clustered(5, 4, 62), 50)).indices, want.indices, 50)).toBeGreaterThan(0.9);
    await nn.dispose();
    expect(autoShards(10_000, 2)).toBe(1);
    expect(autoShards(200_000, 2)).toBe(2);
    expect(autoShards(200_000, 2, true)).toBe(1);
    expect(defaultProjection(768)).toBe(64);
    expect(defaultProjection(128)).toBe(0);
    await expect(hnswNearestNeighbors(clustered(10, 2, 1), { m: 1 })).rejects.toThrow(/m must be an integer >= 2/);
    await expect(hnswNearestNeighbors(clustered(10, 8, 1), { project: 8 })).rejects.toThrow(/project must be below the feature count 8/);
  });

  it('on a projection (wide rows): exact re-ranked distances, recall >= 0.99 / 0.95, projection cached and verified', async () => {
    const train = featureLike(5000, 320, 12, 71);
    const query = featureLike(200, 320, 12, 72);
    for (const metric of ['l2', 'cosine'] as const) {
      const { nn, r, want } = await searchWithRecall(train, query, { metric, cacheDir });
      expect(nn.recipe).toMatchObject({ project: 64, candidates: 'max(2k, 20)', shards: 1 });
      expect(nn.recipe['projectionExplained']).toBeGreaterThan(0.5);
      r.indices.forEach((row, i) => row.forEach((j, t) => {
        const hit = [...want.indices[i]!].indexOf(j);
        if (hit >= 0) expect(r.distances[i]![t]).toBeCloseTo(want.distances[i]![hit]!, 9);
      }));
      const key = nn.recipe['cacheKey'] as string;
      expect(readdirSync(join(cacheDir, key)).sort()).toEqual(['meta.json', 'projection.bin', 'shard-0.hnsw']);
      if (metric === 'l2') {
        const again = await hnswNearestNeighbors(train, { metric, cacheDir });
        expect(again.recipe['cacheHit']).toBe(true);
        expect((await again.search(query, 10)).indices).toEqual(r.indices);
        await again.dispose();
        corrupt(join(cacheDir, key, 'projection.bin'), 3, 0x40);
        const rebuilt = await hnswNearestNeighbors(train, { metric, cacheDir });
        expect(rebuilt.recipe['cacheHit']).toBe(false);
        await rebuilt.dispose();
      }
    }
    const flat = await hnswNearestNeighbors(train, { cache: false, project: 0 });
    expect(flat.recipe).toMatchObject({ project: 0 });
    await flat.dispose();
  });
});
