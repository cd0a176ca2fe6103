import { describe, expect, it } from 'vitest';
import { downUp, poissonCdf, poissonNoise } from '../../src/data/degrade.js';
import { PAIRED_TASKS, UNPAIRED_TASKS } from '../../src/data/paired-tasks.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';

/**
 * The degradation models of the built-in restoration tasks, analytically: an area 2x shrink averages 2x2 blocks
 * exactly and a block-constant image comes back from its half size unchanged where the blocks are flat; Poisson
 * counts have mean and variance lambda; and the PneumoniaMNIST tasks are their protocol applied to the dataset.
 */
const shared = optionalSharedAssets();

describe('degradations', () => {
  it('downUp: 2x2 block means on the way down, a constant image stays constant', () => {
    const flat = { data: new Uint8Array(8 * 8).fill(77), n: 1, height: 8, width: 8, channels: 1 };
    expect([...downUp(flat, { factor: 2, down: 'area', up: 'bilinear' }).data].every((v) => v === 77)).toBe(true);
    // left half 0, right half 200: the area shrink keeps the edge sharp, the bilinear way up ramps it over 2 pixels
    const edge = { data: Uint8Array.from({ length: 8 * 8 }, (_, i) => (i % 8 < 4 ? 0 : 200)), n: 1, height: 8, width: 8, channels: 1 };
    const row = [...downUp(edge, { factor: 2, down: 'area', up: 'bilinear' }).data.subarray(0, 8)];
    expect(row).toEqual([0, 0, 0, 50, 150, 200, 200, 200]);
  });

  it('poissonNoise: counts with mean and variance lambda, clipped at white, black stays black, one seed one image', () => {
    const n = 40000;
    const grey = { data: new Uint8Array(n).fill(128), n: 1, height: 200, width: 200, channels: 1 };
    const noisy = poissonNoise(grey, { photons: 50 }, new Rng(1));
    const counts = Array.from(noisy.data, (v) => Math.round((v * 50) / 255)); // v = round(5.1 k): k comes back exactly
    const lambda = (50 * 128) / 255;
    const mean = counts.reduce((a, b) => a + b, 0) / n;
    const variance = counts.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean - lambda)).toBeLessThan(0.15); // sd of the mean: sqrt(25.1 / 40000) = 0.025
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
    const white = { ...grey, data: new Uint8Array(n).fill(255) };
    const bright = poissonNoise(white, { photons: 50 }, new Rng(1)).data;
    const clipped = bright.filter((v) => v === 255).length / n;
    expect(Math.abs(clipped - 0.5188)).toBeLessThan(0.01); // P(K >= 50) for K ~ Poisson(50): 50 photons or more show as 255
    const black = { ...white, data: new Uint8Array(n) };
    expect(poissonNoise(black, { photons: 50 }, new Rng(1)).data.every((v) => v === 0)).toBe(true);
    expect(poissonNoise(grey, { photons: 50 }, new Rng(1)).data).toEqual(noisy.data);
    expect([...poissonCdf(0)]).toEqual([1]);
    expect(() => poissonNoise(white, { photons: 1000 }, new Rng(1))).toThrow(/photons must lie in \(0, 700\]/);
  });
});

describe.skipIf(!shared)('PneumoniaMNIST translation tasks', () => {
  it('pneumonia-sr2 and pneumonia-denoise pair each test image with its degraded copy; the unpaired task splits by label', async () => {
    const sr2 = await PAIRED_TASKS.get('pneumonia-sr2')!.load('test[:16]');
    expect(sr2.source.data).toEqual(downUp({ ...sr2.target, data: sr2.target.data as Uint8Array }, { factor: 2, down: 'area', up: 'bilinear' }).data);
    expect(sr2.preprocessing?.['degradation']).toMatch(/28x28 -> 14x14 area .* 14x14 -> 28x28 bilinear/);
    const dn = PAIRED_TASKS.get('pneumonia-denoise')!;
    const [a, b] = [await dn.load('test'), await dn.load('test[:16]')];
    expect(b.source.data).toEqual(a.source.data.subarray(0, 16 * 28 * 28)); // the noise belongs to the split, not the slice
    expect(b.target.data).toEqual(sr2.target.data);
    const u = await UNPAIRED_TASKS.get('pneumonia-normal-to-pneumonia')!.load('test');
    expect([u.source.n, u.target.n]).toEqual([234, 234]);
    expect(u.preprocessing).toMatchObject({ sourceCount: 234, targetCount: 234 });
  });
});
