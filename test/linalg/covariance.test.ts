import { describe, expect, it } from 'vitest';
import { pivotedCholesky } from '../../src/linalg/cholesky.js';
import { covarianceOf, mergeMoments, momentsOf } from '../../src/linalg/covariance.js';
import { gemmJs } from '../../src/linalg/gemm.js';
import { rowSlice, type Matrix } from '../../src/linalg/matrix.js';
import { maxAbs, randomMatrix, withSpectrum } from './random.js';

/** Textbook two-pass covariance (ddof 1), the reference. */
function naiveCov(x: Matrix): { mean: Float64Array; cov: Float64Array } {
  const { rows: n, cols: d } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j]! / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const da = x.data[i * d + a]! - mean[a]!;
      for (let b = 0; b < d; b++) cov[a * d + b] += (da * (x.data[i * d + b]! - mean[b]!)) / (n - 1);
    }
  }
  return { mean, cov };
}

describe('covariance', () => {
  it('matches the two-pass formula, even with a mean 1e6 times the spread', async () => {
    const x = randomMatrix(500, 30, 1);
    const shifted = { ...x, data: x.data.map((v, i) => v + 1e6 * (1 + (i % 30))) };
    for (const m of [x, shifted]) {
      const want = naiveCov(m);
      const got = await momentsOf(m);
      expect(maxAbs(covarianceOf(got).data.map((v, i) => v - want.cov[i]!))).toBeLessThan(1e-11);
      expect(maxAbs(got.mean.map((v, i) => v - want.mean[i]!)) / maxAbs(want.mean)).toBeLessThan(1e-14);
    }
  });

  it('chunked accumulation merged with Chan’s update equals one pass', async () => {
    const x = randomMatrix(1000, 700, 2); // d > 512: several blocks in the symmetric product
    const whole = await momentsOf(x);
    let merged = await momentsOf(rowSlice(x, 0, 1));
    for (const [a, b] of [[1, 333], [333, 334], [334, 1000]] as const) merged = mergeMoments(merged, await momentsOf(rowSlice(x, a, b)));
    expect(merged.count).toBe(1000);
    const scale = maxAbs(whole.m2.data);
    expect(maxAbs(merged.m2.data.map((v, i) => v - whole.m2.data[i]!)) / scale).toBeLessThan(1e-13);
    expect(maxAbs(merged.mean.map((v, i) => v - whole.mean[i]!))).toBeLessThan(1e-15);
  });
});

describe('pivoted Cholesky', () => {
  const reconstructionError = (s: Matrix, r: Awaited<ReturnType<typeof pivotedCholesky>>): number => {
    const llt = gemmJs(r.factor, r.factor, { transB: true });
    const d = s.rows;
    let err = 0;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) err = Math.max(err, Math.abs(llt.data[i * d + j]! - s.data[r.perm[i]! * d + r.perm[j]!]!));
    return err / maxAbs(s.data);
  };

  it('factors a positive definite matrix (blocked, several panels)', async () => {
    const g = randomMatrix(300, 150, 3);
    const s = gemmJs(g, g, { transA: true });
    const r = await pivotedCholesky(s, { block: 32 });
    expect(r.rank).toBe(150);
    expect(reconstructionError(s, r)).toBeLessThan(1e-14);
  });

  it('stops at the numerical rank of a singular PSD matrix', async () => {
    const values = Array.from({ length: 80 }, (_, i) => (i < 50 ? 1 + i : 0));
    const s = withSpectrum(values, 4);
    const r = await pivotedCholesky(s, { block: 16 });
    expect(r.rank).toBe(50);
    expect(reconstructionError(s, r)).toBeLessThan(1e-12);
  });
});
