import { describe, expect, it } from 'vitest';
import { exactSqDistance } from '../../src/linalg/ball-counts.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { kthNeighbourDistances } from '../../src/nn/exact.js';
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

describe('kthNeighbourDistances', () => {
  it('equals brute-force exact distances, for several k at once', async () => {
    const m = points(1, 150, 7);
    const [r1, r3, r5] = await kthNeighbourDistances(m, [1, 3, 5], { queryTile: 40, trainBlock: 64 });
    expect(r1).toEqual(bruteKth(m, 1));
    expect(r3).toEqual(bruteKth(m, 3));
    expect(r5).toEqual(bruteKth(m, 5));
  });

  it('is exact under heavy cancellation (large common offset) and with duplicate rows', async () => {
    const m = points(2, 120, 16, 1e4, 4); // values on a grid of 1/4 plus 1e4: many ties, ||x||^2 ~ 1.6e9
    const [r] = await kthNeighbourDistances(m, [3], { queryTile: 50 });
    expect(r).toEqual(bruteKth(m, 3));
    const dup = { rows: 6, cols: 2, data: Float64Array.from([0, 0, 0, 0, 1, 0, 1, 0, 5, 5, 5, 5]) };
    const [d1] = await kthNeighbourDistances(dup, [1]);
    expect(Array.from(d1!)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('does not depend on the tile sizes', async () => {
    const m = points(3, 200, 12);
    const a = await kthNeighbourDistances(m, [3, 5]);
    const b = await kthNeighbourDistances(m, [3, 5], { queryTile: 7, trainBlock: 33, margin: 1 });
    expect(b).toEqual(a);
  });

  it('rejects k >= n', async () => {
    await expect(kthNeighbourDistances(points(4, 5, 2), [5])).rejects.toThrow(/k must be integers in \[1, 4\]/);
  });
});
