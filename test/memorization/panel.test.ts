import { describe, expect, it } from 'vitest';
import { formatDistance, panelImage, suspiciousSamples } from '../../src/memorization/panel.js';
import { textWidth } from '../../src/memorization/tiny-font.js';

describe('neighbour panel', () => {
  it('ranks samples by nearest/second-nearest ratio, then nearest distance', () => {
    expect(suspiciousSamples({ d1: [5, 0, 1, 3, 0], d2: [6, 4, 10, 3.1, 9] }, 3)).toEqual([1, 4, 2]);
  });

  it('formats distances in three significant digits, exponent form when far from 1', () => {
    expect(formatDistance(0)).toBe('0');
    expect(formatDistance(5.110945)).toBe('5.11');
    expect(formatDistance(123456)).toBe('1.23e+5');
    expect(formatDistance(0.0001234)).toBe('1.23e-4');
    expect(textWidth('5.11', 2)).toBe(30);
  });

  it('lays out one row per sample: the sample framed in red, then its neighbours, with labels', () => {
    const tile = (v: number) => new Uint8Array(4).fill(v);
    const generated = { data: Uint8Array.from([...tile(200), ...tile(100)]), n: 2, height: 2, width: 2, channels: 1 };
    const train = { data: Uint8Array.from([...tile(10), ...tile(20), ...tile(30)]), n: 3, height: 2, width: 2, channels: 1 };
    const c = panelImage({ generated, train, space: 'pixel', rows: [{ sample: 1, neighbours: [2, 0], distances: [0, 1.5] }] });
    expect(c.channels).toBe(3);
    const px = (x: number, y: number) => Array.from(c.pixels.subarray((y * c.width + x) * 3, (y * c.width + x) * 3 + 3));
    expect(px(4, 4)).toEqual([100, 100, 100]); // the sample at (4, 4), scale 28
    expect(px(2, 2)).toEqual([220, 30, 30]); // red frame
    const pixels = new Set<number>();
    for (let i = 0; i < c.pixels.length; i += 3) pixels.add(c.pixels[i]!);
    expect(pixels.has(30)).toBe(true); // nearest neighbour (train row 2) drawn
    expect(pixels.has(10)).toBe(true);
    expect(pixels.has(0)).toBe(true); // black label text
  });
});
