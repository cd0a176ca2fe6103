import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNifti } from '../../src/data/nifti.js';
import { percentiles, planeGeometry, volumeSlices } from '../../src/data/volume-slices.js';
import { niftiBytes, rampValues, writeNifti } from './nifti-fixtures.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-nifti-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('readNifti', () => {
  it('reads a gzipped uint8 volume: dims, sform affine, voxels x fastest', async () => {
    const dims = [4, 5, 3] as const;
    const sform = [[1, 0, 0, -2], [0, 2, 0, -4], [0, 0, 3, 6]];
    await writeNifti(join(dir, 'a.nii.gz'), { dims, values: rampValues(dims), sform });
    const v = await readNifti(join(dir, 'a.nii.gz'));
    expect(v.dims).toEqual([4, 5, 3]);
    expect(v.datatype).toBe('uint8');
    expect(v.affineFrom).toBe('sform');
    expect(v.affine).toEqual(sform);
    expect(Array.from(v.data)).toEqual(rampValues(dims));
    expect(v.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('applies scl_slope / scl_inter and reads big-endian int16', async () => {
    const dims = [3, 2, 2] as const;
    const values = [-5, 0, 7, 300, -300, 1, 2, 3, 4, 5, 6, 7];
    await writeNifti(join(dir, 'b.nii'), { dims, values, datatype: 'int16', slope: 2, inter: -10, bigEndian: true });
    const v = await readNifti(join(dir, 'b.nii'));
    expect(v.littleEndian).toBe(false);
    expect(Array.from(v.data)).toEqual(values.map((x) => 2 * x - 10));
  });

  it('builds the affine from the qform (quaternion, pixdim, qfac) when there is no sform', async () => {
    const s = Math.SQRT1_2; // 90 degrees about z: x -> y, y -> -x
    await writeNifti(join(dir, 'q.nii'), { dims: [2, 2, 2], values: new Array(8).fill(0), pixdim: [2, 3, 4], qform: { b: 0, c: 0, d: s, offset: [10, 20, 30], qfac: -1 } });
    const v = await readNifti(join(dir, 'q.nii'));
    expect(v.affineFrom).toBe('qform');
    const want = [[0, -3, 0, 10], [2, 0, 0, 20], [0, 0, -4, 30]];
    v.affine.forEach((row, r) => row.forEach((x, c) => expect(x).toBeCloseTo(want[r]![c]!, 5)));
  });

  it('refuses a truncated file, a bomb over the byte budget before inflating it, and a 4-D series', async () => {
    const bytes = niftiBytes({ dims: [8, 8, 8], values: new Array(512).fill(1) });
    await writeFile(join(dir, 't.nii.gz'), gzipSync(bytes.subarray(0, 600)));
    await expect(readNifti(join(dir, 't.nii.gz'))).rejects.toThrow(/t\.nii\.gz: truncated: the header declares 8x8x8 uint8 voxels from byte 352 \(864 bytes\) but the file holds 600/);
    const big = niftiBytes({ dims: [2000, 2000, 600], values: [] }).subarray(0, 352); // declares 2.4 GB
    await writeFile(join(dir, 'bomb.nii.gz'), gzipSync(big));
    await expect(readNifti(join(dir, 'bomb.nii.gz'))).rejects.toThrow(/bomb\.nii\.gz: 2000x2000x600 uint8 voxels are 2400000000 bytes, over the limit/);
    const series = niftiBytes({ dims: [2, 2, 2], values: new Array(8).fill(0) });
    new DataView(series.buffer).setInt16(40, 4, true);
    new DataView(series.buffer).setInt16(48, 3, true);
    await writeFile(join(dir, 's.nii'), series);
    await expect(readNifti(join(dir, 's.nii'))).rejects.toThrow(/s\.nii: holds 3 volumes/);
    await writeFile(join(dir, 'x.nii'), new Uint8Array(400));
    await expect(readNifti(join(dir, 'x.nii'))).rejects.toThrow(/x\.nii: not a NIfTI-1 file/);
  });
});

describe('slices', () => {
  it('axial slices: columns along +x, anterior (+y) at the top, windowed to 8 bits', async () => {
    const dims = [3, 2, 2] as const;
    await writeNifti(join(dir, 'r.nii'), { dims, values: rampValues(dims) });
    const v = await readNifti(join(dir, 'r.nii'));
    const g = planeGeometry(v, 'axial');
    expect([g.normal, g.rows, g.cols, g.count]).toEqual([2, 1, 0, 2]);
    const s = volumeSlices(v, g, [1], [0, 255], { height: 2, width: 3, filter: 'area' }, 'stretch');
    // slice z = 1: values x + 10 y + 50; the top row is y = 1
    expect(Array.from(s.data)).toEqual([60, 61, 62, 50, 51, 52]);
    const w = volumeSlices(v, g, [1], [50, 62], { height: 2, width: 3, filter: 'area' }, 'stretch');
    expect(Array.from(w.data)).toEqual([212, 234, 255, 0, 21, 42]);
  });

  it('finds the axial axis of a volume stored in another axis order, and mirrors a flipped axis', () => {
    // voxel axis 0 runs along -z, axis 1 along +x, axis 2 along +y
    const g = planeGeometry({ dims: [5, 6, 7], affine: [[0, 1, 0, 0], [0, 0, 1, 0], [-1, 0, 0, 0]] }, 'axial');
    expect([g.normal, g.cols, g.rows, g.count, g.colsFlipped, g.rowsFlipped]).toEqual([0, 1, 2, 5, false, true]);
  });

  it('percentiles follow numpy linear interpolation (histogram and sorted paths agree)', () => {
    expect(percentiles(Float32Array.of(4, 1, 3, 2), [0, 50, 100, 12.5])).toEqual([1, 2.5, 4, 1.375]);
    const ints = Float32Array.from({ length: 1001 }, (_, i) => (i * 37) % 256);
    const floats = Float32Array.from(ints, (v) => v + 0.25);
    const a = percentiles(ints, [0.5, 50, 99.5]);
    const b = percentiles(floats, [0.5, 50, 99.5]);
    a.forEach((x, i) => expect(b[i]! - 0.25).toBeCloseTo(x, 4));
  });
});
