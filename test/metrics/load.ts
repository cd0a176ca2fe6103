import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpy } from '../../src/io/npy.js';
import { toFeatureMatrix, type Matrix } from '../../src/linalg/matrix.js';

/** Test helper: a fixture .npy as a Float64 matrix [rows, prod(rest)], and expected.json of a fixture case. */
export function loadMatrix(dir: string, file: string): Matrix {
  const a = parseNpy(readFileSync(join(dir, file)), file);
  const rows = a.shape[0] ?? 1;
  const cols = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return toFeatureMatrix(a.data, rows, cols, file);
}

export function loadInt32Rows(dir: string, file: string): Int32Array[] {
  const a = parseNpy(readFileSync(join(dir, file)), file);
  const [rows, cols] = [a.shape[0]!, a.shape[1]!];
  return Array.from({ length: rows }, (_, i) => Int32Array.from(a.data.subarray(i * cols, (i + 1) * cols)));
}

export function loadExpected(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
}
