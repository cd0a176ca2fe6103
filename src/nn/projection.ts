import { readFile } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';
import { symmetricEigen } from '../linalg/eigen.js';
import { gemm } from '../linalg/gemm.js';
import type { Matrix } from '../linalg/matrix.js';
import { symmetrise } from '../linalg/trace-sqrt.js';
import { Rng } from '../rng.js';
import type { NnMatrix } from './types.js';

/**
 * The linear projection an HNSW index navigates in: the top `dims` principal directions of the training rows.
 * HNSW's cost is its distance evaluations (thousands per query, each a random read of a whole row); in a 64-d
 * projection of 768-d features each reads 12x fewer values, and a query took half the time at equal recall
 * (measured, hnsw.ts). The projection only steers the graph walk: the
 * index returns `candidates` rows per query, which are re-ranked by exact float64 distances in the full space
 * (hnsw.ts), so recall is what the projection can cost, never the distances (as FAISS's PCA + HNSW + refine).
 *
 * Fit: randomized subspace iteration (Halko, Martinsson & Tropp 2011, alg. 4.4) on at most `SAMPLE_ROWS` evenly
 * spaced training rows, centred on their mean: a seeded Gaussian d x (dims + 16) start, 2 power iterations with
 * modified Gram-Schmidt between them, then Rayleigh-Ritz on the small (dims + 16)^2 problem. Products run in
 * float32 on onnxruntime (guidance only); the basis is orthonormalised in float64. `explained` is the share of the
 * sample's variance inside the projection (recorded in the recipe).
 *
 * @example
 * const p = await fitProjection(train, 64, 100);
 * const y = await projectRows(train, p); // Float32Array, rows x 64
 */
export interface Projection {
  readonly dims: number;
  /** Input feature count. */
  readonly cols: number;
  /** Mean of the fitted rows (cols). */
  readonly mean: Float64Array;
  /** Orthonormal basis, cols x dims row-major. */
  readonly basis: Float64Array;
  /** Share of the sample's total variance inside the projection, in [0, 1]. */
  readonly explained: number;
}

/** Rows used to fit the projection (evenly spaced over the training set). */
export const SAMPLE_ROWS = 16_384;
const OVERSAMPLE = 16;
const POWER_ITERATIONS = 2;
/** Rows per projection product (bounds the float32 copy onnxruntime needs). */
const CHUNK_ROWS = 16_384;

export async function fitProjection(train: NnMatrix, dims: number, seed: number): Promise<Projection> {
  const { rows: n, cols: d } = train;
  if (!Number.isInteger(dims) || dims < 1 || dims >= d) {
    throw new GenbenchError('USAGE', `hnsw project must be an integer in [1, ${d - 1}] (the rows have ${d} features) or 0 for none, got ${dims}`);
  }
  const s = Math.min(n, SAMPLE_ROWS);
  const sample = new Float64Array(s * d);
  for (let i = 0; i < s; i++) {
    const r = Math.floor((i * n) / s);
    for (let c = 0; c < d; c++) sample[i * d + c] = train.data[r * d + c]!;
  }
  const mean = new Float64Array(d);
  for (let i = 0; i < s; i++) for (let c = 0; c < d; c++) mean[c] += sample[i * d + c]!;
  mean.forEach((v, c) => (mean[c] = v / s));
  let total = 0;
  for (let i = 0; i < s; i++) {
    for (let c = 0; c < d; c++) {
      const v = sample[i * d + c]! - mean[c]!;
      sample[i * d + c] = v;
      total += v * v;
    }
  }
  const x: Matrix = { rows: s, cols: d, data: sample };
  const l = Math.min(d, dims + OVERSAMPLE);
  const rng = new Rng(seed);
  let q: Matrix = { rows: d, cols: l, data: Float64Array.from({ length: d * l }, () => rng.normal()) };
  for (let it = 0; it <= POWER_ITERATIONS; it++) {
    const y = await gemm(x, orthonormalColumns(q), { dtype: 'float32' }); // s x l
    q = await gemm(x, y, { transA: true, dtype: 'float32' }); // d x l
  }
  const basisL = orthonormalColumns(q); // d x l
  const b = await gemm(x, basisL, { dtype: 'float32' }); // s x l
  const small = await gemm(b, b, { transA: true }); // l x l
  const { values, vectors } = symmetricEigen(symmetrise(small));
  const order = Array.from(values.keys()).sort((i, j) => values[j]! - values[i]!).slice(0, dims);
  const w = new Float64Array(l * dims);
  order.forEach((e, j) => {
    for (let r = 0; r < l; r++) w[r * dims + j] = vectors.data[r * l + e]!;
  });
  const basis = orthonormalColumns(await gemm(basisL, { rows: l, cols: dims, data: w })).data;
  const kept = order.reduce((a, e) => a + Math.max(0, values[e]!), 0);
  return { dims, cols: d, mean, basis, explained: total > 0 ? Math.min(1, kept / total) : 1 };
}

