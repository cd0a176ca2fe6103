import { gemm } from './gemm.js';
import type { Matrix } from './matrix.js';

/**
 * Inverse of a non-singular lower triangular matrix, recursively blocked: with L = [L11 0; L21 L22],
 * L^-1 = [X11 0; -X22 L21 X11  X22], X11 = L11^-1, X22 = L22^-1, so the n^3/3 flops run on `gemm`; blocks of
 * up to 64 rows are inverted by forward substitution in JS.
 *
 * @example
 * await lowerInverse({ rows: 2, cols: 2, data: Float64Array.of(2, 0, 1, 4) }) // [0.5, 0, -0.125, 0.25]
 */
export async function lowerInverse(l: Matrix): Promise<Matrix> {
  const n = l.rows;
  if (n <= 64) return lowerInverseJs(l);
  const h = n >> 1;
  const [x11, x22] = await Promise.all([lowerInverse(block(l, 0, 0, h, h)), lowerInverse(block(l, h, h, n - h, n - h))]);
  const x21 = await gemm(x22, await gemm(block(l, h, 0, n - h, h), x11));
  const out = new Float64Array(n * n);
  for (let i = 0; i < h; i++) out.set(x11.data.subarray(i * h, i * h + h), i * n);
  for (let i = 0; i < n - h; i++) {
    const row = (h + i) * n;
    for (let j = 0; j < h; j++) out[row + j] = -x21.data[i * h + j]!;
    out.set(x22.data.subarray(i * (n - h), (i + 1) * (n - h)), row + h);
  }
  return { rows: n, cols: n, data: out };
}

function lowerInverseJs(l: Matrix): Matrix {
  const n = l.rows;
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const lii = l.data[i * n + i]!;
    x[i * n + i] = 1 / lii;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l.data[i * n + k]! * x[k * n + j]!;
      x[i * n + j] = -s / lii;
    }
  }
  return { rows: n, cols: n, data: x };
}

/** Copy of the rows x cols block at (r0, c0). */
export function block(m: Matrix, r0: number, c0: number, rows: number, cols: number): Matrix {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) out.set(m.data.subarray((r0 + i) * m.cols + c0, (r0 + i) * m.cols + c0 + cols), i * cols);
  return { rows, cols, data: out };
}
