import { rowSlice, takeRows, type Matrix } from '../linalg/matrix.js';
import { GenbenchError } from '../errors.js';
import { Rng } from '../rng.js';
import { CLOSER_ALPHA, closerToTrainShare, nearestInPool, type CloserToTrainResult } from './closer-to-train.js';
import { copyRate, type CopyRateResult } from './copy-rate.js';
import { ct, type CtResult } from './ct.js';
import { assignCells, kmeans } from '../stats/kmeans.js';
import { mifidTerm, type MifidResult } from './mifid-term.js';
import { neighbours, type NeighbourOptions } from './neighbours.js';
import { normalCdf } from '../stats/normal.js';
import { PERMUTATIONS } from './null-tests.js';

/**
 * All memorisation checks on one space (pixels or features): the nearest-neighbour searches are run once and shared.
 * Held-out rows are split at random (seed) into a query half A (the baselines) and a reference half B (the
 * closer-to-train baseline's reference); the generated share and C_T use every held-out row. Distances are Euclidean
 * except the MiFID term's 1 - |cos|.
 *
 * Nominal false-positive rates, under the null that the held-out rows and the generated rows are drawn like the
 * training rows and the model did not memorise: copy_rate <= alpha (0.001, Fisher exact), closer_to_train_share
 * alpha (0.001, label permutation), ct <= Phi(-3) = 0.00135, mifid_term below 0.001 (effect-size rule); together at
 * most about 0.0045. The null needs training and held-out rows that are exchangeable (a seeded random partition
 * such as `test~0[:8000]` / `test~0[8000:]`); when the held-out set looks shifted, `warnings` says so.
 *
 * @example
 * const r = await memorizationChecks({ train, heldout, generated }, { seed: 0 });
 * r.ct.value;             // -12.3: copying
 * r.copy_rate.value;      // 0.98
 * r.recipe.ct;            // { cells: 4, partition: 'k-means++ / Lloyd on train, seed 0', tau: 0.1, ... }
 * r.warnings;             // [] (or: 'the held-out set looks shifted from the training set: ...')
 */
export interface MemorizationSets {
  readonly train: Matrix;
  readonly heldout: Matrix;
  readonly generated: Matrix;
}

export interface MemorizationOptions {
  /** Seed of the held-out halves and of k-means (default 0). */
  readonly seed?: number;
  /** k-means cells for C_T (default: defaultCells). Ignored when `centers` is given. */
  readonly cells?: number;
  /** Fixed cell centres: a row's cell is its nearest centre. */
  readonly centers?: Matrix;
  /** C_T: drop cells with generated share <= tau (default 20 / generated rows). */
  readonly tau?: number;
  /** C_T verdict threshold (default -3: copying when C_T <= -3). */
  readonly ctThreshold?: number;
  readonly ratio?: number;
  readonly dupFraction?: number;
  /** Verdict level of copy_rate's Fisher test and closer_to_train_share's permutation test (default 0.001). */
  readonly alpha?: number;
  /** Relabellings of closer_to_train_share's permutation test (default 4999). */
  readonly permutations?: number;
  readonly eps?: number;
  readonly baselineFactor?: number;
  /** k-means is fitted on at most this many training rows, drawn at random (default 2000). */
  readonly kmeansRows?: number;
  /** Nearest-neighbour method (default 'auto'). */
  readonly nnMethod?: NeighbourOptions['method'];
}

export interface PerSample {
  /** Nearest and second-nearest training rows of each generated row (Euclidean). */
  readonly nearestTrain: Int32Array;
  readonly d1: Float64Array;
  readonly d2: Float64Array;
}

export interface CtCheck extends CtResult {
  readonly threshold: number;
  readonly copying: boolean;
}

export interface MemorizationResult {
  readonly copy_rate: CopyRateResult;
  readonly closer_to_train_share: CloserToTrainResult;
  readonly mifid_term: MifidResult;
  readonly ct: CtCheck;
  readonly recipe: Record<string, unknown>;
  /** Why a verdict may not hold (a held-out set shifted from the training set); empty when none. */
  readonly warnings: readonly string[];
  /** Not part of the JSON output: the per-sample distances the neighbour panel ranks by. */
  readonly perSample: PerSample;
}