/** (rows - mean) . basis as float32, rows x dims (in chunks of CHUNK_ROWS rows). */
export async function projectRows(x: NnMatrix, p: Projection): Promise<Float32Array> {
  const { rows: n, cols: d } = x;
  const out = new Float32Array(n * p.dims);
  const basis: Matrix = { rows: d, cols: p.dims, data: p.basis };
  const shift = new Float64Array(p.dims); // mean . basis
  for (let c = 0; c < d; c++) for (let j = 0; j < p.dims; j++) shift[j] += p.mean[c]! * p.basis[c * p.dims + j]!;
  for (let r0 = 0; r0 < n; r0 += CHUNK_ROWS) {
    const rows = Math.min(CHUNK_ROWS, n - r0);
    const chunk = { rows, cols: d, data: x.data.subarray(r0 * d, (r0 + rows) * d) } as Matrix;
    const y = await gemm(chunk, basis, { dtype: 'float32' });
    for (let i = 0; i < rows * p.dims; i++) out[r0 * p.dims + i] = y.data[i]! - shift[i % p.dims]!;
  }
  return out;
}

/** The projection as bytes: a JSON header line, then mean and basis as little-endian float64. */
export function encodeProjection(p: Projection): Uint8Array {
  const head = new TextEncoder().encode(`${JSON.stringify({ format: 'genbench.projection/v1', dims: p.dims, cols: p.cols, explained: p.explained })}\n`);
  const body = new Float64Array(p.cols + p.cols * p.dims);
  body.set(p.mean);
  body.set(p.basis, p.cols);
  const out = new Uint8Array(head.length + body.byteLength);
  out.set(head);
  out.set(new Uint8Array(body.buffer), head.length);
  return out;
}

/** Reads a projection written by `encodeProjection` (the cache verifies its sha256 first). */
export async function readProjection(path: string): Promise<Projection> {
  const bytes = await readFile(path);
  const nl = bytes.indexOf(10);
  const head = JSON.parse(bytes.subarray(0, nl).toString('utf8')) as { dims: number; cols: number; explained: number };
  const body = new Float64Array(bytes.buffer.slice(bytes.byteOffset + nl + 1, bytes.byteOffset + bytes.length));
  if (body.length !== head.cols + head.cols * head.dims) throw new Error(`${path}: projection body has ${body.length} values`);
  return { dims: head.dims, cols: head.cols, explained: head.explained, mean: body.slice(0, head.cols), basis: body.slice(head.cols) };
}

/** Modified Gram-Schmidt on the columns of a (rows x cols, cols <= rows), in float64; a new matrix. */
function orthonormalColumns(a: Matrix): Matrix {
  const { rows: n, cols: m } = a;
  const cols = Array.from({ length: m }, (_, j) => Float64Array.from({ length: n }, (_, i) => a.data[i * m + j]!));
  for (let j = 0; j < m; j++) {
    const v = cols[j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        const u = cols[i]!;
        let dot = 0;
        for (let r = 0; r < n; r++) dot += u[r]! * v[r]!;
        for (let r = 0; r < n; r++) v[r] -= dot * u[r]!;
      }
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += v[r]! * v[r]!;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let r = 0; r < n; r++) v[r] /= norm;
  }
  const out = new Float64Array(n * m);
  cols.forEach((v, j) => v.forEach((x, i) => (out[i * m + j] = x)));
  return { rows: n, cols: m, data: out };
}
