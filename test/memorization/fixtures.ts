import { join } from 'node:path';
import { readNpy } from '../../src/io/npy.js';
import type { Matrix } from '../../src/linalg/matrix.js';

/** Reads a fixture .npy [rows, cols] as a float64 Matrix. */
export async function npyMatrix(dir: string, file: string): Promise<Matrix> {
  const a = await readNpy(join(dir, file));
  const [rows, cols] = a.shape.length === 2 ? a.shape : [a.shape[0]!, 1];
  return { rows: rows!, cols: cols!, data: Float64Array.from(a.data) };
}

/** Reads a fixture .npy of integers (cell labels, kinds) as an Int32Array. */
export async function npyInts(dir: string, file: string): Promise<Int32Array> {
  return Int32Array.from((await readNpy(join(dir, file))).data);
}
