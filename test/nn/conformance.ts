import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import type { NearestNeighbors, NnMatrix, NnMetric } from '../../src/nn/types.js';
import { bruteForce, clustered } from './brute.js';

/** How a suite makes an index: the implementation under test with its options. */
export type Factory = (train: NnMatrix, metric: NnMetric) => Promise<NearestNeighbors>;

/**
 * The shared conformance suite of NearestNeighbors: every implementation runs these cases.
 * `exact: true` demands brute-force results exactly; otherwise recall@1 >= 0.99 and exact distances for the rows
 * it returns (HNSW: membership is approximate, distances are re-ranked in float64).
 */
export function conformance(name: string, make: Factory, opts: { exact: boolean }): void {
  const rows = (r: { indices: Int32Array[] }) => r.indices.map((x) => [...x]);
  const withIndex = async <T>(train: NnMatrix, metric: NnMetric, fn: (nn: NearestNeighbors) => Promise<T>): Promise<T> => {
    const nn = await make(train, metric);
    try {
      return await fn(nn);
    } finally {
      await nn.dispose();
    }
  };

  describe(`${name}: NearestNeighbors conformance`, () => {
    for (const metric of ['l2', 'cosine'] as const) {
      it(`${metric}: agrees with brute force (sorted, ties by lower index, distances exact)`, async () => {
        const train = clustered(1500, 24, 11);
        const query = clustered(120, 24, 12);
        const want = bruteForce(train, query, 6, metric);
        const got = await withIndex(train, metric, (nn) => nn.search(query, 6));
        expect(got.indices).toHaveLength(120);
        if (opts.exact) expect(rows(got)).toEqual(rows(want));
        let top1 = 0;
        got.indices.forEach((idx, i) => {
          top1 += idx[0] === want.indices[i]![0] ? 1 : 0;
          const dist = got.distances[i]!;
          for (let t = 1; t < 6; t++) expect(dist[t]!).toBeGreaterThanOrEqual(dist[t - 1]!);
          expect(new Set(idx).size).toBe(6);
          if (idx[0] === want.indices[i]![0]) expect(Math.abs(dist[0]! - want.distances[i]![0]!)).toBeLessThan(1e-12);
        });
        expect(top1 / 120).toBeGreaterThanOrEqual(0.99);
        if (opts.exact) got.distances.forEach((d, i) => d.forEach((v, t) => expect(Math.abs(v - want.distances[i]![t]!)).toBeLessThan(1e-12)));
      });
    }

    it('a training row finds itself at distance 0; duplicates are ordered by index', async () => {
      const base = clustered(300, 8, 3);
      const data = new Float64Array(301 * 8);
      data.set(base.data);
      data.set(base.data.subarray(40 * 8, 41 * 8), 300 * 8); // row 300 duplicates row 40
      const train = { rows: 301, cols: 8, data };
      const query = { rows: 2, cols: 8, data: Float64Array.from([...data.subarray(40 * 8, 41 * 8), ...data.subarray(7 * 8, 8 * 8)]) };
      const r = await withIndex(train, 'l2', (nn) => nn.search(query, 3));
      expect([...r.indices[0]!].slice(0, 2)).toEqual([40, 300]);
      expect([...r.distances[0]!].slice(0, 2)).toEqual([0, 0]);
      expect(r.indices[1]![0]).toBe(7);
    });

    it('float32 and float64 inputs of the same values give the same results', async () => {
      const t64 = clustered(400, 12, 5);
      const t32 = { ...t64, data: Float32Array.from(t64.data) };
      const t = { ...t64, data: Float64Array.from(t32.data) };
      const q = clustered(30, 12, 6);
      const a = await withIndex(t, 'l2', (nn) => nn.search(q, 4));
      const b = await withIndex(t32, 'l2', (nn) => nn.search({ ...q, data: Float32Array.from(q.data) }, 4));
      const c = await withIndex(t, 'l2', (nn) => nn.search({ ...q, data: Float64Array.from(Float32Array.from(q.data)) }, 4));
      expect(rows(b)).toEqual(rows(c));
      expect(b.distances).toEqual(c.distances);
      expect(a.indices).toHaveLength(30);
    });

    it('k larger than the training set, k = 0, a dimension mismatch and NaN are errors with one line', async () => {
      const train = clustered(20, 4, 7);
      await withIndex(train, 'l2', async (nn) => {
        const q = clustered(3, 4, 8);
        await expect(nn.search(q, 21)).rejects.toThrow(/k must be an integer in \[1, 20\]/);
        await expect(nn.search(q, 0)).rejects.toBeInstanceOf(GenbenchError);
        await expect(nn.search(clustered(3, 5, 8), 2)).rejects.toThrow(/5 features per row but the training set has 4/);
        const bad = { ...q, data: Float64Array.from(q.data) };
        bad.data[5] = Number.NaN;
        await expect(nn.search(bad, 2)).rejects.toThrow(/non-finite value NaN at row 1, column 1/);
        expect((await nn.search(q, 20)).indices[0]).toHaveLength(20);
      });
    });

    it('cosine: a zero row is an INPUT error; k = n returns every row', async () => {
      const train = clustered(10, 3, 9);
      await withIndex(train, 'cosine', async (nn) => {
        await expect(nn.search({ rows: 1, cols: 3, data: new Float64Array(3) }, 1)).rejects.toThrow(/row 0 is all zeros/);
        const r = await nn.search(clustered(2, 3, 10), 10);
        expect([...r.indices[0]!].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        for (const d of r.distances[0]!) expect(d).toBeGreaterThanOrEqual(0);
      });
    });

    it('search after dispose() rejects', async () => {
      const nn = await make(clustered(10, 3, 9), 'l2');
      await nn.dispose();
      await expect(nn.search(clustered(1, 3, 1), 1)).rejects.toThrow(/dispose/);
    });
  });
}
