import { zipSync } from 'fflate';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDataset, openDataset } from '../../src/data/index.js';
import { encodeNpy } from '../../src/io/npy.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();

describe.skipIf(!shared)('pneumoniamnist from the shared assets', () => {
  it.each([
    ['train', 2428],
    ['val', 270],
    ['test', 468],
  ])('%s has %i balanced 28x28 images labelled 0/1', async (split, n) => {
    const ds = getDataset('pneumoniamnist');
    expect(await ds.available(split)).toBe(true);
    const s = await ds.load(split, { offline: true });
    expect([s.images.n, s.images.height, s.images.width, s.images.channels]).toEqual([n, 28, 28, 1]);
    expect(s.labels).toHaveLength(n);
    const ones = s.labels!.reduce((a, l) => a + l, 0);
    expect(s.labels!.every((l) => l === 0 || l === 1)).toBe(true);
    expect(ones).toBe(n / 2);
    expect(s.source.files[0]!.sha256).toBe('f36c2b3e34de9d60c5c734118bc6daff281eaf76b67a57d26ad958da948274b0');
  });

  it('slices a split', async () => {
    const s = await getDataset('pneumoniamnist').load('train[-28:]', { offline: true });
    expect(s.split).toBe('train[2400:2428]');
    expect(s.images.n).toBe(28);
  });
});

describe('any .npz following the <split>_images.npy convention', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-npz-'));
    const imgs = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => i);
    await writeFile(
      join(dir, 'gray.npz'),
      zipSync({
        'train_images.npy': encodeNpy(imgs, [5, 4, 3]),
        'train_labels.npy': encodeNpy(Uint8Array.of(0, 2, 1, 2, 0), [5, 1]),
        'test_images.npy': encodeNpy(imgs.slice(0, 24), [2, 4, 3]),
        'test_labels.npy': encodeNpy(Int32Array.of(1, 1), [2]),
      }),
    );
    await writeFile(join(dir, 'rgb.npz'), zipSync({ 'x_images.npy': encodeNpy(new Uint8Array(2 * 2 * 2 * 3), [2, 2, 2, 3]) }, { level: 0 }));
    await writeFile(join(dir, 'float.npz'), zipSync({ 'a_images.npy': encodeNpy(new Float32Array(4), [1, 2, 2]) }));
    await writeFile(join(dir, 'none.npz'), zipSync({ 'foo.npy': encodeNpy(new Uint8Array(4), [4]) }));
    await writeFile(join(dir, 'bad.npz'), Uint8Array.of(1, 2, 3, 4, 5));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads [N,H,W] images with [N,1] and [N] labels', async () => {
    const ds = await openDataset(join(dir, 'gray.npz'));
    expect(ds.splits).toEqual([
      { name: 'train', count: 5 },
      { name: 'test', count: 2 },
    ]);
    expect(ds.shape).toEqual({ height: 4, width: 3, channels: 1 });
    expect(ds.classNames).toEqual(['0', '1', '2']);
    const train = await ds.load('train[1:3]');
    expect([...train.labels!]).toEqual([2, 1]);
    expect(train.images.data[0]).toBe(12);
    expect([...(await ds.load('test')).labels!]).toEqual([1, 1]);
  });

  it('reads [N,H,W,C] images without labels', async () => {
    const ds = await openDataset(join(dir, 'rgb.npz'));
    expect(ds.shape).toEqual({ height: 2, width: 2, channels: 3 });
    expect((await ds.load('x')).labels).toBeUndefined();
  });

  it('gives clear errors for a wrong dtype, no image members, and a non-zip file', async () => {
    await expect(openDataset(join(dir, 'float.npz'))).rejects.toThrow(/a_images\.npy: images must be uint8, got float32/);
    await expect(openDataset(join(dir, 'none.npz'))).rejects.toThrow(/no member named <split>_images\.npy/);
    await expect(openDataset(join(dir, 'bad.npz'))).rejects.toThrow(/bad\.npz: not a valid \.npz/);
  });
});
