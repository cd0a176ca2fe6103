import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type * as FdResampled from '../../metrics/fd-resampled.js';
import type * as FdWorkers from '../../metrics/fd-workers.js';
import { counts } from '../../metrics/resample.js';
import { Rng } from '../../src/rng.js';

/**
 * The FD worker pool runs compiled JavaScript (a worker thread cannot load the TypeScript sources), so this test
 * imports the build in dist/ (test/global-setup.ts keeps it current) and compares the pool with the same build's
 * in-thread FD: the values must be identical, on both FD routes (covariance: more rows than features; Gram: fewer).
 */
const dist = (p: string) => pathToFileURL(join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', p)).href;
const workers = (await import(dist('metrics/fd-workers.js'))) as typeof FdWorkers;
const resampled = (await import(dist('metrics/fd-resampled.js'))) as typeof FdResampled;

function matrix(rng: Rng, rows: number, cols: number, shift: number) {
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() + (i % cols < 4 ? shift : 0);
  return { rows, cols, data };
}

function halves(rng: Rng, rows: number, b: number): Float64Array[] {
  return Array.from({ length: b }, () => counts(rng.sampleWithoutReplacement(rows, Math.floor(rows / 2)), rows));
}

describe('FD worker pool', () => {
  for (const [route, n, d] of [['covariance', 400, 24], ['Gram', 40, 64]] as const) {
    it(`gives the in-thread values bit for bit (${route} route)`, async () => {
      const rng = new Rng(7);
      const sets = { generated: matrix(rng, n, d, 0.3), reference: matrix(rng, n + 10, d, 0) };
      const w = halves(rng, sets.generated.rows, 6);
      const v = halves(rng, sets.reference.rows, 6);
      const pool = await workers.openFdPool(sets, 6, { workers: 2, force: true });
      expect(pool?.workers).toBe(2);
      try {
        const pooled = await Promise.all(w.map((wk, k) => pool!.run(wk, v[k]!)));
        const inThread: number[] = [];
        for (let k = 0; k < w.length; k++) inThread.push(await resampled.weightedFd(sets, w[k]!, v[k]!));
        expect(pooled).toEqual(inThread);
        expect(new Set(pooled).size).toBe(6);
      } finally {
        await pool!.close();
      }
    });
  }

  it('is not opened for small work, and a closed pool rejects new runs', async () => {
    const rng = new Rng(1);
    const sets = { generated: matrix(rng, 50, 8, 0), reference: matrix(rng, 50, 8, 0) };
    expect(await workers.openFdPool(sets, 100)).toBeUndefined();
    const pool = (await workers.openFdPool(sets, 4, { workers: 2, force: true }))!;
    await pool.close();
    await expect(pool.run(new Float64Array(50).fill(1), new Float64Array(50).fill(1))).rejects.toThrow(/closed/);
  });

  it('reports a failing resample as an error instead of hanging, and fails the runs after it', async () => {
    const rng = new Rng(2);
    const sets = { generated: matrix(rng, 60, 8, 0), reference: matrix(rng, 60, 8, 0) };
    const pool = (await workers.openFdPool(sets, 2, { workers: 2, force: true }))!;
    try {
      await expect(pool.run(null as never, new Float64Array(60).fill(1))).rejects.toThrow(/FD worker: TypeError/);
      await expect(pool.run(new Float64Array(60).fill(1), new Float64Array(60).fill(1))).rejects.toThrow(/FD worker: TypeError/);
    } finally {
      await pool.close();
    }
  });
});