export const CT_THRESHOLD = -3;
export const KMEANS_ROWS = 2000;

/** Default k-means cells: about 50 generated samples per cell (so few cells fall under tau = 20 / m), 1 to 50. */
export function defaultCells(generated: number, train: number): number {
  return Math.max(1, Math.min(50, Math.floor(generated / 50), train));
}

export async function memorizationChecks(s: MemorizationSets, opts: MemorizationOptions = {}): Promise<MemorizationResult> {
  checkSets(s);
  const seed = opts.seed ?? 0;
  const nn: NeighbourOptions = { metric: 'l2', ...(opts.nnMethod === undefined ? {} : { method: opts.nnMethod }) };
  const { a, b } = heldoutHalves(s.heldout, new Rng(seed).fork('heldout-halves'));
  const gT = await neighbours({ reference: s.train, queries: s.generated }, 2, nn);
  const gH = await neighbours({ reference: s.heldout, queries: s.generated }, 1, nn);
  const aT = await neighbours({ reference: s.train, queries: a }, 2, nn);
  const aB = await neighbours({ reference: b, queries: a }, 1, nn);
  const col = (r: { distances: Float64Array[] }, k: number) => Float64Array.from(r.distances, (d) => d[k]!);
  const first = (r: { indices: Int32Array[] }) => Int32Array.from(r.indices, (i) => i[0]!);
  const alpha = opts.alpha ?? CLOSER_ALPHA;
  const permutations = opts.permutations ?? PERMUTATIONS;
  const copy = copyRate({
    generated: { d1: col(gT, 0), d2: col(gT, 1) },
    heldout: { d1: col(aT, 0), d2: col(aT, 1) },
    ...pick(opts, 'ratio', 'dupFraction'),
    alpha,
  });
  const pool = (t: { indices: Int32Array[]; distances: Float64Array[] }, r: { indices: Int32Array[]; distances: Float64Array[] }) =>
    nearestInPool({ trainIndex: first(t), toTrain: col(t, 0), referenceIndex: first(r), toReference: col(r, 0) }, s.train.rows);
  const closer = closerToTrainShare({
    generated: { nearest: pool(gT, gH) },
    heldout: { nearest: pool(aT, aB) },
    trainSize: s.train.rows,
    heldoutSize: s.heldout.rows,
    referenceSize: b.rows,
    alpha,
    permutations,
  }, new Rng(seed).fork('closer-permutations'));
  const mifid = await mifidTerm({ generated: s.generated, train: s.train, heldout: a }, { ...pick(opts, 'eps', 'baselineFactor'), nn: { ...(opts.nnMethod === undefined ? {} : { method: opts.nnMethod }) } });
  const cells = cellLabels(s, opts, seed);
  const ctThreshold = opts.ctThreshold ?? CT_THRESHOLD;
  const ctRes = await ct({ ...s, trainCells: cells.train, heldoutCells: cells.heldout, generatedCells: cells.generated, ...pick(opts, 'tau') }, nn);
  const recipe = {
    n: { train: s.train.rows, heldout: s.heldout.rows, generated: s.generated.rows, dims: s.train.cols },
    seed,
    heldout_halves: { query: a.rows, reference: b.rows, method: `seeded permutation: Rng(${seed}).fork('heldout-halves'); first half = queries (baselines), second = reference` },
    distance: 'Euclidean (copy_rate, closer_to_train_share, ct); 1 - |cos| (mifid_term)',
    nn: gT.recipe,
    copy_rate: { ratio: copy.ratio, dup_fraction: copy.dup_fraction, delta: copy.delta, test: 'one-sided Fisher exact test of the generated copy count above the held-out query half\'s', alpha },
    closer_to_train_share: {
      reference: 'all held-out rows (baseline: query half A against reference half B)',
      test: `label permutation of training vs held-out rows (${permutations} relabellings, Rng(${seed}).fork('closer-permutations')); exact when the training and held-out rows are exchangeable`,
      alpha,
      permutations,
    },
    mifid_term: { eps: mifid.eps, baseline_factor: mifid.baseline_factor, nominal_rate: 'effect-size rule: below 0.001 for 50 or more samples' },
    ct: { ...cells.recipe, tau: ctRes.tau, threshold: ctThreshold, nominal_rate: normalCdf(ctThreshold) },
  };
  return {
    copy_rate: copy,
    closer_to_train_share: closer,
    mifid_term: mifid,
    ct: { ...ctRes, threshold: ctThreshold, copying: ctRes.value !== null && ctRes.value <= ctThreshold },
    recipe,
    warnings: closer.warning === undefined ? [] : [closer.warning],
    perSample: { nearestTrain: Int32Array.from(gT.indices, (i) => i[0]!), d1: col(gT, 0), d2: col(gT, 1) },
  };
}

