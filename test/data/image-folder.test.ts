import jpeg from 'jpeg-js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { listImageFiles, openImageFolder } from '../../src/data/image-folder.js';
import { openDataset } from '../../src/data/index.js';
import { parseResize } from '../../src/io/image-codec.js';
import { encodePng } from '../../src/io/png.js';

let root: string;

async function put(rel: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(join(root, rel)), { recursive: true });
  await writeFile(join(root, rel), bytes);
}

/** A w x h RGB PNG filled with one colour. */
const rgbPng = (w: number, h: number, rgb: [number, number, number]): Uint8Array =>
  encodePng(Uint8Array.from({ length: w * h * 3 }, (_, i) => rgb[i % 3]!), w, h, 3);
/** A w x h JPEG filled with one colour. */
const rgbJpeg = (w: number, h: number, rgb: [number, number, number]): Uint8Array =>
  jpeg.encode({ data: Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : rgb[i % 4]!)), width: w, height: h }, 100).data;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'genbench-folder-'));
  // same size, class sub-folders
  await put('same/cat/b.png', rgbPng(8, 8, [255, 0, 0]));
  await put('same/cat/a.jpg', rgbJpeg(8, 8, [0, 0, 255]));
  await put('same/dog/deep/c.PNG', rgbPng(8, 8, [0, 255, 0]));
  await put('same/dog/notes.txt', new TextEncoder().encode('ignored'));
  // mixed sizes, no classes (one file at the root)
  await put('mixed/x.png', rgbPng(8, 8, [100, 100, 100]));
  await put('mixed/sub/y.jpg', rgbJpeg(16, 12, [100, 100, 100]));
  // a corrupt file
  await put('corrupt/ok.png', rgbPng(4, 4, [1, 2, 3]));
  await put('corrupt/broken.png', rgbPng(4, 4, [1, 2, 3]).subarray(0, 30));
  await mkdir(join(root, 'empty'));
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe('image folders', () => {
  it('lists images recursively in byte order of their paths', async () => {
    expect(await listImageFiles(join(root, 'same'))).toEqual(['cat/a.jpg', 'cat/b.png', 'dog/deep/c.PNG']);
  });

  it('labels images by class sub-folder and keeps RGB by default', async () => {
    const ds = await openImageFolder(join(root, 'same'));
    expect(ds.classNames).toEqual(['cat', 'dog']);
    expect(ds.shape).toEqual({ height: 8, width: 8, channels: 3 });
    const s = await ds.load('all');
    expect([...s.labels!]).toEqual([0, 0, 1]);
    const px = (i: number) => [...s.images.data.subarray(i * 192, i * 192 + 3)];
    expect(px(1)).toEqual([255, 0, 0]); // b.png after a.jpg
    expect(px(2)).toEqual([0, 255, 0]);
    expect(Math.abs(px(0)[2]! - 255)).toBeLessThanOrEqual(3); // JPEG blue
    expect(s.source.files).toHaveLength(1);
    expect(s.source.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.source.preprocessing).toMatchObject({ channels: 3 });
  });

  it('converts to gray with BT.601 luma when asked', async () => {
    const s = await (await openImageFolder(join(root, 'same'), { channels: 1 })).load('all');
    expect(s.images.channels).toBe(1);
    expect(s.images.data[64]).toBe(76); // red -> 0.299 * 255
    expect(s.images.data[128]).toBe(150); // green -> 0.587 * 255
  });

  it('rejects mixed sizes without a resize, naming the file and the fix', async () => {
    const err = await openImageFolder(join(root, 'mixed')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenbenchError);
    expect((err as GenbenchError).code).toBe('INPUT');
    expect((err as GenbenchError).message).toMatch(/mixed\/x\.png: image is 8x8 but sub\/y\.jpg is 12x16; pass --resize/);
  });

  it('resizes mixed sizes when asked and records the filter; no labels when a file sits at the root', async () => {
    const ds = await openDataset(join(root, 'mixed'), { resize: parseResize('10x10', 'area'), channels: 1 });
    const s = await ds.load('all');
    expect(ds.classNames).toBeUndefined();
    expect(s.labels).toBeUndefined();
    expect([s.images.n, s.images.height, s.images.width, s.images.channels]).toEqual([2, 10, 10, 1]);
    expect(s.images.data.every((v) => Math.abs(v - 100) <= 2)).toBe(true);
    expect(s.source.preprocessing).toMatchObject({ resize: '10x10', filter: 'area', channels: 1 });
    expect((await ds.load('all[1:]')).images.n).toBe(1);
  });

  it('names a corrupt image file, and reports an empty folder', async () => {
    await expect(openImageFolder(join(root, 'corrupt'))).rejects.toThrow(/broken\.png: corrupt PNG/);
    await expect(openImageFolder(join(root, 'empty'))).rejects.toThrow(/no \.png, \.jpg or \.jpeg files/);
  });
});
