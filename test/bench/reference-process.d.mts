/** Types of reference-process.mjs for the TypeScript benchmarks. */
import type { Matrix } from '../../src/linalg/matrix.js';

export const REMOVED_VARS: readonly string[];
export const PYTHON: string;
export function referenceScript(name: string): string;
export function fairEnv(): { env: NodeJS.ProcessEnv; removed: string[]; detected: string | null; pinned: string | null; note: string };

export interface ReferenceRun {
  readonly stdout: string;
  readonly json: Record<string, number> | null;
  readonly info: unknown;
  readonly kernel: string;
  readonly seconds: number;
}
export function runReference(o: { script?: string; code?: string; args?: readonly (string | number)[]; prelude?: string; timeoutS?: number }): ReferenceRun;

export interface Peak {
  readonly n: number;
  readonly repeat: number;
  readonly genbench: { float64: number; float32: number };
  readonly numpy: { float64: number; float32: number } | null;
  readonly kernel: string | null;
}
export function machinePeak(fns: {
  gemm: (a: Matrix, b: Matrix, o: { transB: boolean; engine: 'ort' }) => Promise<Matrix>;
  gramFloat32: (x: Float32Array, rows: number, cols: number) => Promise<Matrix>;
}): Promise<Peak>;
export function floorSeconds(flops: number, dtype: 'float32' | 'float64', peak: Peak): number;
export function describePeak(peak: Peak): string;

export interface TableRow {
  readonly work: string;
  readonly genbench: number | null;
  readonly reference: number | null;
  readonly floor: number | null;
  readonly kernel: string | null;
}
export function printTable(rows: readonly TableRow[], heading?: string): void;
export function formatTable(rows: readonly TableRow[]): string;
export function load(): string;
export function median(xs: readonly number[]): number;
