import { describe, expect, it } from 'vitest';
import type { DatasetSplit } from '../../src/data/types.js';
import { splitRowIndices } from '../../src/data/split-spec.js';
import { sanityRows, sanitySeeds, sanitySplit } from '../../src/harness/sanity-rows.js';

/** A split of `n` 2x2 gray images whose first pixel is the row number (mod 256) and whose label is row % 10. */
function split(n: number, channels: 1 | 3 = 1): DatasetSplit {
  const size = 4 * channels;
  const data = Uint8Array.from({ length: n * size }, (_, k) => Math.floor(k / size) % 256);
  return { images: { data, n, height: 2, width: 2, channels }, labels: Int32Array.from({ length: n }, (_, i) => i % 10), split: 'test', source: { files: [] } };
}

describe('sanitySeeds', () => {
  it('derives distinct run seeds from a base seed, the same every time, longer lists extending shorter ones', () => {
    const five = sanitySeeds(1, 5);
    expect(new Set(five).size).toBe(5);
    expect(sanitySeeds(1, 5)).toEqual(five);
    expect(sanitySeeds(1, 8).slice(0, 5)).toEqual(five);
    expect(sanitySeeds(2, 5).some((s) => five.includes(s))).toBe(false);
    expect(() => sanitySeeds(0, 1)).toThrow(/--seeds: must be an integer >= 2/);
  });
});

describe('sanityRows', () => {
  const full = split(1000);
  it('draws three disjoint seeded random row sets named by split expressions', () => {
    const rows = sanityRows(full, 77, { reference: 100, generated: 50, training: 50 });
    expect([rows.reference.split, rows.generated.split, rows.training!.split]).toEqual(['test~77[0:100]', 'test~77[100:150]', 'test~77[150:200]']);
    const ids = (s: DatasetSplit) => [...s.labels!.keys()].map((i) => s.images.data[i * 4]!);
    const perm = splitRowIndices('test~77', 1000);
    expect(ids(rows.generated)).toEqual([...perm.slice(100, 150)].map((r) => r % 256));
    const sets = [rows.reference, rows.generated, rows.training!].map((s) => new Set(splitRowIndices(s.split, 1000)));
    expect(sets.map((s) => s.size)).toEqual([100, 50, 50]);
    const union = new Set(sets.flatMap((s) => [...s]));
    expect(union.size).toBe(200); // disjoint
    // random rows, not a block: the reference spans the whole split
    const ref = [...sets[0]!];
    expect(Math.min(...ref)).toBeLessThan(100);
    expect(Math.max(...ref)).toBeGreaterThan(900);
    expect([...rows.generated.labels!]).toEqual([...perm.slice(100, 150)].map((r) => r % 10));
  });
  it('draws no training rows when asked for none, and other rows for another seed', () => {
    const a = sanityRows(full, 1, { reference: 10, generated: 10, training: 0 });
    expect(a.training).toBeUndefined();
    const b = sanityRows(full, 2, { reference: 10, generated: 10, training: 0 });
    expect(splitRowIndices(a.reference.split, 1000)).not.toEqual(splitRowIndices(b.reference.split, 1000));
  });
  it('says which sizes do not fit the split', () => {
    expect(() => sanityRows(split(500), 0, { reference: 256, generated: 128, training: 128 })).toThrow(
      /split 'test' has 500 images, fewer than --reference-n 256 \+ 2 x --n 128 \(reference, generated and training rows\)/,
    );
  });
});

describe('sanitySplit', () => {
  const splits = [{ name: 'train', count: 4708 }, { name: 'val', count: 524 }, { name: 'test', count: 624 }];
  it('takes test when it holds the rows, else the largest split that does, else test', () => {
    expect(sanitySplit(splits, 600)).toBe('test');
    expect(sanitySplit(splits, 768)).toBe('train');
    expect(sanitySplit(splits, 9000)).toBe('test'); // too large for every split: sanityRows says so
    expect(sanitySplit([{ name: 'all' }], 100)).toBe('all');
  });
});
