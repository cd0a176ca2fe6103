import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fdDescriptor, fdInfDescriptor } from '../../metrics/fd-descriptor.js';
import { statsOf } from '../../metrics/fd.js';
import { groupDefaults } from '../../metrics/index.js';
import { precisionDescriptor } from '../../metrics/prdc.js';
import type { FeatureSets } from '../../metrics/types.js';
import { cachedReferenceStats, referenceStatsDir, referenceStatsKey, referenceStatsProvider } from '../../src/features/stats-cache.js';
import { kthNeighbourDistances } from '../../src/nn/exact.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';

const roots: string[] = [];
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-scache-'));
  roots.push(dir);
});
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

function gaussian(rows: number, cols: number, seed: number, shift = 0): Matrix {
  const rng = new Rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal() + shift) };
}

/** Bit-for-bit equality of float64 arrays (toEqual would accept -0 for 0). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const reference = gaussian(80, 6, 1);
const needs = { gaussian: true, radii: [3, 5] };

async function fresh() {
  const s = await statsOf(reference);
  const [r3, r5] = await kthNeighbourDistances(reference, [3, 5]);
  return { s, r3: r3!, r5: r5! };
}

describe('reference-statistics cache', () => {
  it('computes once, then hits with bit-identical values; keys depend on content, statistic and k', async () => {
    const want = await fresh();
    const first = await cachedReferenceStats(reference, needs, { dir });
    expect(first.entries.map((e) => [e.statistic, e.hit])).toEqual([['gaussian', false], ['radii k=3', false], ['radii k=5', false]]);
    const second = await cachedReferenceStats(reference, needs, { dir });
    expect(second.entries.every((e) => e.hit)).toBe(true);
    for (const r of [first, second]) {
      expect(sameBits(r.stats.gaussian!.mean, want.s.mean)).toBe(true);
      expect(sameBits(r.stats.gaussian!.cov.data, want.s.cov.data)).toBe(true);
      expect(r.stats.gaussian!.count).toBe(80);
      expect(sameBits(r.stats.radii!.get(3)!, want.r3)).toBe(true);
      expect(sameBits(r.stats.radii!.get(5)!, want.r5)).toBe(true);
    }
    const other = { ...reference, data: reference.data.map((v, i) => (i === 0 ? v + 1e-12 : v)) };
    expect((await cachedReferenceStats(other, needs, { dir })).entries.some((e) => e.hit)).toBe(false);
    const sha = first.featuresSha256;
    expect(new Set([referenceStatsKey(sha, { kind: 'gaussian' }), referenceStatsKey(sha, { kind: 'radii', k: 3 }), referenceStatsKey(sha, { kind: 'radii', k: 5 })]).size).toBe(3);
    expect(referenceStatsDir('/x/features')).toBe('/x/features/reference-stats');
  });

  it('detects a corrupted or truncated entry and recomputes it, never using it', async () => {
    const want = await fresh();
    const first = await cachedReferenceStats(reference, needs, { dir });
    const [g, r3] = first.entries;
    const gPath = join(dir, `${g!.key}.npy`);
    const bytes = await readFile(gPath);
    bytes[bytes.length - 3] ^= 0x40; // one bit of the covariance
    await writeFile(gPath, bytes);
    await truncate(join(dir, `${r3!.key}.npy`), 200);
    await writeFile(join(dir, `${first.entries[2]!.key}.json`), '{ not json');
    const again = await cachedReferenceStats(reference, needs, { dir });
    expect(again.entries.map((e) => e.hit)).toEqual([false, false, false]);
    expect(again.entries[0]!.stale).toMatch(/sha256 does not match/);
    expect(again.entries[1]!.stale).toMatch(/truncated/);
    expect(again.entries[2]!.stale).toMatch(/not valid JSON/);
    expect(sameBits(again.stats.gaussian!.cov.data, want.s.cov.data)).toBe(true);
    expect(sameBits(again.stats.radii!.get(3)!, want.r3)).toBe(true);
    expect((await cachedReferenceStats(reference, needs, { dir })).entries.every((e) => e.hit)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('metrics give the same values with cached reference statistics as without (fd, fd_inf, prdc)', async () => {
    const sets: FeatureSets = { generated: gaussian(64, 6, 2, 0.3), reference };
    const provider = referenceStatsProvider(dir);
    const fdParams = groupDefaults([fdDescriptor, fdInfDescriptor]);
    const prdcParams = groupDefaults([precisionDescriptor]);
    const withStats = async (p: typeof fdParams, d: typeof fdDescriptor) => ({ ...sets, referenceStats: await provider.get(d.referenceNeeds!(sets, p), reference) });
    const plainFd = await fdDescriptor.compute(sets, fdParams);
    const plainPrdc = await precisionDescriptor.compute(sets, prdcParams);
    for (let run = 0; run < 2; run++) {
      expect(await fdDescriptor.compute(await withStats(fdParams, fdDescriptor), fdParams)).toEqual(plainFd);
      expect(await precisionDescriptor.compute(await withStats(prdcParams, precisionDescriptor), prdcParams)).toEqual(plainPrdc);
    }
    expect(plainFd.fd_inf).toBeDefined();
    expect(provider.log().entries.map((e) => e.hit)).toEqual([false, false, false, true, true, true]);
    // the statistics are not modified by the metrics that read them
    const cached = await cachedReferenceStats(reference, needs, { dir });
    expect(sameBits(cached.stats.gaussian!.cov.data, (await fresh()).s.cov.data)).toBe(true);
  });
});
