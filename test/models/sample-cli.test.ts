import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { readNpy } from '../../src/io/npy.js';
import { optionalSharedAssets, sharedAssets } from '../helpers/assets.js';

const skipWithoutAssets = optionalSharedAssets() === undefined;

/** `genbench sample` end to end on the shared ONNX generators (stdout/stderr captured). */
let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'genbench-sample-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(['node', 'genbench', 'sample', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe.skipIf(skipWithoutAssets)('genbench sample', () => {
  const sub = (name: string): string => join(sharedAssets(), 'fixtures', 'submissions', name);

  it('writes a grid and a uint8 .npy and prints a JSON summary', async () => {
    const grid = join(tmp, 'g.png');
    const npy = join(tmp, 'x.npy');
    const r = await run(['--generator', sub('mnist-cdcgan.onnx'), '--n', '12', '--seed', '3', '--grid', grid, '--out', npy, '--json']);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out) as Record<string, unknown>;
    expect(s).toMatchObject({ model: 'mnist-cdcgan', format: 'onnx', n: 12, seed: 3, shape: [12, 28, 28, 1], range: '[-1,1]', labels: 'i % 10' });
    expect(s['sha256']).toBe('025e9c53c0fe06d5b48af5af7ebf6af6579757714c8a592460f9ebd95ba74add');
    const a = await readNpy(npy);
    expect(a.dtype).toBe('uint8');
    expect(a.shape).toEqual([12, 28, 28, 1]);
    const png = PNG.sync.read(await readFile(grid));
    expect([png.width, png.height]).toEqual([4 * 28 + 5 * 2, 3 * 28 + 4 * 2]);
  });

  it('--class K gives the same images as --labels K,K,...', async () => {
    const a = join(tmp, 'a.npy');
    const b = join(tmp, 'b.npy');
    expect((await run(['--generator', sub('mnist-cdcgan.onnx'), '--n', '4', '--class', '7', '--out', a])).code).toBe(0);
    expect((await run(['--generator', sub('mnist-cdcgan.onnx'), '--labels', '7,7,7,7', '--out', b])).code).toBe(0);
    expect((await readNpy(a)).data).toEqual((await readNpy(b)).data);
  });

  it('user errors exit 2 with one line', async () => {
    const r1 = await run(['--generator', sub('mnist-vae.onnx'), '--class', '3']);
    expect(r1.code).toBe(2);
    expect(r1.err).toMatch(/^genbench: mnist-vae is unconditional/);
    const r2 = await run(['--generator', sub('mnist-cdcgan.onnx'), '--labels', '1,2', '--class', '3']);
    expect(r2.code).toBe(2);
    expect(r2.err.trim().split('\n')).toHaveLength(1);
  });
});