/** Held-out rows in a seeded random order, split into halves A (queries) and B (reference). */
export function heldoutHalves(h: Matrix, rng: Rng): { a: Matrix; b: Matrix } {
  const order = rng.shuffle(Int32Array.from({ length: h.rows }, (_, i) => i)) as Int32Array;
  const shuffled = takeRows(h, order);
  const half = Math.floor(h.rows / 2);
  return { a: rowSlice(shuffled, 0, half), b: rowSlice(shuffled, half, h.rows) };
}

function cellLabels(s: MemorizationSets, opts: MemorizationOptions, seed: number) {
  let centers = opts.centers;
  let recipe: Record<string, unknown>;
  if (centers === undefined) {
    const k = opts.cells ?? defaultCells(s.generated.rows, s.train.rows);
    const rng = new Rng(seed).fork('kmeans');
    const fitRows = Math.min(s.train.rows, opts.kmeansRows ?? KMEANS_ROWS);
    const fit = fitRows === s.train.rows ? s.train : takeRows(s.train, rng.sampleWithoutReplacement(s.train.rows, fitRows));
    const km = kmeans(fit, { k, rng });
    centers = km.centers;
    recipe = {
      cells: k,
      partition: `k-means++ then Lloyd (one initialisation, Rng(${seed}).fork('kmeans'), ${km.iterations} iterations) fitted on ${fitRows} training rows drawn by the same Rng; every row goes to its nearest centre`,
      kmeans_rows: fitRows,
    };
  } else {
    if (centers.cols !== s.train.cols) throw new GenbenchError('INPUT', `--centers: ${centers.cols} columns but the features have ${s.train.cols}; give centres fitted on these features`);
    recipe = { cells: centers.rows, partition: 'given centres: a row\'s cell is its nearest centre (Euclidean)' };
  }
  return { train: assignCells(s.train, centers), heldout: assignCells(s.heldout, centers), generated: assignCells(s.generated, centers), recipe };
}

function checkSets(s: MemorizationSets): void {
  const d = s.train.cols;
  if (s.heldout.cols !== d || s.generated.cols !== d) {
    throw new GenbenchError('INPUT', `memorisation: train, held-out and generated features need the same width, got ${d}, ${s.heldout.cols} and ${s.generated.cols}; use one extractor for all three`);
  }
  if (s.train.rows < 2) throw new GenbenchError('INPUT', `memorisation: need at least 2 training rows, got ${s.train.rows}`);
  if (s.heldout.rows < 2) throw new GenbenchError('INPUT', `memorisation: need at least 2 held-out rows (split in two halves), got ${s.heldout.rows}`);
  if (s.generated.rows < 1) throw new GenbenchError('INPUT', 'memorisation: need at least 1 generated row');
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): { [P in K]?: NonNullable<T[P]> } {
  const out: Partial<Record<K, unknown>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out as { [P in K]?: NonNullable<T[P]> };
}
