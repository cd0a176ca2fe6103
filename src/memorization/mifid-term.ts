import type { Matrix } from '../linalg/matrix.js';
import { takeRows } from '../linalg/matrix.js';
import { nearestDistances, type NeighbourOptions } from './neighbours.js';

/**
 * The memorisation term of MiFID (Bai et al., "On Training Sample Memorization: Lessons from Benchmarking Generative
 * Modeling with a Large-scale Competition", KDD 2021; the Kaggle "Generative Dog Images" scoring code), checked
 * against torchmetrics `image/mifid.py` `_compute_cosine_distance` by `fixtures/metrics/nn-exact` (GENBENCH_ASSETS):
 * d(g, t) = 1 - |cos(g, t)| (ABSOLUTE cosine); rows whose feature SUM is 0 are dropped from both sets;
 * raw = mean over generated rows of the minimum over training rows; thresholded = raw if raw < eps (0.1) else 1.
 *
 * The minimum of 1 - |cos| is found with the cosine nearest-neighbour search of src/nn (1 - cos) twice: for g and
 * for -g (1 - cos(-g, t) = 1 + cos(g, t)), taking the smaller. Direction: generated -> training (the original Kaggle
 * direction; torchmetrics' compute() passes (real, fake), the other way round).
 *
 * Verdict: the Kaggle rule (raw < eps) alone also fires for real images in spaces where everything is cosine-close
 * (raw pixels of digits), so `copying` needs raw < eps AND raw < `baselineFactor` (default 0.5) x the same term of
 * held-out real images (`baseline`), when a baseline is given. Nominal false-positive rate: this is an effect-size
 * rule, not a significance test; under the null (generated rows drawn like the held-out ones) raw estimates baseline
 * with a relative standard error of about cv / sqrt(m) (cv: the coefficient of variation of one row's distance, below
 * 1 on pixels and features), so falling below half of it is a 0.5 sqrt(m) / cv standard-error event: over 3.5 for
 * m >= 50 samples, a rate below 0.001 (and 0 of the seeded MNIST partitions in the tests).
 *
 * @example
 * const r = await mifidTerm({ generated, train });
 * r.raw;          // 0.1036
 * r.thresholded;  // 1 (raw >= 0.1: no memorisation penalty)
 */
export interface MifidInput {
  readonly generated: Matrix;
  readonly train: Matrix;
  /** Held-out real rows (the query half A): computes `baseline`. */
  readonly heldout?: Matrix;
}

export interface MifidOptions {
  /** Kaggle threshold (default 0.1). */
  readonly eps?: number;
  readonly baselineFactor?: number;
  readonly nn?: Omit<NeighbourOptions, 'metric'>;
}

export interface MifidResult {
  /** The raw term (mean min 1 - |cos|). */
  readonly value: number;
  readonly raw: number;
  readonly thresholded: number;
  readonly eps: number;
  readonly baseline: number | null;
  readonly baseline_factor: number;
  readonly copying: boolean;
  /** Rows dropped because their feature sum is 0 (generated, train). */
  readonly dropped: { readonly generated: number; readonly train: number };
}

export const MIFID_DEFAULTS = { eps: 0.1, baselineFactor: 0.5 } as const;

export async function mifidTerm(input: MifidInput, opts: MifidOptions = {}): Promise<MifidResult> {
  const eps = opts.eps ?? MIFID_DEFAULTS.eps;
  const factor = opts.baselineFactor ?? MIFID_DEFAULTS.baselineFactor;
  const g = dropZeroSum(input.generated);
  const t = dropZeroSum(input.train);
  if (g.m.rows === 0 || t.m.rows === 0) throw new RangeError('MiFID term: every generated or training row has feature sum 0');
  const raw = mean(await minAbsCosineDistance(g.m, t.m, opts.nn));
  const baseline = input.heldout === undefined ? null : mean(await minAbsCosineDistance(dropZeroSum(input.heldout).m, t.m, opts.nn));
  return {
    value: raw,
    raw,
    thresholded: raw < eps ? raw : 1,
    eps,
    baseline,
    baseline_factor: factor,
    copying: raw < eps && (baseline === null || raw < factor * baseline),
    dropped: { generated: g.dropped, train: t.dropped },
  };
}

/** Per query row: min over reference rows of 1 - |cos| (two cosine searches: q and -q). */
export async function minAbsCosineDistance(queries: Matrix, reference: Matrix, nn: Omit<NeighbourOptions, 'metric'> = {}): Promise<Float64Array> {
  const opts = { ...nn, metric: 'cosine' as const };
  const plus = await nearestDistances({ reference, queries }, opts);
  const negated = { rows: queries.rows, cols: queries.cols, data: queries.data.map((v) => -v) };
  const minus = await nearestDistances({ reference, queries: negated }, opts);
  return plus.map((d, i) => Math.min(d, minus[i]!));
}

/** Rows whose feature sum is not exactly 0 (torchmetrics drops the others). */
export function dropZeroSum(m: Matrix): { m: Matrix; dropped: number } {
  const keep: number[] = [];
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let k = i * m.cols; k < (i + 1) * m.cols; k++) s += m.data[k]!;
    if (s !== 0) keep.push(i);
  }
  return { m: keep.length === m.rows ? m : takeRows(m, keep), dropped: m.rows - keep.length };
}

function mean(v: Float64Array): number {
  let s = 0;
  for (const x of v) s += x;
  return s / v.length;
}
