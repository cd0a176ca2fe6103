import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/io/npy.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';
import { runReference as runFair } from './reference-process.mjs';

/**
 * Shared data for the KID and PRDC benchmarks: N = 10,000 x d = 768 Inception-like (non-negative, ReLU'd
 * Gaussian) features, written once as float32 .npy to the temp folder so the Python references read the same
 * numbers, and the reference programs of GENBENCH_ASSETS's bench/ run with /usr/bin/python3 (Debian's numpy/sklearn)
 * through reference-process.mjs (the fair environment, and the BLAS kernel they ran on).
 * Env: KID_PRDC_BENCH_N (rows per set, default 10,000; a smaller value for a quick check).
 */
export const N = Number(process.env['KID_PRDC_BENCH_N'] ?? 10_000);
export const D = 768;

function features(seed: number, scale: number, shift: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(N * D);
  for (let i = 0; i < a.length; i++) a[i] = Math.max(0, rng.normal() * scale + shift);
  return a;
}

/** The two sets as float64 matrices (widened from float32) and the paths of their .npy files. */
export function benchSets(): { generated: Matrix; reference: Matrix; files: { generated: string; reference: string } } {
  const dir = join(tmpdir(), 'genbench-bench-kid-prdc');
  mkdirSync(dir, { recursive: true });
  const g = features(2, 1.1, 0.4);
  const r = features(1, 1, 0.5);
  const files = { generated: join(dir, `generated-${N}x${D}.npy`), reference: join(dir, `reference-${N}x${D}.npy`) };
  if (!existsSync(files.generated)) writeFileSync(files.generated, encodeNpy(g, [N, D]));
  if (!existsSync(files.reference)) writeFileSync(files.reference, encodeNpy(r, [N, D]));
  return { generated: { rows: N, cols: D, data: Float64Array.from(g) }, reference: { rows: N, cols: D, data: Float64Array.from(r) }, files };
}

/** Runs a reference program of GENBENCH_ASSETS's bench/ in the fair environment: its JSON line and its BLAS kernel. */
export function runReference(script: string, args: string[]): { out: Record<string, number>; kernel: string } {
  const r = runFair({ script, args });
  if (r.json === null) throw new Error(`${script} printed no JSON line: ${r.stdout.slice(-500)}`);
  return { out: r.json, kernel: r.kernel };
}

export function report(name: string, ours: number, reference: number, extra: Record<string, unknown>): void {
  console.log(`${name}: genbench ${ours.toFixed(2)} s, reference ${reference.toFixed(2)} s, speed-up ${(reference / ours).toFixed(2)}x ${JSON.stringify(extra)}`);
}
