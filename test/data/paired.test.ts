import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPairs } from '../../src/data/paired.js';
import { colin27T1Bet, openTask } from '../../src/data/paired-tasks.js';
import { readNifti } from '../../src/data/nifti.js';
import { encodeNpy } from '../../src/io/npy.js';
import { encodePngAs } from '../../src/io/png.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { rampValues, writeNifti } from './nifti-fixtures.js';

const shared = optionalSharedAssets();
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-paired-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const npz = (members: Record<string, Uint8Array>) => zipSync(members, { level: 0 });

describe('paired .npz and folders', () => {
  it('reads source/target arrays (uint8, or float with a stated range) and slices them as pairs', async () => {
    const s = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i);
    const t = Uint8Array.from(s, (v) => 255 - v);
    await writeFile(join(dir, 'u8.npz'), npz({ 'source.npy': encodeNpy(s, [4, 3, 3]), 'target.npy': encodeNpy(t, [4, 3, 3]) }));
    const p = await openPairs(join(dir, 'u8.npz'));
    expect(p.splits).toEqual([{ name: 'all', count: 4 }]);
    const sl = await p.load('all[1:3]');
    expect(sl.split).toBe('all[1:3]');
    expect(Array.from(sl.source.data.slice(0, 2))).toEqual([9, 10]);
    expect(Array.from(sl.target.data.slice(0, 2))).toEqual([246, 245]);
    expect(sl.source.range).toEqual([0, 255]);
    const f = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i / 24);
    await writeFile(join(dir, 'f.npz'), npz({ 'source.npy': encodeNpy(f, [2, 2, 2, 3]), 'target.npy': encodeNpy(f, [2, 2, 2, 3]) }));
    await expect(openPairs(join(dir, 'f.npz'))).rejects.toThrow(/source and target are float32; state their value range with --pairs-range/);
    expect((await (await openPairs(join(dir, 'f.npz'), { range: [0, 1] })).load('all')).source.channels).toBe(3);
    await expect(openPairs(join(dir, 'f.npz'), { range: [0, 0.5] })).rejects.toThrow(/f\.npz:source: value 0\.5416.* is outside the stated range \[0, 0\.5\]/);
  });

  it('names the file for a missing array, an N mismatch and a shape mismatch', async () => {
    await writeFile(join(dir, 'none.npz'), npz({ 'images.npy': encodeNpy(new Uint8Array(4), [1, 2, 2]) }));
    await expect(openPairs(join(dir, 'none.npz'))).rejects.toThrow(/none\.npz: no array 'source'; save the pairs with np\.savez/);
    await writeFile(join(dir, 'n.npz'), npz({ 'source.npy': encodeNpy(new Uint8Array(8), [2, 2, 2]), 'target.npy': encodeNpy(new Uint8Array(12), [3, 2, 2]) }));
    await expect(openPairs(join(dir, 'n.npz'))).rejects.toThrow(/n\.npz: source holds 2 images but target 3/);
    await writeFile(join(dir, 'hw.npz'), npz({ 'source.npy': encodeNpy(new Uint8Array(8), [2, 2, 2]), 'target.npy': encodeNpy(new Uint8Array(18), [2, 3, 3]) }));
    await expect(openPairs(join(dir, 'hw.npz'))).rejects.toThrow(/hw\.npz: source images are 2x2 but target images 3x3/);
  });

  it('pairs folder files by name and names an unpaired file', async () => {
    const root = join(dir, 'pairs');
    for (const side of ['source', 'target']) {
      await mkdir(join(root, side), { recursive: true });
      for (const name of ['b.png', 'a.png']) await writeFile(join(root, side, name), encodePngAs(new Uint8Array(4).fill(side === 'source' ? name.charCodeAt(0) : 7), 2, 2, 1));
    }
    const s = await (await openPairs(root)).load('all');
    expect(s.names).toEqual(['a.png', 'b.png']);
    expect(Array.from(s.source.data)).toEqual([97, 97, 97, 97, 98, 98, 98, 98]);
    expect(s.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    await writeFile(join(root, 'source', 'c.png'), encodePngAs(new Uint8Array(4), 2, 2, 1));
    await expect(openPairs(root)).rejects.toThrow(/source\/c\.png: no file of that name in .*target/);
  });
});

