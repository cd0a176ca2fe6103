import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../../src/io/npy.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

/**
 * Shared data for the KID and PRDC benchmarks: N = 10,000 x d = 768 Inception-like (non-negative, ReLU'd
 * Gaussian) features, written once as float32 .npy to the temp folder so the Python references read the same
 * numbers, and the reference programs of GENBENCH_ASSETS's bench/ run with /usr/bin/python3 (Debian's numpy/sklearn).
 */
export const N = 10_000;
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
  const files = { generated: join(dir, 'generated.npy'), reference: join(dir, 'reference.npy') };
  if (!existsSync(files.generated)) writeFileSync(files.generated, encodeNpy(g, [N, D]));
  if (!existsSync(files.reference)) writeFileSync(files.reference, encodeNpy(r, [N, D]));
  return { generated: { rows: N, cols: D, data: Float64Array.from(g) }, reference: { rows: N, cols: D, data: Float64Array.from(r) }, files };
}

/** Runs a reference program of GENBENCH_ASSETS's bench/ and parses its one JSON line. */
export function runReference(script: string, args: string[]): Record<string, number> {
  const shared = process.env['GENBENCH_ASSETS'] ?? '../shared';
  const out = execFileSync('/usr/bin/python3', [join(shared, 'bench', script), ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!);
}

export function report(name: string, ours: number, reference: number, extra: Record<string, unknown>): void {
  console.log(`${name}: genbench ${ours.toFixed(2)} s, reference ${reference.toFixed(2)} s, speed-up ${(reference / ours).toFixed(2)}x ${JSON.stringify(extra)}`);
}
