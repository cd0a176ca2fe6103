import ort from 'onnxruntime-node';
import { computeSession, releaseComputeSessions } from '../backend/onnx.js';
import type { Matrix } from './matrix.js';
import { gemmModel, scatterModel, type GemmModelSpec } from './onnx-gemm-model.js';

/**
 * Matrix products through onnxruntime-node: one tiny in-memory ONNX `Gemm` graph per (dtype, transA, transB,
 * accumulate) combination, each compiled once into an InferenceSession (CPU, intraOpNumThreads = all cores) and
 * reused (worker threads do not spin between calls). The CPU provider runs ONNX Gemm on MLAS's blocked SGEMM/DGEMM kernels, which take the transpose flags
 * natively (no copy). Inputs are passed without copying; the output is a new Float64Array.
 *
 * @example
 * const c = await gemmOrt(a, b, { transB: true }); // a b^T in float64
 * await releaseGemmSessions();                     // at shutdown (optional)
 */
export interface OrtGemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
  /** 'float32' rounds the inputs to float32 and multiplies in float32 (about 7 significant digits). */
  readonly dtype?: 'float32' | 'float64';
}

function session(spec: GemmModelSpec): Promise<ort.InferenceSession> {
  return cached(JSON.stringify(spec), () => gemmModel(spec));
}

function cached(key: string, model: () => Uint8Array): Promise<ort.InferenceSession> {
  return computeSession(`gemm/${key}`, model);
}

function tensor(m: Matrix, dtype: 'float32' | 'float64'): ort.Tensor {
  const data = dtype === 'float64' ? m.data : Float32Array.from(m.data);
  return new ort.Tensor(dtype, data, [m.rows, m.cols]);
}

function widen(t: ort.Tensor): Float64Array {
  return t.data instanceof Float64Array ? t.data : Float64Array.from(t.data as Float32Array);
}

/** C = op(A) op(B) on onnxruntime (shapes are checked by the caller, `gemm`). */
export async function gemmOrt(a: Matrix, b: Matrix, opts: OrtGemmOptions = {}): Promise<Matrix> {
  const dtype = opts.dtype ?? 'float64';
  const spec = { dtype, transA: opts.transA ?? false, transB: opts.transB ?? false, accumulate: false };
  const s = await session(spec);
  const out = (await s.run({ A: tensor(a, dtype), B: tensor(b, dtype) }))['C']!;
  const [rows, cols] = out.dims.map(Number) as [number, number];
  return { rows, cols, data: widen(out) };
}

/** X^T X of a row-major float32 matrix (rows x cols) in float32, without a copy of X; the result widened to float64. */
export async function gramOrt(x: Float32Array, rows: number, cols: number): Promise<Matrix> {
  const s = await session({ dtype: 'float32', transA: true, transB: false, accumulate: false });
  const t = new ort.Tensor('float32', x.subarray(0, rows * cols), [rows, cols]);
  const out = (await s.run({ A: t, B: t }))['C']!;
  return { rows: cols, cols, data: widen(out) };
}

/**
 * D + alpha op(A) op(B) in float64 on onnxruntime, for rank-k updates such as `A22 - L21 L21^T` (alpha = -1).
 * `alpha` must be exactly representable in float32 (the ONNX attribute type), e.g. -1, 0.5.
 */
export async function gemmUpdateOrt(
  d: Matrix,
  a: Matrix,
  b: Matrix,
  alpha: number,
  opts: OrtGemmOptions & { readonly out?: Float64Array } = {},
): Promise<Matrix> {
  if (Math.fround(alpha) !== alpha) throw new RangeError(`gemmUpdate: alpha ${alpha} is not exact in float32`);
  const spec = { dtype: 'float64' as const, transA: opts.transA ?? false, transB: opts.transB ?? false, accumulate: true, alpha, beta: 1 };
  const s = await session(spec);
  const feeds = { A: tensor(a, 'float64'), B: tensor(b, 'float64'), D: tensor(d, 'float64') };
  if (opts.out !== undefined) {
    const data = opts.out.subarray(0, d.rows * d.cols);
    await s.run(feeds, { C: new ort.Tensor('float64', data, [d.rows, d.cols]) });
    return { rows: d.rows, cols: d.cols, data };
  }
  const out = (await s.run(feeds))['C']!;
  return { rows: d.rows, cols: d.cols, data: widen(out) };
}

/**
 * Accumulates scatter blocks of a chunk of centred row-major samples xc (rows x d; Float64Array or Float32Array: the
 * product's dtype) in one onnxruntime run (`scatterModel`): for column blocks a <= b (in that order),
 * to[i] = from[i] + xc[:, e_a:e_a+1]^T xc[:, e_b:e_b+1], written straight into the `to` buffers (which must not
 * be the `from` buffers).
 *
 * @example
 * await scatterAccumulateOrt(chunk, 1000, 2048, [0, 1024, 2048], zeros, sums);
 */
export async function scatterAccumulateOrt(
  xc: Float64Array | Float32Array,
  rows: number,
  d: number,
  edges: readonly number[],
  from: readonly Float64Array[],
  to: readonly Float64Array[],
): Promise<void> {
  const dtype = xc instanceof Float64Array ? 'float64' : 'float32';
  const s = await cached(`scatter/${d}/${edges.join(',')}/${dtype}`, () => scatterModel(d, edges, dtype));
  const feeds: Record<string, ort.Tensor> = { Xc: new ort.Tensor(dtype, xc.subarray(0, rows * d), [rows, d]) };
  const fetches: Record<string, ort.Tensor> = {};
  const k = edges.length - 1;
  let at = 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++, at++) {
      const dims = [edges[a + 1]! - edges[a]!, edges[b + 1]! - edges[b]!];
      feeds[`D_${a}_${b}`] = new ort.Tensor('float64', from[at]!, dims);
      fetches[`C_${a}_${b}`] = new ort.Tensor('float64', to[at]!, dims);
    }
  }
  await s.run(feeds, fetches);
}

/** Releases every cached session (they are rebuilt on the next call). */
export function releaseGemmSessions(): Promise<void> {
  return releaseComputeSessions('gemm/');
}
