import { describe, expect, it, vi } from 'vitest';
import { DATASETS, getDataset, openDataset } from '../../src/data/index.js';
import { summarizeSplit, pickImages } from '../../src/data/summary.js';
import { datasetsCommand } from '../../src/cli/datasets.js';
import { GenbenchError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();

/** Runs `genbench datasets ...` in-process and returns what it printed on stdout. */
async function datasetsCli(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await datasetsCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
    err.mockRestore();
  }
  return out;
}

describe('dataset registry', () => {
  it('holds the built-in datasets in a frozen map', () => {
    expect([...DATASETS.keys()]).toEqual(['mnist', 'fashion-mnist', 'pneumoniamnist', 'pneumoniamnist-full', 'polygons']);
    expect(Object.isFrozen(DATASETS)).toBe(true);
    for (const ds of DATASETS.values()) {
      expect(ds.splits.length).toBeGreaterThan(0);
      expect(ds.shape).toEqual({ height: 28, width: 28, channels: 1 });
    }
  });

  it('an unknown name is a USAGE error listing the valid ones', async () => {
    expect(() => getDataset('cifar')).toThrow(GenbenchError);
    expect(() => getDataset('cifar')).toThrow(/unknown dataset 'cifar'.*mnist, fashion-mnist, pneumoniamnist, pneumoniamnist-full, polygons/);
    await expect(openDataset('cifar')).rejects.toThrow(/unknown dataset 'cifar'/);
    await expect(openDataset('./no/such/dir')).rejects.toThrow(/no such file or folder/);
  });

  it('an unknown split is a USAGE error listing the splits', async () => {
    await expect(getDataset('polygons').load('val')).rejects.toThrow(/no split 'val'; its splits are train, test/);
  });

  it('summarises a split and picks a seeded sample', async () => {
    const s = await getDataset('polygons').load('test[:400]');
    const sum = summarizeSplit(s, ['3', '4', '5', '6']);
    expect(sum.count).toBe(400);
    expect(sum.labels!.map((l) => l.count).reduce((a, b) => a + b, 0)).toBe(400);
    expect(sum.pixels.max).toBe(255);
    const a = pickImages(s.images, 9, new Rng(5));
    const b = pickImages(s.images, 9, new Rng(5));
    expect(a.n).toBe(9);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(pickImages(s.images, 1000).n).toBe(400);
  });
});

describe.skipIf(!shared)('mnist through the registry', () => {
  it('loads test[:8000] and test[8000:]', async () => {
    const ds = getDataset('mnist');
    const a = await ds.load('test[:8000]', { offline: true });
    const b = await ds.load('test[8000:]', { offline: true });
    expect([a.images.n, b.images.n]).toEqual([8000, 2000]);
    expect(a.source.files.map((f) => f.id)).toEqual(['datasets/mnist/t10k-images-idx3-ubyte.gz', 'datasets/mnist/t10k-labels-idx1-ubyte.gz']);
    expect(await ds.available('test')).toBe(true);
  });

  it('`datasets show mnist --json` reports 10000 images, label counts and that train needs a download', async () => {
    const r = JSON.parse(await datasetsCli(['show', 'mnist', '--json', '--quiet', '--offline']));
    expect(r.count).toBe(10000);
    expect(r.shape).toEqual([28, 28, 1]);
    expect(r.labels.map((l: { count: number }) => l.count)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const train = r.splits.find((s: { name: string }) => s.name === 'train');
    expect(train.count).toBe(60000);
    if (!train.available) expect(train.note).toMatch(/download/);
    expect(r.source.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('datasets CLI', () => {
  it('`datasets show polygons --json` works without assets and writes a grid', async () => {
    const { mkdtemp, rm, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'genbench-grid-'));
    try {
      const grid = join(dir, 'g.png');
      const r = JSON.parse(await datasetsCli(['show', 'polygons', '--split', 'test[:200]', '--grid', grid, '--n', '16', '--seed', '3', '--json', '--quiet']));
      expect(r.count).toBe(200);
      expect(r.split).toBe('test[0:200]');
      expect(r.labels.map((l: { name: string }) => l.name)).toEqual(['3', '4', '5', '6']);
      expect(r.grid).toEqual({ path: grid, n: 16, seed: 3 });
      expect((await stat(grid)).size).toBeGreaterThan(100);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('`datasets list --json` lists every built-in dataset with splits and availability', async () => {
    const rows = JSON.parse(await datasetsCli(['list', '--json']));
    expect(rows.map((r: { name: string }) => r.name)).toEqual([...DATASETS.keys()]);
    const poly = rows.find((r: { name: string }) => r.name === 'polygons');
    expect(poly.splits.every((s: { available: boolean }) => s.available)).toBe(true);
  });

  it('bad flags are USAGE errors', async () => {
    await expect(datasetsCli(['show', 'polygons', '--split', 'test[1:'])).rejects.toThrow(/split 'test\[1:'/);
    await expect(datasetsCli(['show', 'polygons', '--filter', 'lanczos'])).rejects.toThrow(/--filter 'lanczos'/);
  });
});
