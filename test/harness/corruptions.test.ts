import { describe, expect, it } from 'vitest';
import { CORRUPTIONS, dropClasses, gaussianBlur, gaussianNoise, memorise, shrinkDiversity } from '../../src/harness/corruptions.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { Rng } from '../../src/rng.js';

/** n images of 8x8x1 whose pixels encode their index (image i is filled with 10 * i + pixel % 7). */
function batch(n: number, h = 8, w = 8): ImageBatchU8 {
  const data = Uint8Array.from({ length: n * h * w }, (_, k) => (10 * Math.floor(k / (h * w)) + (k % 7)) % 256);
  return { data, n, height: h, width: w, channels: 1 };
}

const meanAbsDiff = (a: ImageBatchU8, b: ImageBatchU8) => a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]!), 0) / a.data.length;

describe('gaussianNoise', () => {
  it('is the identity at sigma 0 and grows with sigma, deterministically, without touching the input', () => {
    const x = batch(4);
    const before = x.data.slice();
    expect(gaussianNoise(x, 0, new Rng(1)).data).toEqual(x.data);
    const d = [4, 16, 64].map((s) => meanAbsDiff(gaussianNoise(x, s, new Rng(1)), x));
    expect(d[0]).toBeLessThan(d[1]!);
    expect(d[1]).toBeLessThan(d[2]!);
    expect(d[1]).toBeGreaterThan(16 * 0.6); // E|N(0, 16^2)| = 12.8 (minus clipping at 0)
    expect(gaussianNoise(x, 16, new Rng(1)).data).toEqual(gaussianNoise(x, 16, new Rng(1)).data);
    expect(x.data).toEqual(before);
  });
  it('rejects a negative sigma', () => {
    expect(() => gaussianNoise(batch(1), -1, new Rng(0))).toThrow(/noise sigma must be in/);
  });
});

describe('gaussianBlur', () => {
  it('keeps a constant image, preserves the mean of a point away from the edges, and spreads it', () => {
    const flat: ImageBatchU8 = { data: new Uint8Array(64).fill(77), n: 1, height: 8, width: 8, channels: 1 };
    expect(gaussianBlur(flat, 1).data.every((v) => v === 77)).toBe(true);
    const big = new Uint8Array(31 * 31);
    big[15 * 31 + 15] = 255;
    const point: ImageBatchU8 = { data: big, n: 1, height: 31, width: 31, channels: 1 };
    const out = gaussianBlur(point, 1);
    expect(out.data[15 * 31 + 15]).toBeLessThan(255);
    expect(out.data[15 * 31 + 16]).toBeGreaterThan(0);
    const sum = out.data.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum - 255)).toBeLessThan(25); // rounding of many small values
    expect(gaussianBlur(point, 0).data).toEqual(point.data);
  });
  it('blurs channels independently', () => {
    const rgb: ImageBatchU8 = { data: Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => (i % 3 === 0 ? 200 : 0)), n: 1, height: 4, width: 4, channels: 3 };
    const out = gaussianBlur(rgb, 1);
    for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBe(i % 3 === 0 ? 200 : 0);
  });
});

describe('dropClasses', () => {
  const x = batch(40);
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 10);
  it('keeps everything at 0, drops round(f x classes) classes, nested across strengths', () => {
    expect([...dropClasses(x, labels, 0, new Rng(3)).picks.index]).toEqual([...Array(40).keys()]);
    const present = (f: number) => new Set(dropClasses(x, labels, f, new Rng(3)).labels);
    expect(present(0.3).size).toBe(7);
    expect(present(0.9).size).toBe(1);
    for (const c of present(0.6)) expect(present(0.3).has(c)).toBe(true);
  });
  it('returns copies of kept images with their labels', () => {
    const r = dropClasses(x, labels, 0.5, new Rng(3));
    r.picks.index.forEach((j, i) => {
      expect(r.labels![i]).toBe(labels[j]);
      expect([...r.images.data.subarray(i * 64, (i + 1) * 64)]).toEqual([...x.data.subarray(j * 64, (j + 1) * 64)]);
    });
  });
});

describe('memorise', () => {
  const x = batch(20);
  const training = batch(30);
  training.data.forEach((_, i) => (training.data[i] = 255 - training.data[i]!));
  it('replaces round(f x n) images by distinct training copies, nested across strengths', () => {
    const r = memorise(x, training, 0.5, new Rng(5));
    const copied = [...r.picks.source.keys()].filter((i) => r.picks.source[i] === 1);
    expect(copied).toHaveLength(10);
    expect(new Set(copied.map((i) => r.picks.index[i])).size).toBe(10);
    for (const i of copied) {
      const j = r.picks.index[i]!;
      expect([...r.images.data.subarray(i * 64, (i + 1) * 64)]).toEqual([...training.data.subarray(j * 64, (j + 1) * 64)]);
    }
    const quarter = memorise(x, training, 0.25, new Rng(5));
    quarter.picks.source.forEach((s, i) => s === 1 && expect(r.picks.source[i]).toBe(1));
    expect(memorise(x, training, 0, new Rng(5)).images.data).toEqual(x.data);
  });
  it('rejects training images of another size, and the registry entry refuses to run without training images', () => {
    expect(() => memorise(x, batch(5, 4, 4), 0.5, new Rng(0))).toThrow(/training images are 4x4x1, not 8x8x1/);
    expect(() => CORRUPTIONS.get('memorise')!.apply({ images: x }, 0.5, new Rng(0))).toThrow(/memorise needs training images/);
  });
});

describe('shrinkDiversity', () => {
  it('keeps max(1, round((1 - f) n)) distinct images, repeated to n, as a shrinking nested subset', () => {
    const x = batch(20);
    const distinct = (f: number) => new Set(shrinkDiversity(x, f, new Rng(2)).picks.index);
    expect(distinct(0).size).toBe(20);
    expect(distinct(0.5).size).toBe(10);
    expect(distinct(0.95).size).toBe(1);
    for (const j of distinct(0.8)) expect(distinct(0.5).has(j)).toBe(true);
    expect(shrinkDiversity(x, 0.5, new Rng(2)).images.n).toBe(20);
  });
});

describe('CORRUPTIONS registry', () => {
  it('has the five corruptions, each with >= 4 increasing levels starting at 0', () => {
    expect([...CORRUPTIONS.keys()]).toEqual(['noise', 'blur', 'drop-classes', 'memorise', 'shrink-diversity']);
    for (const c of CORRUPTIONS.values()) {
      expect(c.levels.length).toBeGreaterThanOrEqual(4);
      expect(c.levels[0]).toBe(0);
      c.levels.forEach((v, i) => i > 0 && expect(v).toBeGreaterThan(c.levels[i - 1]!));
    }
    expect(Object.isFrozen(CORRUPTIONS)).toBe(true);
  });
});
