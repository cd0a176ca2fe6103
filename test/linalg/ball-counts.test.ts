import { describe, expect, it } from 'vitest';
import { ballCounts, exactSqDistance, type BallTest } from '../../src/linalg/ball-counts.js';
import { kthNeighbourDistances } from '../../src/nn/exact.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

function points(seed: number, rows: number, cols: number, offset = 0, grid = 0): Matrix {
  const rng = new Rng(seed);
  const data = rng.fillNormal(new Float64Array(rows * cols)).map((v) => (grid ? Math.round(v * grid) / grid : v) + offset);
  return { rows, cols, data };
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

  it('float32 and float64 screening products give identical (exact) counts', async () => {
    const m = points(9, 300, 40, 3);
    const q = points(10, 200, 40, 3);
    const [r] = await kthNeighbourDistances(m, [3]);
    const t: BallTest[] = [{ radii: r!, on: 'cols', strict: false }];
    const a = await ballCounts(q, m, t, { products: 'float32' });
    const b = await ballCounts(q, m, t, { products: 'float64' });
    expect(a[0]!.rowCounts).toEqual(b[0]!.rowCounts);
    expect(a[0]!.colCounts).toEqual(b[0]!.colCounts);
  });

  it('rejects different feature sizes', async () => {
    await expect(ballCounts(points(7, 3, 2), points(8, 3, 3), [])).rejects.toThrow(/feature sizes differ/);
  });
});
