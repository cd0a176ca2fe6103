import { takeRows, type Matrix } from '../linalg/matrix.js';
import { mannWhitneyZ } from '../stats/mann-whitney.js';
import { nearestDistances, type NeighbourOptions } from './neighbours.js';
import { normalCdf } from '../stats/normal.js';

/**
 * The data-copying test statistic C_T of Meehan, Chaudhuri & Dasgupta, "A Non-Parametric Test to Detect
 * Data-Copying in Generative Models" (AISTATS 2020); checked against casey-meehan/data-copying @ a0ba2db
 * (`data_copying_tests.py` `C_T`, `Zu_cells`, `Zu`) by the golden case `fixtures/metrics/data-copying`
 * of GENBENCH_ASSETS.
 *
 * Per cell pi of a partition fitted on the training set T (k-means, see src/stats/kmeans.ts): L(Q) = distances of the generated
 * rows in the cell to their nearest training row IN THE CELL, L(P) the same for the held-out rows; Z_pi =
 * Mann-Whitney z of L(Q) against L(P) (mann-whitney.ts: continuity shift 0.5, no tie correction). Cells whose share
 * of generated rows is <= tau (default 20 / m, the paper's code) are dropped; a cell without generated rows gets
 * Z = 0 (as the reference code). C_T = sum over kept cells of P_pi Z_pi / sum of P_pi, P_pi = the cell's share of
 * held-out rows. A cell without held-out rows has no z (null) and weight 0.
 *
 * Sense: strongly NEGATIVE means generated samples sit closer to the training points than held-out data does:
 * data-copying. Strongly positive: underfitting. Null: when generated and held-out rows are exchangeable (drawn from
 * one distribution, independently of T), each cell's Z is approximately N(0, 1) (its continuity shift makes it a
 * little conservative in the lower tail) and the cells are disjoint, so C_T, a weighted mean of them, has variance
 * sum P_pi^2 / (sum P_pi)^2 <= 1. `p_value` = Phi(C_T) is therefore a conservative one-sided p-value for copying
 * (P(p_value <= a) <= a under the null; near 0 when the model copies, about 0.5 or above when it does not, near 1 when
 * it underfits), and the paper's verdict C_T <= -3 has a nominal false-positive rate of at most Phi(-3) = 0.00135.
 * The null needs held-out rows from the training distribution: a shifted held-out set makes C_T negative too.
 *
 * @example
 * const r = await ct({ train, heldout, generated, trainCells, heldoutCells, generatedCells });
 * r.value;           // -12.3 for a model that copies, about 0 for a fair one
 * r.per_cell[0];     // { cell: 0, n_train: 412, n_heldout: 218, n_generated: 213, heldout_fraction: 0.218, ..., z: -13.57, included: true }
 */
export interface CtInput {
  readonly train: Matrix;
  readonly heldout: Matrix;
  readonly generated: Matrix;
  readonly trainCells: Int32Array;
  readonly heldoutCells: Int32Array;
  readonly generatedCells: Int32Array;
  /** Drop cells whose generated share is <= tau (default 20 / generated rows). */
  readonly tau?: number;
}

export interface CtCell {
  readonly cell: number;
  readonly n_train: number;
  readonly n_heldout: number;
  readonly n_generated: number;
  readonly heldout_fraction: number;
  readonly generated_fraction: number;
  /** Mann-Whitney z of the cell (0 when it has no generated rows, null when it has no held-out rows). */
  readonly z: number | null;
  /** Whether the cell enters C_T (generated share > tau). */
  readonly included: boolean;
}

export interface CtResult {
  /** C_T, or null when no cell is kept (too few generated samples per cell: use fewer cells or more samples). */
  readonly value: number | null;
  /** Phi(C_T): conservative one-sided p-value for copying (small when the model copies, ~0.5 or more when not). */
  readonly p_value: number | null;
  readonly tau: number;
  readonly cells: number;
  readonly per_cell: CtCell[];
}

export async function ct(input: CtInput, nn: NeighbourOptions = {}): Promise<CtResult> {
  checkLengths(input);
  const m = input.generated.rows;
  const n = input.heldout.rows;
  const tau = input.tau ?? 20 / m;
  const labels = [...new Set(input.trainCells)].sort((a, b) => a - b);
  const perCell: CtCell[] = [];
  let num = 0;
  let den = 0;
  for (const label of labels) {
    const rowsOf = (cells: Int32Array) => cells.reduce<number[]>((acc, c, i) => (c === label ? (acc.push(i), acc) : acc), []);
    const t = rowsOf(input.trainCells);
    const p = rowsOf(input.heldoutCells);
    const q = rowsOf(input.generatedCells);
    const z = await cellZ(takeRows(input.train, t), takeRows(input.heldout, p), takeRows(input.generated, q), nn);
    const heldoutFraction = p.length / n;
    const generatedFraction = q.length / m;
    const included = generatedFraction > tau && z !== null;
    if (included) {
      num += heldoutFraction * z;
      den += heldoutFraction;
    }
    perCell.push({ cell: label, n_train: t.length, n_heldout: p.length, n_generated: q.length, heldout_fraction: heldoutFraction, generated_fraction: generatedFraction, z, included });
  }
  const value = den > 0 ? num / den : null;
  return { value, p_value: value === null ? null : normalCdf(value), tau, cells: labels.length, per_cell: perCell };
}

async function cellZ(t: Matrix, p: Matrix, q: Matrix, nn: NeighbourOptions): Promise<number | null> {
  if (q.rows === 0) return 0;
  if (p.rows === 0) return null;
  const lq = await nearestDistances({ reference: t, queries: q }, nn);
  const lp = await nearestDistances({ reference: t, queries: p }, nn);
  return mannWhitneyZ({ x: lq, y: lp });
}

function checkLengths(i: CtInput): void {
  const check = (what: string, m: Matrix, cells: Int32Array) => {
    if (m.rows !== cells.length) throw new RangeError(`C_T: ${what} has ${m.rows} rows but ${cells.length} cell labels`);
  };
  check('train', i.train, i.trainCells);
  check('heldout', i.heldout, i.heldoutCells);
  check('generated', i.generated, i.generatedCells);
  if (i.generated.rows === 0 || i.heldout.rows === 0) throw new RangeError('C_T needs at least one generated and one held-out row');
}
