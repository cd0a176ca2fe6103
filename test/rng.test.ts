import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xa = Array.from({ length: 100 }, () => a.uint32());
    const xb = Array.from({ length: 100 }, () => b.uint32());
    const xc = Array.from({ length: 100 }, () => c.uint32());
    expect(xa).toEqual(xb);
    expect(xa.filter((v, i) => v === xc[i]).length).toBeLessThan(3);
  });

  it('draws uniforms with the right moments', () => {
    const r = new Rng(1);
    const n = 200_000;
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.float();
      expect(u >= 0 && u < 1).toBe(true);
      s += u;
      s2 += u * u;
    }
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
  });

  it('draws standard normals with mean 0, variance 1 and light tails', () => {
    const x = new Rng(2).fillNormal(new Float64Array(200_000));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.01);
    const beyond3 = x.filter((v) => Math.abs(v) > 3).length / x.length;
    expect(beyond3).toBeGreaterThan(0.0020);
    expect(beyond3).toBeLessThan(0.0034); // 0.0027 expected
  });

  it('int(n) is unbiased and in range', () => {
    const r = new Rng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[r.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('samples without replacement and forks into independent streams', () => {
    const r = new Rng(4);
    const idx = r.sampleWithoutReplacement(100, 100);
    expect([...idx].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(() => r.sampleWithoutReplacement(3, 4)).toThrow(RangeError);
    const f1 = new Rng(4).fork('latents').uint32();
    const f2 = new Rng(4).fork('bootstrap').uint32();
    expect(f1).toBe(new Rng(4).fork('latents').uint32());
    expect(f1).not.toBe(f2);
  });

  it('rejects seeds that are not 32-bit unsigned integers', () => {
    expect(() => new Rng(-1)).toThrow(RangeError);
    expect(() => new Rng(1.5)).toThrow(RangeError);
    expect(() => new Rng(2 ** 32)).toThrow(RangeError);
  });
});
