import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/io/npy.js';
import { readStats, writeStats } from '../../src/data/stats-file.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'genbench-stats-'));
const stats = { mean: Float64Array.of(1, 2), cov: { rows: 2, cols: 2, data: Float64Array.of(2, 0.5, 0.5, 1) }, count: 10 };

describe('statistics files (mu, sigma, count, recipe.json)', () => {
  it('round-trips the statistics and the recipe', async () => {
    await writeStats(join(dir, 's.npz'), stats, { extractor: { id: 'x' }, layer: 'f' });
    const back = await readStats(join(dir, 's.npz'));
    expect(back.stats).toEqual(stats);
    expect(back.recipe).toEqual({ extractor: { id: 'x' }, layer: 'f' });
    expect(back.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('round-trips k-NN radii by k with the rows\' sha256', async () => {
    const radii = new Map([[3, Float64Array.from({ length: 10 }, (_, i) => i / 3)], [1, new Float64Array(10).fill(0.5)]]);
    await writeStats(join(dir, 'k.npz'), stats, { featuresSha256: 'ab'.repeat(32) }, radii);
    const back = await readStats(join(dir, 'k.npz'));
    expect(back.radii).toEqual(radii);
    expect(back.featuresSha256).toBe('ab'.repeat(32));
    writeFileSync(join(dir, 'k0.npz'), zipSync({ 'mu.npy': encodeNpy(Float64Array.of(1, 2), [2]), 'sigma.npy': encodeNpy(stats.cov.data, [2, 2]), 'count.npy': encodeNpy(Int32Array.of(10), [1]), 'radii.npy': encodeNpy(new Float64Array(10), [1, 10]), 'radii_k.npy': encodeNpy(Int32Array.of(10), [1]) }));
    await expect(readStats(join(dir, 'k0.npz'))).rejects.toThrow(/radii_k\.npy must list distinct integers k in \[1, 9\], got \(10\)/);
  });

  it('names the missing members and refuses a sigma of the wrong shape', async () => {
    writeFileSync(join(dir, 'm.npz'), zipSync({ 'mu.npy': encodeNpy(Float64Array.of(1, 2), [2]) }));
    await expect(readStats(join(dir, 'm.npz'))).rejects.toThrow(/holds mu\.npy, sigma\.npy and count\.npy \(missing sigma, count\)/);
    writeFileSync(join(dir, 'w.npz'), zipSync({ 'mu.npy': encodeNpy(Float64Array.of(1, 2), [2]), 'sigma.npy': encodeNpy(new Float64Array(3), [3, 1]), 'count.npy': encodeNpy(Int32Array.of(5), [1]) }));
    await expect(readStats(join(dir, 'w.npz'))).rejects.toThrow(/mu is \(2\) and sigma \(3, 1\); expected mu \(d,\) and sigma \(d, d\)/);
  });

  it('genbench metrics: FD 0 between equal statistics, and statistics of different features refused', async () => {
    await writeStats(join(dir, 'a.npz'), stats, { extractor: { id: 'x', weightsSha256: 'aa' }, layer: 'f' });
    await writeStats(join(dir, 'b.npz'), stats, { extractor: { id: 'x', weightsSha256: 'bb' }, layer: 'f' });
    const same = await runCli(['metrics', '--generated', join(dir, 'a.npz'), '--reference', join(dir, 'a.npz'), '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(Math.abs(JSON.parse(same.stdout).fd.value)).toBeLessThan(1e-12);
    const diff = await runCli(['metrics', '--generated', join(dir, 'a.npz'), '--reference', join(dir, 'b.npz')]);
    expect(diff.code).toBe(2);
    expect(diff.stderr.trim()).toMatch(/^genbench: .*a\.npz and .*b\.npz come from different features: recipe\.extractor\.weightsSha256 is "aa" vs "bb"/);
  });
});
