import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricEigenvalues } from '../../src/linalg/eigen.js';
import { tridiagonalEigenvalues } from '../../src/linalg/tridiagonal.js';
import { maxAbs, randomSymmetric, withSpectrum } from './random.js';

const trace = (a: { rows: number; data: Float64Array }): number => {
  let t = 0;
  for (let i = 0; i < a.rows; i++) t += a.data[i * a.rows + i]!;
  return t;
};
const sum = (v: Float64Array): number => v.reduce((s, x) => s + x, 0);

describe('symmetric eigen solver', () => {
  it('tridiagonal QL: 2x2 and empty cases', () => {
    expect(Array.from(tridiagonalEigenvalues(Float64Array.of(2, 2), Float64Array.of(1)))).toEqual([1, 3]);
    expect(tridiagonalEigenvalues(new Float64Array(0), new Float64Array(0)).length).toBe(0);
  });

  it('eigenvectors satisfy A v = lambda v and are orthonormal; values sum to the trace', () => {
    const a = randomSymmetric(60, 1);
    const { values, vectors } = symmetricEigen(a);
    const n = a.rows;
    const scale = maxAbs(values);
    let worst = 0;
    let orth = 0;
    for (let c = 0; c < n; c++) {
      for (let r = 0; r < n; r++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += a.data[r * n + k]! * vectors.data[k * n + c]!;
        worst = Math.max(worst, Math.abs(av - values[c]! * vectors.data[r * n + c]!));
      }
      for (let c2 = 0; c2 <= c; c2++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += vectors.data[r * n + c]! * vectors.data[r * n + c2]!;
        orth = Math.max(orth, Math.abs(dot - (c === c2 ? 1 : 0)));
      }
    }
    expect(worst / scale).toBeLessThan(1e-13);
    expect(orth).toBeLessThan(1e-13);
    expect(Math.abs(sum(values) - trace(a)) / scale).toBeLessThan(1e-12);
  });

  it('recovers a known spectrum with repeated eigenvalues (dense and two-stage routes)', async () => {
    const spectrum = [5, 5, 5, 2, 2, 1e-9, 0, 0, -3, -3, 7, 7, 7, 7, 0.5, 0.5, 0.5, 0.5, 4, 4, 4, 4, 4, 1];
    const a = withSpectrum(spectrum, 7);
    const sorted = [...spectrum].sort((x, y) => x - y);
    for (const bandwidth of [0, 3, 5]) {
      const got = await symmetricEigenvalues(a, { bandwidth });
      got.forEach((v, i) => expect(Math.abs(v - sorted[i]!)).toBeLessThan(1e-12));
    }
  });

  it('two-stage route (band reduction on gemm + bulge chasing) agrees with the dense route', async () => {
    for (const [n, b] of [[40, 4], [77, 8], [150, 16], [301, 32]] as const) {
      const a = randomSymmetric(n, 100 + n);
      const dense = await symmetricEigenvalues(a, { bandwidth: 0 });
      const staged = await symmetricEigenvalues(a, { bandwidth: b });
      const scale = maxAbs(dense);
      expect(maxAbs(dense.map((v, i) => v - staged[i]!)) / scale).toBeLessThan(1e-13);
      expect(Math.abs(sum(staged) - trace(a)) / scale).toBeLessThan(1e-11);
    }
  });
});
