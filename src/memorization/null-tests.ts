import type { Rng } from '../rng.js';

/**
 * The exact null tests behind the memorisation verdicts.
 *
 * `labelPermutationTest`: a permutation test of "training and reference rows are exchangeable" for a nearest-
 * neighbour count. Every query row has one nearest row in the pool T u R (training rows first, then reference
 * rows); the statistic S is the number of queries whose nearest row is a training row. Under the null the labels
 * "training" / "reference" are a uniform random split of the pool of the given sizes, independent of the queries,
 * so S's null distribution is that of the sum of c_r over a random |T|-subset of the pool (c_r = queries whose
 * nearest row is r). Monte Carlo over `permutations` relabellings (each draws labels for the rows hit, sequentially
 * without replacement); p-values (1 + #{S* >= S}) / (1 + P) and the lower tail likewise, valid at any sample size.
 * It keeps the dependence between queries that share a nearest row (a mode-collapsed generator hits few rows), which
 * a binomial z ignores.
 *
 * `fisherUpperP`: one-sided Fisher exact test (hypergeometric upper tail) that group 1's success count is high given
 * the pooled count; conservative (P(p <= alpha) <= alpha) when both groups' rows are independent draws of one rate.
 *
 * @example
 * labelPermutationTest({ nearest: Int32Array.from([0, 1, 5]), trainSize: 4, referenceSize: 4 }, new Rng(0));
 * // { count: 2, share: 0.667, expected: 0.5, p_upper: 0.50, p_lower: 0.93, permutations: 4999 } (exact: 35/70, 65/70)
 * fisherUpperP({ x1: 5, n1: 10, x2: 0, n2: 10 }); // 0.0163
 */
export interface PermutationInput {
  /** Per query row: its nearest pool row, 0..trainSize-1 training rows, trainSize.. reference rows. */
  readonly nearest: ArrayLike<number>;
  readonly trainSize: number;
  readonly referenceSize: number;
  /** Relabellings (default 4999: smallest p-value 1/5000). */
  readonly permutations?: number;
}

export interface PermutationResult {
  /** Queries whose nearest pool row is a training row. */
  readonly count: number;
  readonly share: number;
  /** Null expectation of the share: |T| / (|T| + |R|). */
  readonly expected: number;
  /** P(S* >= S): small when queries favour the training rows (copying). */
  readonly p_upper: number;
  /** P(S* <= S): small when queries favour the reference rows (a shifted reference set). */
  readonly p_lower: number;
  readonly permutations: number;
}

export const PERMUTATIONS = 4999;

export function labelPermutationTest(input: PermutationInput, rng: Rng): PermutationResult {
  const { trainSize, referenceSize } = input;
  const m = input.nearest.length;
  if (m === 0) throw new RangeError('permutation test: no query rows');
  const hits = new Map<number, number>();
  let count = 0;
  for (let i = 0; i < m; i++) {
    const r = input.nearest[i]!;
    if (!(r >= 0 && r < trainSize + referenceSize)) throw new RangeError(`permutation test: nearest row ${r} outside the pool of ${trainSize + referenceSize}`);
    hits.set(r, (hits.get(r) ?? 0) + 1);
    if (r < trainSize) count++;
  }
  const c = Int32Array.from(hits.values());
  const permutations = input.permutations ?? PERMUTATIONS;
  let above = 0;
  let below = 0;
  for (let p = 0; p < permutations; p++) {
    const s = relabelledCount(c, trainSize, trainSize + referenceSize, rng);
    if (s >= count) above++;
    if (s <= count) below++;
  }
  return {
    count,
    share: count / m,
    expected: trainSize / (trainSize + referenceSize),
    p_upper: (1 + above) / (1 + permutations),
    p_lower: (1 + below) / (1 + permutations),
    permutations,
  };
}

/** Sum of the counts of the rows that a uniform random `slots`-subset of `pool` rows labels as training. */
function relabelledCount(c: Int32Array, slots: number, pool: number, rng: Rng): number {
  let s = 0;
  let left = slots;
  for (let i = 0; i < c.length && left > 0; i++) {
    if (rng.uint32() * (pool - i) < left * 4294967296) { // uniform u < left / (pool - i), u on a 2^-32 grid
      s += c[i]!;
      left--;
    }
  }
  return s;
}

/** P(X >= x1) for X hypergeometric: n1 draws from n1 + n2 rows of which x1 + x2 are successes. */
export function fisherUpperP(t: { x1: number; n1: number; x2: number; n2: number }): number {
  const total = t.n1 + t.n2;
  const k = t.x1 + t.x2;
  const hi = Math.min(k, t.n1);
  if (t.x1 <= Math.max(0, k - t.n2)) return 1;
  let p = 0;
  for (let x = t.x1; x <= hi; x++) p += Math.exp(logChoose(k, x) + logChoose(total - k, t.n1 - x) - logChoose(total, t.n1));
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** ln Gamma(x) for x >= 1 by the Lanczos approximation (g = 7, 9 terms; relative error ~1e-15). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}
