import { describe, expect, it } from 'vitest';
import { covarianceOf, momentsOf } from '../../src/linalg/covariance.js';
import { gemmJs } from '../../src/linalg/gemm.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { congruenceCertifiesFullRank } from '../../src/linalg/rank.js';
import { maxAbs, randomMatrix } from './random.js';

/** Two-pass covariance (ddof 1) with the JS product. */
function twoPass(x: Matrix): Float64Array {
  const { rows: n, cols: d } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j]! / n;
  const c: Matrix = { rows: n, cols: d, data: x.data.map((v, i) => v - mean[i % d]!) };
  return gemmJs(c, c, { transA: true }).data.map((v) => v / (n - 1));
}

describe('momentsOf: column blocks, row chunks, precision', () => {
  const x = randomMatrix(301, 37, 5);
  const shifted: Matrix = { ...x, data: x.data.map((v, i) => v + 1e4 * (1 + (i % 37))) };
  const want = twoPass(shifted);

  it('any block count and chunk size gives the same covariance (mean 1e4 times the spread)', async () => {
    for (const [blocks, chunkRows] of [[1, 301], [3, 7], [5, 100], [37, 300]] as const) {
      const got = covarianceOf(await momentsOf(shifted, { blocks, chunkRows }));
      expect(maxAbs(got.data.map((v, i) => v - want[i]!))).toBeLessThan(1e-9);
      expect(got.data[3 * 37 + 20]).toBe(got.data[20 * 37 + 3]);
    }
  });

  it("'mixed' (float32 products, float64 centring and accumulation) is close but not float64", async () => {
    const got = covarianceOf(await momentsOf(shifted, { precision: 'mixed', blocks: 3, chunkRows: 50 }));
    const scale = maxAbs(want);
    const err = maxAbs(got.data.map((v, i) => v - want[i]!)) / scale;
    expect(err).toBeLessThan(1e-5);
    expect(err).toBeGreaterThan(1e-12);
  });
});

describe('congruenceCertifiesFullRank', () => {
  const eye = (d: number, s: number): Matrix => ({ rows: d, cols: d, data: Float64Array.from({ length: d * d }, (_, i) => (i % (d + 1) === 0 ? s : 0)) });
  it('certifies a well-conditioned pair and refuses a (near-)singular one', () => {
    // S1 = 2 I, S2 = 3 I: M = L^T S2 L = 6 I.
    expect(congruenceCertifiesFullRank(eye(50, 2), eye(50, 3), 6)).toBe(true);
    expect(congruenceCertifiesFullRank(eye(50, 2), eye(50, 3), 1e-14)).toBe(false);
    expect(congruenceCertifiesFullRank(eye(50, 2), eye(50, 3), 0)).toBe(false);
  });
});
