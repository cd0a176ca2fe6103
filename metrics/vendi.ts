/**
 * The Vendi score of the generated samples: the exponential of the Shannon entropy of the eigenvalues of K / n,
 * where K is the n x n cosine-similarity matrix of the generated features (K_ij = x_i . x_j / (|x_i| |x_j|)),
 *   VS = exp(-sum_i lambda_i log lambda_i),  0 log 0 = 0.
 * It is the effective number of distinct samples: 1 for n identical rows, n for n mutually orthogonal rows. It
 * reads the generated set only (the reference is not used; with its default two-sample bootstrap the interval
 * still reflects the generated sampling alone, since the value does not depend on the reference rows).
 *
 * Paper: D. Friedman, A. B. Dieng, "The Vendi Score: A Diversity Evaluation Metric for Machine Learning", TMLR 2023.
 * Checked against: vertaix/Vendi-Score `vendi.score_X` and layer6ai-labs/dgm-eval `compute_vendi_score` (linear
 * kernel on L2-normalised rows, q = 1, eigenvalues <= 0 dropped), through analytic cases and a direct n x n
 * eigen-decomposition in test/metrics/vendi.test.ts.
 *
 * Method (float64): rows scaled to unit length (an all-zero row stays zero, as sklearn's `normalize`); the nonzero
 * eigenvalues of X X^T / n equal those of X^T X / n, so the smaller of the two (n x n Gram or d x d scatter matrix)
 * is formed by `gemm` and solved by `symmetricEigenvalues`.
 *
 * @example
 * await vendiScore(features); // { value: 37.2, method: 'scatter' }
 */
import { gemm } from '../src/linalg/gemm.js';
import type { Matrix } from '../src/linalg/matrix.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';
import { checkMatrix } from './check.js';
import type { FeatureMetricDescriptor, FeatureSets, MetricResults } from './types.js';

export interface VendiResult {
  readonly value: number;
  /** 'gram' (n x n, n <= d) or 'scatter' (d x d, n > d). */
  readonly method: 'gram' | 'scatter';
}

/** The Vendi score of the rows of `x` with the cosine-similarity kernel (see the module comment). */
export async function vendiScore(x: Matrix): Promise<VendiResult> {
  checkMatrix(x, 'generated', 1);
  const u = unitRows(x);
  const gram = x.rows <= x.cols;
  const m = gram ? await gemm(u, u, { transB: true }) : await gemm(u, u, { transA: true });
  for (let i = 0; i < m.data.length; i++) m.data[i] = m.data[i]! / x.rows;
  return { value: Math.exp(entropy(await symmetricEigenvalues(m))), method: gram ? 'gram' : 'scatter' };
}

/** Shannon entropy (natural log) of the positive entries. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) if (p[i]! > 0) h -= p[i]! * Math.log(p[i]!);
  return h;
}

function unitRows(x: Matrix): Matrix {
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.rows; r++) {
    let ss = 0;
    for (let k = r * x.cols; k < (r + 1) * x.cols; k++) ss += x.data[k]! ** 2;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let k = r * x.cols; k < (r + 1) * x.cols; k++) data[k] = x.data[k]! * inv;
  }
  return { rows: x.rows, cols: x.cols, data };
}

async function compute(sets: FeatureSets): Promise<MetricResults> {
  const r = await vendiScore(sets.generated);
  return { vendi: { value: r.value, method: r.method } };
}

export const vendiDescriptor: FeatureMetricDescriptor = {
  id: 'vendi',
  group: 'vendi',
  input: 'features',
  title: 'Vendi score (effective number of distinct generated samples, cosine kernel)',
  higherIsBetter: true,
  paper: 'Friedman & Dieng, The Vendi Score: A Diversity Evaluation Metric for Machine Learning, TMLR 2023',
  reference: 'vertaix/Vendi-Score vendi.score_X (L2-normalised rows, linear kernel, q = 1)',
  params: {},
  defaults: {},
  tolerance: { absolute: 0, relative: 0.05 },
  display: { order: 75, label: 'Vendi' },
  resampleShare: 0.25,
  compute,
};
