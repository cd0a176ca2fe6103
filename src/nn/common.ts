import { GenbenchError } from '../errors.js';
import type { NeighborResult, NnMatrix, NnMetric } from './types.js';

/**
 * Helpers shared by the exact and HNSW searches: input checks (one-line INPUT/USAGE errors), the cosine
 * normalisation, and the float64 re-ranking that gives both implementations the same distance conventions.
 * Distances are computed as direct float64 differences: l2 = sqrt(sum (q - t)^2); cosine = 1 - cos(q, t) =
 * |q^ - t^|^2 / 2 on unit rows q^, t^ (equal to 1 - q^.t^ up to rounding, and never negative).
 *
 * @example
 * const t = prepareRows(train, 'cosine', 'train'); // unit rows, float64
 * finishDistance(4, 'l2'); // 2
 */
export const METRICS: readonly NnMetric[] = ['l2', 'cosine'];

/** Checks a metric name, listing the valid ones. */
export function checkMetric(metric: string): NnMetric {
  if (!(METRICS as readonly string[]).includes(metric)) {
    throw new GenbenchError('USAGE', `unknown metric '${metric}'; use one of ${METRICS.join(', ')}`);
  }
  return metric as NnMetric;
}

/** Shape and finiteness checks of a training or query matrix; `what` names it in the message. */
export function checkMatrix(m: NnMatrix, what: string): void {
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    throw new GenbenchError('INPUT', `${what}: needs at least one row and one column, got ${m.rows}x${m.cols}`);
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new GenbenchError('INPUT', `${what}: ${m.rows}x${m.cols} needs ${m.rows * m.cols} values, got ${m.data.length}`);
  }
  const d = m.data;
  const i = d instanceof Float32Array ? firstNonFinite32(d) : firstNonFinite64(d);
  if (i >= 0) throw new GenbenchError('INPUT', `${what}: non-finite value ${d[i]} at row ${Math.floor(i / m.cols)}, column ${i % m.cols}`);
}

/** Index of the first NaN or infinity, or -1 (one loop per storage type, so each stays monomorphic). */
function firstNonFinite32(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! !== 0) return i;
  return -1;
}

function firstNonFinite64(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! !== 0) return i;
  return -1;
}

/** Checks a query against an index of `size` rows of `dims` features. */
export function checkQuery(q: NnMatrix, k: number, size: number, dims: number): void {
  checkMatrix(q, 'query');
  if (q.cols !== dims) {
    throw new GenbenchError('INPUT', `query has ${q.cols} features per row but the training set has ${dims}; use features from the same extractor`);
  }
  if (!Number.isInteger(k) || k < 1 || k > size) {
    throw new GenbenchError('USAGE', `k must be an integer in [1, ${size}] (the training set has ${size} rows), got ${k}`);
  }
}

/**
 * The rows the search runs on: for 'l2' the input itself; for 'cosine' unit rows in float64 (a zero row is an
 * INPUT error: its cosine is undefined).
 */
export function prepareRows(m: NnMatrix, metric: NnMetric, what: string): NnMatrix {
  if (metric === 'l2') return m;
  const out = new Float64Array(m.rows * m.cols);
  const d = m.cols;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let k = i * d; k < (i + 1) * d; k++) s += m.data[k]! * m.data[k]!;
    if (s === 0) throw new GenbenchError('INPUT', `${what}: row ${i} is all zeros, so its cosine distance is undefined; drop it or use --metric l2`);
    const inv = 1 / Math.sqrt(s);
    for (let k = i * d; k < (i + 1) * d; k++) out[k] = m.data[k]! * inv;
  }
  return { rows: m.rows, cols: m.cols, data: out };
}

/** The reported distance from an exact squared Euclidean distance on the prepared rows. */
export function finishDistance(sq: number, metric: NnMetric): number {
  return metric === 'l2' ? Math.sqrt(sq) : sq / 2;
}

/**
 * The k nearest of `candidates` (training row indices) for query row i, by exact float64 distance, ties broken by
 * the lower index; written into row i of `out`.
 */
export function rankCandidates(
  q: NnMatrix,
  i: number,
  t: NnMatrix,
  candidates: ArrayLike<number>,
  k: number,
  metric: NnMetric,
  out: NeighborResult,
): void {
  const n = candidates.length;
  const d = q.cols;
  const x = Float64Array.from(q.data.subarray(i * d, (i + 1) * d));
  const sq = new Float64Array(n);
  const order = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const j = candidates[c]!;
    sq[c] = t.data instanceof Float32Array ? sqDistance32(x, t.data, j * d) : sqDistance64(x, t.data, j * d);
    order[c] = c;
  }
  order.sort((a, b) => sq[a]! - sq[b]! || candidates[a]! - candidates[b]!);
  const idx = out.indices[i]!;
  const dist = out.distances[i]!;
  for (let r = 0; r < k; r++) {
    idx[r] = candidates[order[r]!]!;
    dist[r] = finishDistance(sq[order[r]!]!, metric);
  }
}

/**
 * sum (x - row)^2 in float64, in index order (the same sums as linalg/ball-counts.ts exactSqDistance), with one loop per storage type so
 * each stays monomorphic (re-ranking is the hot loop of an HNSW search).
 */
function sqDistance32(x: Float64Array, t: Float32Array, offset: number): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]! - t[offset + k]!;
    s += v * v;
  }
  return s;
}

function sqDistance64(x: Float64Array, t: Float64Array, offset: number): number {
  let s = 0;
  for (let k = 0; k < x.length; k++) {
    const v = x[k]! - t[offset + k]!;
    s += v * v;
  }
  return s;
}

/** An empty result of `rows` x k. */
export function emptyResult(rows: number, k: number): NeighborResult {
  return {
    indices: Array.from({ length: rows }, () => new Int32Array(k)),
    distances: Array.from({ length: rows }, () => new Float64Array(k)),
  };
}
