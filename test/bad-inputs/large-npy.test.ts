import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy, readNpyHeader } from '../../src/io/npy.js';
import { npyHeader } from './files.js';

/**
 * .npy files over 2 GiB (where a single readFile fails with ERR_FS_FILE_TOO_LARGE): the header is read alone, the
 * data in chunks. The file is sparse (extended with truncate), so it costs no disk, only the 2 GiB array in memory.
 */
describe('a .npy file over 2 GiB', () => {
  let dir: string;
  let path: string;
  const rows = 2 ** 21 + 3;
  const cols = 1024; // uint8: 2 GiB + 3 KiB of data
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-large-npy-'));
    path = join(dir, 'big.npy');
    const header = npyHeader([rows, cols]);
    const fh = await open(path, 'w');
    try {
      await fh.write(header, 0, header.length, 0);
      await fh.truncate(header.length + rows * cols);
      // a marker at the very end: the chunked read must place the last bytes correctly
      await fh.write(Uint8Array.of(7, 9), 0, 2, header.length + rows * cols - 2);
    } finally {
      await fh.close();
    }
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('gives its header without reading the data', async () => {
    const h = await readNpyHeader(path);
    expect(h).toMatchObject({ dtype: 'uint8', shape: [rows, cols], count: rows * cols, dataBytes: rows * cols });
  });

  it('reads it whole, in chunks', async () => {
    const a = await readNpy(path);
    expect(a.shape).toEqual([rows, cols]);
    expect(a.data.length).toBe(rows * cols);
    expect([a.data[0], a.data[a.data.length - 2], a.data[a.data.length - 1]]).toEqual([0, 7, 9]);
  }, 120_000);

  it('says truncated, from the header and the file size, when data is missing', async () => {
    const cut = join(dir, 'cut.npy');
    const header = npyHeader([rows, cols]);
    const fh = await open(cut, 'w');
    try {
      await fh.write(header, 0, header.length, 0);
      await fh.truncate(header.length + 1000);
    } finally {
      await fh.close();
    }
    await expect(readNpy(cut)).rejects.toThrow(/cut\.npy: truncated: header says 2097155x1024 uint8 \(2147486720 bytes\) but 1000 bytes follow/);
  });
});
