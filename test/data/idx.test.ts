import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { parseIdx, readIdx, readIdxPair } from '../../src/data/idx.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();
const MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

/** An IDX file of unsigned bytes with the given dims and data. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  const dv = new DataView(head.buffer);
  dims.forEach((d, i) => dv.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

describe.skipIf(!shared)('MNIST test split from the shared assets', () => {
  it('parses 10000 images of 28x28 with the known label counts', async () => {
    const dir = join(shared!, 'datasets/mnist');
    const { images, labels } = await readIdxPair(join(dir, 't10k-images-idx3-ubyte.gz'), join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect([images.n, images.height, images.width, images.channels]).toEqual([10000, 28, 28, 1]);
    expect(images.data.length).toBe(10000 * 784);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual(MNIST_TEST_COUNTS);
  });

  it('reads the same data from the raw (uncompressed) file', async () => {
    const gz = await readFile(join(shared!, 'datasets/mnist/t10k-labels-idx1-ubyte.gz'));
    expect(parseIdx(gunzipSync(gz), 'raw').data).toEqual(parseIdx(gz, 'gz').data);
  });
});

describe('IDX errors name the file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-idx-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  async function expectInputError(bytes: Uint8Array, file: string, pattern: RegExp): Promise<void> {
    const path = join(dir, file);
    await writeFile(path, bytes);
    const err = await readIdx(path).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(GenbenchError);
    expect((err as GenbenchError).code).toBe('INPUT');
    expect((err as GenbenchError).message).toContain(path);
    expect((err as GenbenchError).message).toMatch(pattern);
  }

  it('parses a small valid file', () => {
    const a = parseIdx(idx([2, 3], Uint8Array.of(1, 2, 3, 4, 5, 6)), 'small');
    expect(a.dims).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects a truncated raw file', async () => {
    const full = idx([4, 2, 2], new Uint8Array(16).fill(7));
    await expectInputError(full.subarray(0, full.length - 5), 'trunc-idx3-ubyte', /truncated/);
  });

  it('rejects a truncated gzip file', async () => {
    const gz = gzipSync(idx([100, 28, 28], new Uint8Array(78400).fill(3)));
    await expectInputError(gz.subarray(0, Math.floor(gz.length / 2)), 'trunc-idx3-ubyte.gz', /gzip/);
  });

  it('rejects a bad magic number', async () => {
    const bad = idx([2], Uint8Array.of(1, 2));
    bad[0] = 0x12;
    await expectInputError(bad, 'bad-magic-idx1-ubyte', /magic/);
  });

  it('rejects a non-byte IDX type and trailing bytes', async () => {
    const f = idx([2], Uint8Array.of(1, 2));
    f[2] = 0x0d; // float
    await expectInputError(f, 'float-idx1', /type 0xd/);
    await expectInputError(idx([2], Uint8Array.of(1, 2, 3)), 'long-idx1', /unexpected bytes/);
  });

  it('rejects label and image files that disagree in count', async () => {
    await writeFile(join(dir, 'i'), idx([2, 2, 2], new Uint8Array(8)));
    await writeFile(join(dir, 'l'), idx([3], new Uint8Array(3)));
    await expect(readIdxPair(join(dir, 'i'), join(dir, 'l'))).rejects.toThrow(/3 labels but .* holds 2 images/);
  });
});
