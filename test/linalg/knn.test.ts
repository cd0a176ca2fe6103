import { describe, expect, it } from 'vitest';
import { ballCounts, exactSqDistance, kthNeighbourDistances, type BallTest } from '../../src/linalg/knn.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

function points(seed: number, rows: number, cols: number, offset = 0, grid = 0): Matrix {
  const rng = new Rng(seed);
  const data = rng.fillNormal(new Float64Array(rows * cols)).map((v) => (grid ? Math.round(v * grid) / grid : v) + offset);
  return { rows, cols, data };
}

function bruteKth(m: Matrix, k: number): Float64Array {
  return Float64Array.from({ length: m.rows }, (_, i) => {
    const d = Array.from({ length: m.rows }, (_, j) => exactSqDistance(m, i, m, j)).sort((a, b) => a - b);
    return Math.sqrt(d[k]!);
  });
}

function bruteCounts(rows: Matrix, cols: Matrix, t: BallTest) {
  const rc = new Int32Array(rows.rows);
  const cc = new Int32Array(cols.rows);
  for (let i = 0; i < rows.rows; i++) {
    for (let j = 0; j < cols.rows; j++) {
      const d = Math.sqrt(exactSqDistance(rows, i, cols, j));
      const r = t.radii[t.on === 'rows' ? i : j]!;
      if (t.strict ? d < r : d <= r) {
        rc[i]++;
        cc[j]++;
      }
    }
  }
  return { rc, cc };
}

describe('kthNeighbourDistances', () => {
  it('equals brute-force exact distances, for several k at once', async () => {
    const m = points(1, 150, 7);
    const [r1, r3, r5] = await kthNeighbourDistances(m, [1, 3, 5], { tileRows: 40 });
    expect(r1).toEqual(bruteKth(m, 1));
    expect(r3).toEqual(bruteKth(m, 3));
    expect(r5).toEqual(bruteKth(m, 5));
  });

  it('is exact under heavy cancellation (large common offset) and with duplicate rows', async () => {
    const m = points(2, 120, 16, 1e4, 4); // values on a grid of 1/4 plus 1e4: many ties, ||x||^2 ~ 1.6e9
    const [r] = await kthNeighbourDistances(m, [3], { tileRows: 50 });
    expect(r).toEqual(bruteKth(m, 3));
    const dup = { rows: 6, cols: 2, data: Float64Array.from([0, 0, 0, 0, 1, 0, 1, 0, 5, 5, 5, 5]) };
    const [d1] = await kthNeighbourDistances(dup, [1]);
    expect(Array.from(d1!)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('does not depend on the tile size', async () => {
    const m = points(3, 200, 12);
    const a = await kthNeighbourDistances(m, [3, 5], { tileRows: 1024 });
    const b = await kthNeighbourDistances(m, [3, 5], { tileRows: 7 });
    expect(b).toEqual(a);
  });

  it('float32 and float64 screening products give identical (exact) results', async () => {
    const m = points(9, 300, 40, 3);
    expect(await kthNeighbourDistances(m, [3, 5], { products: 'float32' })).toEqual(await kthNeighbourDistances(m, [3, 5], { products: 'float64' }));
    const q = points(10, 200, 40, 3);
    const [r] = await kthNeighbourDistances(m, [3]);
    const t: BallTest[] = [{ radii: r!, on: 'cols', strict: false }];
    const a = await ballCounts(q, m, t, { products: 'float32' });
    const b = await ballCounts(q, m, t, { products: 'float64' });
    expect(a[0]!.rowCounts).toEqual(b[0]!.rowCounts);
    expect(a[0]!.colCounts).toEqual(b[0]!.colCounts);
  });

  it('rejects k >= n', async () => {
    await expect(kthNeighbourDistances(points(4, 5, 2), [5])).rejects.toThrow(/k must be integers in \[1, 4\]/);
  });
});

describe('ballCounts', () => {
  it('equals brute force for row and column balls, strict and inclusive, including exact ties', async () => {
    const rows = points(5, 90, 5, 300, 2);
    const cols = points(6, 110, 5, 300, 2);
    const [colRadii] = await kthNeighbourDistances(cols, [3]);
    const [rowRadii] = await kthNeighbourDistances(rows, [2]);
    const tests: BallTest[] = [
      { radii: colRadii!, on: 'cols', strict: false },
      { radii: colRadii!, on: 'cols', strict: true },
      { radii: rowRadii!, on: 'rows', strict: false },
    ];
    for (const tileRows of [1024, 13]) {
      const got = await ballCounts(rows, cols, tests, { tileRows });
      tests.forEach((t, i) => {
        const want = bruteCounts(rows, cols, t);
        expect(got[i]!.rowCounts).toEqual(want.rc);
        expect(got[i]!.colCounts).toEqual(want.cc);
      });
    }
  });

  it('rejects different feature sizes', async () => {
    await expect(ballCounts(points(7, 3, 2), points(8, 3, 3), [])).rejects.toThrow(/feature sizes differ/);
  });
});
