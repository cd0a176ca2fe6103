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
