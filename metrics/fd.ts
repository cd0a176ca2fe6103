/**
 * Fréchet distance between Gaussian fits of two feature sets (FID when the features are Inception pool3):
 *   FD = |mu_g - mu_r|^2 + tr S_g + tr S_r - 2 tr sqrt(S_g S_r).
 * Paper: Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium",
 * NeurIPS 2017. Checked against pytorch-fid (mseitzer/pytorch-fid @ b9c1811, src/pytorch_fid/fid_score.py,
 * calculate_frechet_distance with np.mean / np.cov(ddof=1) statistics) on the fixtures/metrics of GENBENCH_ASSETS.
 *
 * Numerics (all float64): covariance by per-chunk centring + Chan's exact merge (src/linalg/covariance.ts);
 * tr sqrt(S_g S_r) through a symmetric eigenproblem, never a general sqrtm: eigenvalues of L^T S_g L with
 * P^T S_r P = L L^T (pivoted Cholesky), or, when a set has no more samples than features, the Gram form
 * (nuclear norm of X_r X_g^T / sqrt((n_r-1)(n_g-1)), a min(n_r, n_g)-sized problem) (src/linalg/trace-sqrt.ts).
 * The reference's mean and covariance may come precomputed (`referenceStats.gaussian`, referenceGaussian).
 * Negative eigenvalues from rounding are clipped and reported as `negativeResidue`; covariance ranks count the
 * eigenvalues above d * eps * lambda_max (numpy matrix_rank's threshold; full rank is certified without an eigensolve,
 * from the reference's Cholesky factor and, for the generated set, from the smallest eigenvalue of L^T S_g L that
 * tr sqrt already computed, src/linalg/rank.ts). `precision: 'mixed'` is an opt-in float32-product covariance.
 *
 * @example
 * const r = await fdFromFeatures({ generated, reference });
 * r.value;  // 5.440130094969...  (gauss-small fixture; pytorch-fid 5.440130094969447)
 * r.ranks;  // { generated: 64, reference: 64 }
 */
import { GenbenchError } from '../src/errors.js';
import { choleskyFactor } from '../src/linalg/cholesky-recursive.js';
import { centreTransposed, covarianceOf, gramOfRows, mergeMoments, momentsFromCovariance, momentsOf } from '../src/linalg/covariance.js';
import { symmetricEigenvalues } from '../src/linalg/eigen.js';
import { gemm } from '../src/linalg/gemm.js';
import type { Matrix } from '../src/linalg/matrix.js';
import { congruenceCertifiesFullRank, covarianceRank, rankFromEigenvalues } from '../src/linalg/rank.js';
import { traceSqrtFromCentred, traceSqrtProduct } from '../src/linalg/trace-sqrt.js';
import { checkFeatureSets } from './check.js';
import type { FeatureSets } from './types.js';

/** Gaussian statistics of a feature set: mean, covariance (ddof 1) and the number of samples behind them. */
export interface GaussianStats {
  readonly mean: Float64Array;
  readonly cov: Matrix;
  readonly count: number;
}

/** FD with its parts: value = meanTerm + traceGenerated + traceReference - 2 traceSqrt. */
export interface FdResult {
  readonly value: number;
  readonly components: { readonly meanTerm: number; readonly traceGenerated: number; readonly traceReference: number; readonly traceSqrt: number };
  readonly ranks: { readonly generated: number; readonly reference: number };
  /** Sum of the negative eigenvalues clipped in tr sqrt (<= 0; ~0 unless a covariance is singular). */
  readonly negativeResidue: number;
  readonly method: 'cholesky-eigh' | 'gram-eigh';
}

/**
 * 'float64' (default, the golden-checked path) or 'mixed': covariances from float64-centred features multiplied in
 * float32 with float64 accumulation per 2^21-value chunk (1024 rows at d = 2048; covariance route only; ~2x faster
 * covariance products; |diff|/FD 1.8e-8 on the fd-768 and gauss-small fixtures, 4.5e-9 on the 10000 x 2048 bench).
 */
export interface FdOptions {
  readonly precision?: 'float64' | 'mixed';
}

/**
 * FD between two feature sets (rows = samples), by role. Covariance route when both sets have more samples than
 * features, Gram route otherwise (see the file comment).
 *
 * @example
 * (await fdFromFeatures({ generated, reference })).components.traceSqrt // 67.8288... (gauss-small)
 */
export async function fdFromFeatures(sets: FeatureSets, opts: FdOptions = {}): Promise<FdResult> {
  checkFeatureSets(sets, 2);
  if (Math.min(sets.generated.rows, sets.reference.rows) > sets.generated.cols) {
    return fdFromStats({ generated: await statsOf(sets.generated, opts), reference: await referenceGaussian(sets, opts) });
  }
  const g = centreTransposed(sets.generated);
  const r = centreTransposed(sets.reference);
  const [ts, rankG, rankR] = await Promise.all([traceSqrtFromCentred(r.centredT, g.centredT), rankOfData(g.centredT), rankOfData(r.centredT)]);
  const components = {
    meanTerm: squaredDistance(g.mean, r.mean),
    traceGenerated: sumOfSquares(g.centredT.data) / (sets.generated.rows - 1),
    traceReference: sumOfSquares(r.centredT.data) / (sets.reference.rows - 1),
    traceSqrt: ts.value,
  };
  return assemble(components, { generated: rankG, reference: rankR }, ts.negativeResidue, ts.method);
}

