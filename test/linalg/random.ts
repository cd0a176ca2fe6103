import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

/** Seeded random test matrices. */
export function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

export function randomSymmetric(n: number, seed: number): Matrix {
  const g = randomMatrix(n, n, seed);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = g.data[i * n + j]! + g.data[j * n + i]!;
  return { rows: n, cols: n, data };
}

/** Q diag(values) Q^T with a random orthogonal Q (Gram-Schmidt of a Gaussian matrix). */
export function withSpectrum(values: readonly number[], seed: number): Matrix {
  const n = values.length;
  const q = orthogonal(n, seed);
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q.data[i * n + k]! * values[k]! * q.data[j * n + k]!;
      data[i * n + j] = s;
    }
  }
  return { rows: n, cols: n, data };
}

export function orthogonal(n: number, seed: number): Matrix {
  const g = randomMatrix(n, n, seed);
  const q = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    const v = Float64Array.from({ length: n }, (_, r) => g.data[r * n + c]!);
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        let dot = 0;
        for (let r = 0; r < n; r++) dot += q[r * n + p]! * v[r]!;
        for (let r = 0; r < n; r++) v[r] = v[r]! - dot * q[r * n + p]!;
      }
    }
    const norm = Math.hypot(...v);
    for (let r = 0; r < n; r++) q[r * n + c] = v[r]! / norm;
  }
  return { rows: n, cols: n, data: q };
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}
