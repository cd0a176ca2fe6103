import { describe, expect, it } from 'vitest';
import { bootstrapGroup } from '../../metrics/bootstrap.js';
import { computeMetrics, getMetric } from '../../metrics/index.js';
import { entropy, vendiScore } from '../../metrics/vendi.js';
import { symmetricEigen } from '../../src/linalg/eigen.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

const rows = (r: number[][]): Matrix => ({ rows: r.length, cols: r[0]!.length, data: Float64Array.from(r.flat()) });

function gaussian(n: number, d: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { rows: n, cols: d, data: Float64Array.from({ length: n * d }, () => rng.normal()) };
}

/** The definition, directly: eigenvalues of the n x n cosine-similarity matrix over n (JS tred2 + tql2). */
function direct(x: Matrix): number {
  const k = new Float64Array(x.rows * x.rows);
  const norm = (i: number) => Math.hypot(...x.data.subarray(i * x.cols, (i + 1) * x.cols));
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.rows; j++) {
      let dot = 0;
      for (let c = 0; c < x.cols; c++) dot += x.data[i * x.cols + c]! * x.data[j * x.cols + c]!;
      k[i * x.rows + j] = dot / (norm(i) * norm(j) * x.rows);
    }
  }
  return Math.exp(entropy(symmetricEigen({ rows: x.rows, cols: x.rows, data: k }).values));
}

describe('Vendi score', () => {
  it('is 1 for identical rows and n for n orthogonal rows, whatever their lengths', async () => {
    expect((await vendiScore(rows([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]))).value).toBeCloseTo(1, 12);
    expect((await vendiScore(rows([[2, 0, 0], [0, 5, 0], [0, 0, 0.5]]))).value).toBeCloseTo(3, 12);
    // 4 orthogonal rows in 6 dimensions (n <= d: the Gram route) and 6 in 6 (scaled identity)
    const four = await vendiScore(rows([[1, 1, 0, 0, 0, 0], [1, -1, 0, 0, 0, 0], [0, 0, 3, 0, 0, 0], [0, 0, 0, 0, 1, 1]]));
    expect(four).toEqual({ value: expect.closeTo(4, 12), method: 'gram' });
    expect((await vendiScore(rows(Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? 7 : 0)))))).value).toBeCloseTo(6, 12);
  });

  it('gives exp of the eigenvalue entropy of a 2 x 2 case worked by hand', async () => {
    // unit rows at cosine 0.6: K / 2 = [[0.5, 0.3], [0.3, 0.5]] has eigenvalues 0.8 and 0.2
    const hand = Math.exp(-(0.8 * Math.log(0.8) + 0.2 * Math.log(0.2)));
    expect(hand).toBeCloseTo(1.6493848, 6);
    expect((await vendiScore(rows([[1, 0], [0.6, 0.8]]))).value).toBeCloseTo(hand, 12);
    expect((await vendiScore(rows([[3, 0], [1.2, 1.6], [1.2, 1.6], [3, 0]]))).value).toBeCloseTo(hand, 12); // duplicates change nothing here
  });

  it('equals the n x n definition through the d x d route (n > d) and the Gram route (n <= d)', async () => {
    const tall = gaussian(40, 6, 1);
    const wide = gaussian(12, 30, 2);
    expect((await vendiScore(tall)).method).toBe('scatter');
    expect((await vendiScore(tall)).value).toBeCloseTo(direct(tall), 10);
    expect((await vendiScore(wide)).value).toBeCloseTo(direct(wide), 10);
  });

  it('is registered: computed from the generated rows only, higher is better, with an interval', async () => {
    const sets = { generated: gaussian(40, 6, 3), reference: gaussian(50, 6, 4) };
    const r = await computeMetrics(['vendi'], sets);
    expect(r.vendi!.value).toBe((await vendiScore(sets.generated)).value);
    expect((await computeMetrics(['vendi'], { ...sets, reference: gaussian(50, 6, 5) })).vendi!.value).toBe(r.vendi!.value);
    expect(getMetric('vendi').higherIsBetter).toBe(true);
    const b = await bootstrapGroup(getMetric('vendi'), sets, {}, { resamples: 80, seed: 1 });
    const [lo, hi] = b.intervals.vendi!.ci;
    expect(lo).toBeLessThan(r.vendi!.value);
    expect(hi).toBeGreaterThan(r.vendi!.value);
  });
});