describe('volume tasks', () => {
  const spec = (over: Record<string, unknown> = {}) => ({
    name: 'tiny',
    source: 'a.nii',
    target: 'b.nii.gz',
    plane: 'axial',
    test: { every: 3, offset: 1 },
    size: [4, 4],
    window: { source: { kind: 'percentile', low: 0, high: 100, of: 'source' }, target: { kind: 'range', min: 0, max: 255 } },
    ...over,
  });

  it('slices two volumes on one grid into train and test by the every-k-th rule', async () => {
    const dims = [5, 4, 6] as const;
    await writeNifti(join(dir, 'a.nii'), { dims, values: rampValues(dims), datatype: 'int16' });
    await writeNifti(join(dir, 'b.nii.gz'), { dims, values: rampValues(dims).map((v) => 255 - v) });
    await writeFile(join(dir, 'tiny.json'), JSON.stringify(spec()));
    const task = await openTask(join(dir, 'tiny.json'));
    const test = await task.load('test');
    const train = await task.load('train');
    expect(test.names).toEqual(['slice 1', 'slice 4']);
    expect(train.names).toEqual(['slice 0', 'slice 2', 'slice 3', 'slice 5']);
    expect([test.source.height, test.source.width, test.source.channels]).toEqual([4, 4, 1]);
    expect(test.preprocessing).toMatchObject({ plane: 'axial', normalAxis: 2, sourceWindow: '0..284', targetWindow: '0..255', fit: 'pad-square' });
  });

  it('refuses volumes on different grids or affines with one line naming both files', async () => {
    await writeNifti(join(dir, 'c.nii'), { dims: [5, 4, 7], values: rampValues([5, 4, 7]) });
    await writeNifti(join(dir, 'd.nii'), { dims: [5, 4, 6], values: rampValues([5, 4, 6]), sform: [[1, 0, 0, 0.5], [0, 1, 0, 0], [0, 0, 1, 0]] });
    await writeFile(join(dir, 'grid.json'), JSON.stringify(spec({ target: 'c.nii' })));
    await expect((await openTask(join(dir, 'grid.json'))).load('test')).rejects.toThrow(/c\.nii: grid 5x4x7 differs from .*a\.nii \(5x4x6\); a volume pair needs one grid/);
    await writeFile(join(dir, 'affine.json'), JSON.stringify(spec({ target: 'd.nii' })));
    await expect((await openTask(join(dir, 'affine.json'))).load('test')).rejects.toThrow(/d\.nii: affine \[1 0 0 0\.5; .*\] differs from .*a\.nii .* by up to 0\.500 mm/);
    await writeFile(join(dir, 'bad.json'), JSON.stringify(spec({ plane: 'oblique' })));
    await expect(openTask(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: field 'plane'/);
    await expect(openTask('no-such-task')).rejects.toThrow(/unknown translation task 'no-such-task'; built-in tasks are colin27-t1-bet/);
  });

  it('a labels window keeps integer labels as they are and resizes them with nearest; other values are refused', async () => {
    const dims = [6, 6, 3] as const;
    const labels = Array.from({ length: 6 * 6 * 3 }, (_, i) => (i % 6) ** 2); // label = x^2, x the image column
    await writeNifti(join(dir, 'l-src.nii'), { dims, values: rampValues(dims), datatype: 'int16' });
    await writeNifti(join(dir, 'l.nii'), { dims, values: labels });
    const seg = spec({ source: 'l-src.nii', target: 'l.nii', size: [3, 3], window: { source: { kind: 'range', min: 0, max: 255 }, target: { kind: 'labels' } } });
    await writeFile(join(dir, 'seg.json'), JSON.stringify(seg));
    const s = await (await openTask(join(dir, 'seg.json'))).load('test');
    expect(s.segmentation).toEqual({ labels: 25 });
    // nearest from 6 to 3 columns takes x = 1, 3, 5 (area would blend neighbours into labels 1, 7 and 21)
    expect(Array.from(s.target.data.subarray(0, 9))).toEqual([1, 9, 25, 1, 9, 25, 1, 9, 25]);
    expect(s.preprocessing).toMatchObject({ targetWindow: '0..255', labelFilter: expect.stringMatching(/^nearest/), filter: 'area' });
    await writeNifti(join(dir, 'l-float.nii'), { dims, values: labels.map((v) => v + 0.5), datatype: 'float32' });
    await writeFile(join(dir, 'seg-float.json'), JSON.stringify({ ...seg, target: 'l-float.nii' }));
    await expect((await openTask(join(dir, 'seg-float.json'))).load('test')).rejects.toThrow(/l-float\.nii: voxel 0 holds 0\.5, not a label 0\.\.255; a 'labels' window needs an integer label map/);
  });
});

describe.skipIf(!shared)('colin27-t1-bet on the real volumes', () => {
  it('reads the Colin27 headers and makes 26 test / 104 train pairs whose targets never exceed their sources', async () => {
    const ch2 = await readNifti(join(shared!, 'datasets/colin27/ch2.nii.gz'));
    expect([ch2.dims, ch2.datatype, ch2.affineFrom]).toEqual([[181, 217, 181], 'uint8', 'sform']);
    expect(ch2.affine).toEqual([[1, 0, 0, -90], [0, 1, 0, -125], [0, 0, 1, -71]]);
    expect(colin27T1Bet.splits).toEqual([{ name: 'train', count: 104 }, { name: 'test', count: 26 }]);
    const test = await colin27T1Bet.load('test');
    expect(test.names?.slice(0, 3)).toEqual(['slice 20', 'slice 25', 'slice 30']);
    expect([test.source.n, test.source.height, test.source.width]).toEqual([26, 64, 64]);
    expect(test.preprocessing).toMatchObject({ sourceWindow: '0..178', targetWindow: '0..178', size: '64x64', filter: 'area' });
    // the target is the source masked, windowed alike; area resampling has non-negative weights
    let brain = 0;
    for (let i = 0; i < test.source.data.length; i++) {
      expect(test.target.data[i]!).toBeLessThanOrEqual(test.source.data[i]!);
      if (test.target.data[i]! > 0) brain++;
    }
    expect(brain / test.source.data.length).toBeGreaterThan(0.1);
    expect(test.files.map((f) => f.id)).toEqual(['datasets/colin27/ch2.nii.gz', 'datasets/colin27/ch2bet.nii.gz']);
  });
});
