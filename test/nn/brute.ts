import { Rng } from '../../src/rng.js';
import type { NeighborResult, NnMatrix, NnMetric } from '../../src/nn/types.js';

/** Brute-force k-NN in a plain float64 loop (the reference of the conformance suite); ties by lower index. */
export function bruteForce(train: NnMatrix, query: NnMatrix, k: number, metric: NnMetric): NeighborResult {
  const d = train.cols;
  const unit = (m: NnMatrix, i: number): number[] => {
    const row = Array.from(m.data.subarray(i * d, (i + 1) * d));
    if (metric === 'l2') return row;
    const n = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / n);
  };
  const t = Array.from({ length: train.rows }, (_, j) => unit(train, j));
  const indices: Int32Array[] = [];
  const distances: Float64Array[] = [];
  for (let i = 0; i < query.rows; i++) {
    const x = unit(query, i);
    const all = t.map((y, j) => {
      let s = 0;
      for (let c = 0; c < d; c++) s += (x[c]! - y[c]!) ** 2;
      return { j, dist: metric === 'l2' ? Math.sqrt(s) : s / 2 };
    });
    all.sort((a, b) => a.dist - b.dist || a.j - b.j);
    indices.push(Int32Array.from(all.slice(0, k), (e) => e.j));
    distances.push(Float64Array.from(all.slice(0, k), (e) => e.dist));
  }
  return { indices, distances };
}

/** Seeded clustered data: `clusters` Gaussian centres (sd 3), points around them (sd 1), float64. */
export function clustered(rows: number, cols: number, seed: number, clusters = 10): NnMatrix {
  const rng = new Rng(seed);
  const centres = Float64Array.from({ length: clusters * cols }, () => 3 * rng.normal());
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const c = rng.int(clusters);
    for (let k = 0; k < cols; k++) data[i * cols + k] = centres[c * cols + k]! + rng.normal();
  }
  return { rows, cols, data };
}

/**
 * Seeded feature-like data: relu(z A) + 0.1 noise with z ~ N(0, I_latent), a low-dimensional manifold like CNN
 * features (the model A is fixed by `latent` and `cols`; `seed` draws the rows).
 */
export function featureLike(rows: number, cols: number, latent: number, seed: number): NnMatrix {
  const model = new Rng(latent * 1000 + cols);
  const a = Float64Array.from({ length: latent * cols }, () => model.normal() / Math.sqrt(latent));
  const rng = new Rng(seed);
  const data = new Float64Array(rows * cols);
  const z = new Float64Array(latent);
  for (let i = 0; i < rows; i++) {
    rng.fillNormal(z);
    for (let c = 0; c < cols; c++) {
      let s = 0;
      for (let l = 0; l < latent; l++) s += z[l]! * a[l * cols + c]!;
      data[i * cols + c] = Math.max(0, s) + 0.1 * rng.normal();
    }
  }
  return { rows, cols, data };
}
