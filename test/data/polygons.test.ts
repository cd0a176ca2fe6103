import { describe, expect, it } from 'vitest';
import { generatePolygons, mixSeed, polygons, randomPolygon, wellShaped } from '../../src/data/polygons.js';
import { Rng } from '../../src/rng.js';

const N = 2000;
const S = 28;

describe('polygons', () => {
  const a = generatePolygons({ seed: 7, start: 0, stop: N });

  it('is deterministic by seed: same seed same bytes, different seed different bytes', () => {
    const b = generatePolygons({ seed: 7, start: 0, stop: N });
    const c = generatePolygons({ seed: 8, start: 0, stop: N });
    expect(Buffer.from(b.images.data).equals(Buffer.from(a.images.data))).toBe(true);
    expect([...b.labels]).toEqual([...a.labels]);
    expect(Buffer.from(c.images.data).equals(Buffer.from(a.images.data))).toBe(false);
  });

  it('generates any slice on its own, equal to the same images of the whole stream', () => {
    const part = generatePolygons({ seed: 7, start: 1500, stop: 1510 });
    expect(Buffer.from(part.images.data).equals(Buffer.from(a.images.data.subarray(1500 * S * S, 1510 * S * S)))).toBe(true);
  });

  it('labels are vertex counts 3..6, roughly balanced', () => {
    const counts = [0, 0, 0, 0];
    for (const l of a.labels) {
      expect(l).toBeGreaterThanOrEqual(3);
      expect(l).toBeLessThanOrEqual(6);
      counts[l - 3]!++;
    }
    for (const c of counts) expect(Math.abs(c - N / 4)).toBeLessThan(0.1 * N); // binomial sd ~ 19
  });

  it('every image is non-empty, anti-aliased, and has a black border on all four sides', () => {
    for (let i = 0; i < N; i++) {
      const im = a.images.data.subarray(i * S * S, (i + 1) * S * S);
      let lit = 0;
      let partial = 0;
      for (let p = 0; p < S * S; p++) {
        if (im[p]! > 0) lit++;
        if (im[p]! > 0 && im[p]! < 255) partial++;
      }
      expect(lit, `image ${i}`).toBeGreaterThan(30);
      expect(partial, `image ${i} has anti-aliased edges`).toBeGreaterThan(0);
      for (let t = 0; t < S; t++) {
        const border = im[t]! | im[(S - 1) * S + t]! | im[t * S]! | im[t * S + S - 1]!;
        expect(border, `image ${i} border`).toBe(0);
      }
    }
  });

  it('polygons are non-degenerate and the rendered coverage matches their area', () => {
    for (let i = 0; i < 300; i++) {
      const rng = new Rng(mixSeed(3, i));
      const k = 3 + (i % 4);
      const pts = randomPolygon(rng, k);
      expect(pts).toHaveLength(k);
      expect(wellShaped(pts)).toBe(true);
      let area2 = 0;
      for (let j = 0; j < k; j++) area2 += pts[j]![0] * pts[(j + 1) % k]![1] - pts[(j + 1) % k]![0] * pts[j]![1];
      expect(Math.abs(area2) / 2).toBeGreaterThanOrEqual(40);
    }
    // coverage: the sum of grey levels / 255 approximates the polygon area (4x4 supersampling)
    const one = generatePolygons({ seed: 11, start: 0, stop: 1 });
    const rng = new Rng(mixSeed(11, 0));
    const pts = randomPolygon(rng, 3 + rng.int(4));
    let area2 = 0;
    for (let j = 0; j < pts.length; j++) area2 += pts[j]![0] * pts[(j + 1) % pts.length]![1] - pts[(j + 1) % pts.length]![0] * pts[j]![1];
    const covered = one.images.data.reduce((s, v) => s + v, 0) / 255;
    expect(Math.abs(covered - Math.abs(area2) / 2)).toBeLessThan(0.05 * (Math.abs(area2) / 2) + 1);
  });

  it('is a dataset with train/test splits of different seeds and class indices 0..3', async () => {
    expect(polygons.splits.map((s) => [s.name, s.count])).toEqual([
      ['train', 60000],
      ['test', 10000],
    ]);
    const test = await polygons.load('test[:50]');
    const train = await polygons.load('train[:50]');
    expect(test.split).toBe('test[0:50]');
    expect(Buffer.from(test.images.data).equals(Buffer.from(train.images.data))).toBe(false);
    expect(test.labels!.every((l) => l >= 0 && l <= 3)).toBe(true);
    expect(polygons.classNames).toEqual(['3', '4', '5', '6']);
    const tail = await polygons.load('test[-5:]');
    expect(tail.split).toBe('test[9995:10000]');
  });

  it('generates 60000 images quickly', () => {
    const t = performance.now();
    const big = generatePolygons({ seed: 1, start: 0, stop: 60000 });
    expect(big.images.n).toBe(60000);
    expect(performance.now() - t).toBeLessThan(20000); // a few seconds on an idle machine
  });
});
