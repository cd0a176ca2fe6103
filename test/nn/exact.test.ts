import { describe, expect, it } from 'vitest';
import { exactNearestNeighbors } from '../../src/nn/exact.js';
import { bruteForce, clustered } from './brute.js';
import { conformance } from './conformance.js';

conformance('exact', async (train, metric) => exactNearestNeighbors(train, { metric, trainBlock: 256, queryTile: 32 }), { exact: true });
conformance('exact (default tiles)', async (train, metric) => exactNearestNeighbors(train, { metric }), { exact: true });

describe('exact search', () => {
  it('results do not depend on tiles or margin; near ties beyond the margin are re-screened, then checked in full', async () => {
    const train = clustered(900, 10, 21);
    const query = clustered(40, 10, 22);
    const want = bruteForce(train, query, 5, 'l2');
    for (const o of [{ trainBlock: 100, queryTile: 7, margin: 1 }, { trainBlock: 900, queryTile: 40 }, { trainBlock: 33, queryTile: 1, margin: 50 }]) {
      const r = await exactNearestNeighbors(train, o).search(query, 5);
      expect(r.indices.map((x) => [...x])).toEqual(want.indices.map((x) => [...x]));
    }
    // 60 copies of one row: margin 1 cannot hold them all, so blocks are screened again with more kept rows.
    const data = new Float64Array(300 * 10);
    for (let i = 0; i < 300; i++) data.set(i < 60 ? train.data.subarray(0, 10) : train.data.subarray(i * 10, i * 10 + 10), i * 10);
    const dup = { rows: 300, cols: 10, data };
    const nn = exactNearestNeighbors(dup, { trainBlock: 50, margin: 1 });
    const r = await nn.search({ rows: 1, cols: 10, data: train.data.subarray(0, 10) }, 12);
    expect([...r.indices[0]!]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(nn.fallbacks).toBe(0);
    // 700 copies in one block of 700, k 1, margin 1: the 32- and 512-row re-screens cannot hold them, so the block is checked in full.
    const many = new Float64Array(800 * 10);
    for (let i = 0; i < 800; i++) many.set(train.data.subarray(i < 700 ? 0 : i * 10, i < 700 ? 10 : i * 10 + 10), i * 10);
    const nn2 = exactNearestNeighbors({ rows: 800, cols: 10, data: many }, { trainBlock: 700, margin: 1, queryTile: 3 });
    const r2 = await nn2.search({ rows: 1, cols: 10, data: train.data.subarray(0, 10) }, 1);
    expect([...r2.indices[0]!]).toEqual([0]);
    expect(nn2.fallbacks).toBe(1);
  });

  it('separates neighbours closer than float32 resolution (float64 re-check)', async () => {
    // Large offset, tiny differences: float32 products cannot rank these; the re-check must.
    const d = 4;
    const train = { rows: 5, cols: d, data: new Float64Array(5 * d) };
    for (let i = 0; i < 5; i++) for (let c = 0; c < d; c++) train.data[i * d + c] = 1000 + (c === 0 ? (5 - i) * 1e-7 : 0);
    const q = { rows: 1, cols: d, data: Float64Array.from([1000, 1000, 1000, 1000]) };
    const r = await exactNearestNeighbors(train).search(q, 5);
    expect([...r.indices[0]!]).toEqual([4, 3, 2, 1, 0]);
    expect(r.distances[0]![0]).toBeCloseTo(1e-7, 12);
  });

  it('is scale-invariant in its decisions (huge and tiny values)', async () => {
    const base = clustered(200, 6, 31);
    const q = clustered(10, 6, 32);
    const want = bruteForce(base, q, 3, 'l2').indices.map((x) => [...x]);
    for (const s of [1e-30, 1e30]) {
      const scale = (m: typeof base) => ({ ...m, data: m.data.map((v) => v * s) });
      const r = await exactNearestNeighbors(scale(base)).search(scale(q), 3);
      expect(r.indices.map((x) => [...x])).toEqual(want);
    }
  });
});
