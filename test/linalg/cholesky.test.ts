import { describe, expect, it } from 'vitest';
import { choleskyFactor, choleskyWithInverse } from '../../src/linalg/cholesky-recursive.js';
import { pivotedCholesky } from '../../src/linalg/cholesky.js';
import { gemmJs } from '../../src/linalg/gemm.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { covarianceRank } from '../../src/linalg/rank.js';
import { lowerInverse } from '../../src/linalg/triangular.js';
import { maxAbs, randomMatrix, withSpectrum } from './random.js';

const spd = (n: number, seed: number): Matrix => {
  const g = randomMatrix(2 * n, n, seed);
  return gemmJs(g, g, { transA: true });
};
const identityError = (a: Matrix, b: Matrix): number => {
  const p = gemmJs(a, b);
  return maxAbs(p.data.map((v, i) => v - (i % (p.cols + 1) === 0 ? 1 : 0)));
};

describe('recursive Cholesky with inverse', () => {
  it('L L^T = S and L L^-1 = I (several recursion levels)', async () => {
    const s = spd(300, 1);
    const f = await choleskyWithInverse(s);
    expect(f).toBeDefined();
    const llt = gemmJs(f!.factor, f!.factor, { transB: true });
    expect(maxAbs(llt.data.map((v, i) => v - s.data[i]!)) / maxAbs(s.data)).toBeLessThan(1e-14);
    expect(identityError(f!.factor, f!.inverse)).toBeLessThan(1e-12);
    for (let i = 0; i < 300; i++) for (let j = i + 1; j < 300; j++) expect(f!.factor.data[i * 300 + j]).toBe(0);
  });

  it('gives up on a singular matrix; choleskyFactor then pivots and finds the rank', async () => {
    const s = withSpectrum(Array.from({ length: 120 }, (_, i) => (i % 3 === 0 ? 0 : 1 + i)), 2);
    expect(await choleskyWithInverse(s)).toBeUndefined();
    const f = await choleskyFactor(s);
    expect(f.inverse).toBeUndefined();
    expect(f.chol.rank).toBe(80);
  });

  it('lowerInverse agrees with the unblocked inverse', async () => {
    const l = (await pivotedCholesky(spd(200, 3))).factor;
    expect(identityError(l, await lowerInverse(l))).toBeLessThan(1e-12);
  });
});

describe('covariance rank', () => {
  it('certifies full rank from the Cholesky factor, and counts eigenvalues otherwise', async () => {
    const s = spd(150, 4);
    const f = await choleskyFactor(s);
    expect(await covarianceRank(s, f.chol, f.inverse)).toBe(150);
    const values = Array.from({ length: 60 }, (_, i) => (i < 45 ? 10 ** (-(i % 8)) : 1e-18));
    const singular = withSpectrum(values, 5);
    const g = await choleskyFactor(singular);
    expect(await covarianceRank(singular, g.chol, g.inverse)).toBe(45);
  });

  it('a badly conditioned but full-rank matrix falls back to eigenvalues and still counts d', async () => {
    const values = Array.from({ length: 50 }, (_, i) => 10 ** (-i / 5)); // condition number 1e10
    const s = withSpectrum(values, 6);
    const f = await choleskyFactor(s);
    expect(await covarianceRank(s, f.chol, f.inverse)).toBe(50);
  });
});
