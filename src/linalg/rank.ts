import type { PivotedCholesky } from './cholesky.js';
import { symmetricEigenvalues } from './eigen.js';
import type { Matrix } from './matrix.js';
import { lowerInverse } from './triangular.js';

/**
 * Numerical rank of a symmetric PSD matrix (a covariance): the number of eigenvalues above
 * d * eps * lambda_max (numpy matrix_rank's threshold). Computing all eigenvalues of a large covariance costs as
 * much as the rest of FD, so full rank is first certified cheaply from its Cholesky factor S = P L L^T P^T:
 * lambda_min >= 1 / ||L^-1||_F^2 (because ||L^-1||_F^2 = tr S^-1) and lambda_max <= ||S||_F; when
 * 1 / ||L^-1||_F^2 > 16 d eps ||S||_F every eigenvalue is above the threshold and the rank is d. Otherwise (a
 * singular or badly conditioned covariance) the eigenvalues are computed and counted.
 *
 * `inverse` is L^-1 when the caller has it (choleskyFactor's fast path).
 *
 * @example
 * await covarianceRank(cov, await pivotedCholesky(cov)) // 2048
 */
export async function covarianceRank(s: Matrix, chol: PivotedCholesky, inverse?: Matrix): Promise<number> {
  const d = s.rows;
  const threshold = (lambdaMax: number): number => d * Number.EPSILON * lambdaMax;
  if (chol.rank === d && d > 0) {
    const inv = inverse ?? (await lowerInverse(chol.factor));
    const lowerBound = 1 / sumOfSquares(inv.data);
    if (lowerBound > 16 * threshold(Math.sqrt(sumOfSquares(s.data)))) return d;
  }
  return rankFromEigenvalues(await symmetricEigenvalues(s), d);
}

/**
 * Whether S2 is certified full rank (numpy's threshold, as `covarianceRank`) by the eigenvalues of
 * M = L^T S2 L that tr sqrt(S1 S2) computes anyway (S1 = L L^T, full rank, L square): S2 = L^-T M L^-1, so
 * lambda_min(S2) >= lambda_min(M) / lambda_max(S1) >= lambda_min(M) / ||S1||_F. The computed lambda_min(M) is
 * lowered by a generous bound on the rounding in forming M and in the eigensolver, 4 d eps tr(S1) ||S2||_F
 * (>= 4 d eps ||L||_F^2 ||S2||_F >= 4 d eps ||M||_F); the test is then the same as `covarianceRank`'s, with the same
 * factor 16 of margin. When it fails, ask `covarianceRank` (it does not mean S2 is rank-deficient).
 *
 * @example
 * congruenceCertifiesFullRank(sR, sG, ts.minEigenvalue) // true: rank(sG) = d without factoring sG
 */
export function congruenceCertifiesFullRank(s1: Matrix, s2: Matrix, minEigenvalueM: number): boolean {
  const d = s1.rows;
  let trace1 = 0;
  for (let i = 0; i < d; i++) trace1 += s1.data[i * d + i]!;
  const norm1 = Math.sqrt(sumOfSquares(s1.data));
  const norm2 = Math.sqrt(sumOfSquares(s2.data));
  const lower = (minEigenvalueM - 4 * d * Number.EPSILON * trace1 * norm2) / norm1;
  return d > 0 && lower > 16 * d * Number.EPSILON * norm2;
}

/** Eigenvalues above d * eps * max eigenvalue. */
export function rankFromEigenvalues(values: Float64Array, d: number): number {
  const max = values.reduce((m, v) => Math.max(m, v), 0);
  return values.filter((v) => v > d * Number.EPSILON * max).length;
}

function sumOfSquares(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
}
