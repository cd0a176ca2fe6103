import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { parseSplitExpr, resolveSlice, sliceSplit, splitRowIndices } from '../../src/data/split-spec.js';
import type { DatasetSplit } from '../../src/data/types.js';

function usageError(f: () => unknown, expr: string): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(GenbenchError);
    expect((e as GenbenchError).code).toBe('USAGE');
    expect((e as GenbenchError).message).toContain(`'${expr}'`);
    return;
  }
  throw new Error(`expected a USAGE error for ${expr}`);
}

describe('split expressions', () => {
  it('parses names and Python-style slices', () => {
    expect(parseSplitExpr('test')).toEqual({ name: 'test' });
    expect(parseSplitExpr('test[:8000]')).toEqual({ name: 'test', stop: 8000 });
    expect(parseSplitExpr('test[8000:]')).toEqual({ name: 'test', start: 8000 });
    expect(parseSplitExpr('train[100:200]')).toEqual({ name: 'train', start: 100, stop: 200 });
    expect(parseSplitExpr('val[-10:-2]')).toEqual({ name: 'val', start: -10, stop: -2 });
    expect(parseSplitExpr('all[:]')).toEqual({ name: 'all' });
  });

  it('resolves negative indices as Python does', () => {
    expect(resolveSlice('test[:8000]', 10000)).toEqual({ name: 'test', start: 0, stop: 8000 });
    expect(resolveSlice('test[8000:]', 10000)).toEqual({ name: 'test', start: 8000, stop: 10000 });
    expect(resolveSlice('test[-2000:]', 10000)).toEqual({ name: 'test', start: 8000, stop: 10000 });
    expect(resolveSlice('test[:-1]', 10)).toEqual({ name: 'test', start: 0, stop: 9 });
    expect(resolveSlice('test', 10)).toEqual({ name: 'test', start: 0, stop: 10 });
  });

  it('rejects bad syntax, out-of-range bounds and empty selections, naming the expression', () => {
    for (const bad of ['test[1:2', 'test[a:b]', 'test[1]', '', 'te st', 'test[1:2:3]']) usageError(() => parseSplitExpr(bad), bad);
    usageError(() => resolveSlice('test[:10001]', 10000), 'test[:10001]');
    usageError(() => resolveSlice('test[-10001:]', 10000), 'test[-10001:]');
    usageError(() => resolveSlice('test[5:5]', 10000), 'test[5:5]');
    usageError(() => resolveSlice('test[7:3]', 10000), 'test[7:3]');
  });

  it('slices images and labels together', () => {
    const full: DatasetSplit = {
      images: { data: Uint8Array.from({ length: 10 * 4 }, (_, i) => i), n: 10, height: 2, width: 2, channels: 1 },
      labels: Int32Array.from({ length: 10 }, (_, i) => i),
      split: 'test',
      source: { files: [] },
    };
    const s = sliceSplit(full, 'test[-3:]');
    expect(s.split).toBe('test[7:10]');
    expect(s.images.n).toBe(3);
    expect([...s.labels!]).toEqual([7, 8, 9]);
    expect([...s.images.data.subarray(0, 4)]).toEqual([28, 29, 30, 31]);
    expect(sliceSplit(full, 'test[:]').split).toBe('test');
  });
});

describe('seeded shuffles (name~seed[start:stop])', () => {
  it('parses the seed and keeps it in the canonical text', () => {
    expect(parseSplitExpr('test~0[:8000]')).toEqual({ name: 'test', shuffle: 0, stop: 8000 });
    expect(parseSplitExpr('train~42')).toEqual({ name: 'train', shuffle: 42 });
    expect(() => parseSplitExpr('test~x[:10]')).toThrow(/NAME~SEED/);
    expect(() => parseSplitExpr('test~99999999999')).toThrow(/NAME~SEED/);
  });

  it('gives complementary partitions that are a fixed permutation', () => {
    const a = splitRowIndices('test~0[:80]', 100);
    const b = splitRowIndices('test~0[80:]', 100);
    const all = [...a, ...b].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a]).not.toEqual(Array.from({ length: 80 }, (_, i) => i));
    expect([...splitRowIndices('test~0[:80]', 100)]).toEqual([...a]);
    expect([...splitRowIndices('test~1[:80]', 100)]).not.toEqual([...a]);
    expect([...splitRowIndices('test[10:13]', 100)]).toEqual([10, 11, 12]);
  });

  it('sliceSplit picks the permuted rows with their labels', () => {
    const n = 50;
    const images = { data: Uint8Array.from({ length: n * 4 }, (_, i) => Math.floor(i / 4)), n, height: 2, width: 2, channels: 1 };
    const full = { images, labels: Int32Array.from({ length: n }, (_, i) => i), split: 'test', source: { files: [] } };
    const s = sliceSplit(full, 'test~3[10:20]');
    const rows = splitRowIndices('test~3[10:20]', n);
    expect(s.split).toBe('test~3[10:20]');
    expect([...s.labels!]).toEqual([...rows]);
    expect(s.images.data[4 * 5]).toBe(rows[5]);
  });
});