/**
 * FD from precomputed statistics (e.g. a reference set's cached mean and covariance).
 *
 * @example
 * await fdFromStats({ generated: await statsOf(g), reference: cachedReferenceStats }) // { value: ..., ... }
 */
export async function fdFromStats(stats: { generated: GaussianStats; reference: GaussianStats }): Promise<FdResult> {
  checkStats(stats.generated, 'generated');
  checkStats(stats.reference, 'reference');
  const { generated: g, reference: r } = stats;
  if (g.mean.length !== r.mean.length) {
    throw new GenbenchError('INPUT', `generated statistics have ${g.mean.length} features but reference has ${r.mean.length}; compute both with the same extractor`);
  }
  const fr = await choleskyFactor(r.cov);
  const ts = await traceSqrtProduct(r.cov, g.cov, fr.chol);
  const ranks = { generated: await generatedRank(r.cov, g.cov, fr.chol.rank, ts.minEigenvalue), reference: await covarianceRank(r.cov, fr.chol, fr.inverse) };
  const components = { meanTerm: squaredDistance(g.mean, r.mean), traceGenerated: trace(g.cov), traceReference: trace(r.cov), traceSqrt: ts.value };
  return assemble(components, ranks, ts.negativeResidue, ts.method);
}

/** rank(S_g): certified full from tr sqrt's eigenvalues when S_r is full rank, else from S_g's own factor. */
async function generatedRank(sR: Matrix, sG: Matrix, rankR: number, minEigenvalueM: number | undefined): Promise<number> {
  if (rankR === sR.rows && minEigenvalueM !== undefined && congruenceCertifiesFullRank(sR, sG, minEigenvalueM)) return sG.rows;
  const fg = await choleskyFactor(sG);
  return covarianceRank(sG, fg.chol, fg.inverse);
}

/**
 * Statistics of the union of two sample sets from the statistics of each (Chan et al.'s parallel update), exact
 * up to rounding: mergeStats(statsOf(A), statsOf(B)) equals statsOf(A and B).
 *
 * @example
 * mergeStats(shard1, shard2).count // shard1.count + shard2.count
 */
export function mergeStats(a: GaussianStats, b: GaussianStats): GaussianStats {
  const m = mergeMoments(momentsFromCovariance(a.mean, a.cov, a.count), momentsFromCovariance(b.mean, b.cov, b.count));
  return { mean: m.mean, cov: covarianceOf(m), count: m.count };
}

/**
 * Mean and covariance (ddof 1) of a feature set, for caching and `fdFromStats`.
 *
 * @example
 * (await statsOf(features)).cov.rows // features.cols
 */
export async function statsOf(x: Matrix, opts: FdOptions = {}): Promise<GaussianStats> {
  const m = await momentsOf(x, opts.precision === undefined ? {} : { precision: opts.precision });
  return { mean: m.mean, cov: covarianceOf(m, 1, true), count: m.count };
}

/**
 * The reference's mean and covariance: `sets.referenceStats.gaussian` when the caller has them (cached or read from
 * a statistics file; float64 only, checked against the rows' count and width), else statsOf(reference).
 *
 * @example
 * await referenceGaussian({ generated, reference, referenceStats: { gaussian: cached } }); // cached, as given
 */
export async function referenceGaussian(sets: FeatureSets, opts: FdOptions = {}): Promise<GaussianStats> {
  const given = sets.referenceStats?.gaussian;
  if (given === undefined || (opts.precision ?? 'float64') !== 'float64') return statsOf(sets.reference, opts);
  if (given.mean.length !== sets.reference.cols || given.count !== sets.reference.rows) {
    throw new GenbenchError('INPUT', `reference statistics are of ${given.count} rows x ${given.mean.length} features but the reference has ${sets.reference.rows} x ${sets.reference.cols}; recompute the statistics from these features`);
  }
  return given;
}

function assemble(components: FdResult['components'], ranks: FdResult['ranks'], negativeResidue: number, method: FdResult['method']): FdResult {
  const value = components.meanTerm + components.traceGenerated + components.traceReference - 2 * components.traceSqrt;
  return { value, components, ranks, negativeResidue, method };
}

/** Rank of the covariance of centred data (d x n): eigenvalues of the smaller of X X^T and X^T X. */
async function rankOfData(xt: Matrix): Promise<number> {
  const gram = xt.cols < xt.rows ? await gemm(xt, xt, { transA: true }) : await gramOfRows(xt);
  return rankFromEigenvalues(await symmetricEigenvalues(gram), xt.rows);
}

function checkStats(s: GaussianStats, role: string): void {
  const d = s.mean.length;
  if (s.cov.rows !== d || s.cov.cols !== d) {
    throw new GenbenchError('INPUT', `${role} statistics: covariance is ${s.cov.rows}x${s.cov.cols} but the mean has ${d} entries; recompute the statistics`);
  }
  if (!(s.count >= 2)) throw new GenbenchError('INPUT', `${role} statistics: count ${s.count}; at least 2 samples are needed`);
  if (!s.mean.every(Number.isFinite) || !s.cov.data.every(Number.isFinite)) {
    throw new GenbenchError('INPUT', `${role} statistics contain NaN or Inf; recompute them from finite features`);
  }
}

function squaredDistance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

function sumOfSquares(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}

function trace(m: Matrix): number {
  let t = 0;
  for (let i = 0; i < m.rows; i++) t += m.data[i * m.cols + i]!;
  return t;
}
