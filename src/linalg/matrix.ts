import { GenbenchError } from '../errors.js';

/**
 * A dense row-major Float64 matrix: `rows` samples x `cols` features for feature matrices (statistics
 * are float64; model output is converted once, here at the boundary).
 */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

/**
 * A `rows` x `cols` matrix over `data` (row-major, not copied), or a zero matrix when `data` is omitted.
 *
 * @example
 * const m: Matrix = matrix(2, 3, Float64Array.of(1, 2, 3, 4, 5, 6)); // m.data[1 * 3 + 2] === 6
 * matrix(2, 2).data;                                                // Float64Array [0, 0, 0, 0]
 */
export function matrix(rows: number, cols: number, data?: Float64Array): Matrix {
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new RangeError(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${d.length}`);
  return { rows, cols, data: d };
}

/**
 * Widens any numeric array [rows, cols] to a Float64 feature matrix, rejecting NaN/Inf with an INPUT error that
 * names `what` (a file or a role such as 'generated') and the first bad position.
 *
 * @example
 * toFeatureMatrix(new Float32Array([0.5, 1, 2, 4]), 2, 2, 'generated').data; // Float64Array [0.5, 1, 2, 4]
 * toFeatureMatrix([1, NaN], 1, 2, 'generated'); // GenbenchError INPUT: generated: non-finite value NaN at row 0, column 1
 */
export function toFeatureMatrix(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  what: string,
): Matrix {
  if (values.length !== rows * cols) throw new GenbenchError('INPUT', `${what}: expected ${rows}x${cols} values, got ${values.length}`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < out.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new GenbenchError('INPUT', `${what}: non-finite value ${v} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
    out[i] = v;
  }
  return { rows, cols, data: out };
}

/** Rows [from, to) as a new matrix sharing memory with `m`. */
export function rowSlice(m: Matrix, from: number, to: number): Matrix {
  return { rows: to - from, cols: m.cols, data: m.data.subarray(from * m.cols, to * m.cols) };
}

/** The rows named by `index`, copied, in that order (used by bootstrap and subset sampling). */
export function takeRows(m: Matrix, index: ArrayLike<number>): Matrix {
  const out = new Float64Array(index.length * m.cols);
  for (let i = 0; i < index.length; i++) out.set(m.data.subarray(index[i]! * m.cols, (index[i]! + 1) * m.cols), i * m.cols);
  return { rows: index.length, cols: m.cols, data: out };
}
