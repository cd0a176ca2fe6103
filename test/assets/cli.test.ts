import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assetsCommand } from '../../src/cli/assets.js';
import { GenbenchError } from '../../src/errors.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { useTempDirs } from './fixtures.js';
import { sha256Hex, startServer } from './server.js';

const shared = optionalSharedAssets();
const LABELS = 'datasets/mnist/t10k-labels-idx1-ubyte.gz';

/** Runs `genbench assets ...args` in-process and returns what it printed on stdout. */
async function run(...args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    const program = new Command('genbench').exitOverride().addCommand(assetsCommand().exitOverride());
    await program.parseAsync(['assets', ...args], { from: 'user' });
    return out;
  } catch (e) {
    (e as { stdout?: string }).stdout = out;
    throw e;
  } finally {
    spy.mockRestore();
  }
}

describe.skipIf(!shared)('genbench assets', () => {
  const { tempDir } = useTempDirs();
  afterEach(() => vi.restoreAllMocks());

  it('list --json shows every registry entry with where it is and its check', async () => {
    process.env['GENBENCH_ASSETS'] = shared!;
    process.env['GENBENCH_HOME'] = await tempDir('home');
    const rows = JSON.parse(await run('list', '--json')) as { id: string; status: string; path: string | null }[];
    const by = new Map(rows.map((r) => [r.id, r]));
    expect(rows).toHaveLength(16);
    expect(by.get('datasets/colin27/aal.nii.gz')).toMatchObject({ status: 'ok', checkedBy: 'sha256' });
    expect(by.get('datasets/uci-digits/digits.csv.gz')).toMatchObject({ status: 'ok', checkedBy: 'sha256' });
    expect(by.get('datasets/colin27/ch2bet.nii.gz')).toMatchObject({ status: 'ok', checkedBy: 'sha256' });
    expect(by.get(LABELS)).toMatchObject({ status: 'ok', path: join(shared!, LABELS) });
    expect(by.get('models/mobilenet_v1_0.25_224')).toMatchObject({ status: 'ok' });
    expect(by.get('datasets/mnist/train-images-idx3-ubyte.gz')).toMatchObject({ status: 'missing', path: null });
    expect(by.get('datasets/fashion-mnist/train-images-idx3-ubyte.gz')).toMatchObject({ status: 'ok', checkedBy: 'content-sha256' });
  });

  it('where --json names the home and the asset roots', async () => {
    const home = await tempDir('home');
    process.env['GENBENCH_ASSETS'] = shared!;
    process.env['GENBENCH_HOME'] = home;
    expect(JSON.parse(await run('where', '--json'))).toEqual({ home, assetRoots: [shared], mirror: null, offline: false });
  });

  it('verify fails (CHECK_FAILED) when a local copy does not match', async () => {
    const root = await tempDir('root');
    await mkdir(dirname(join(root, LABELS)), { recursive: true });
    await writeFile(join(root, LABELS), 'garbage');
    process.env['GENBENCH_ASSETS'] = root;
    process.env['GENBENCH_HOME'] = await tempDir('home');
    const e = (await run('verify', LABELS).catch((x: unknown) => x)) as GenbenchError & { stdout: string };
    expect(e).toBeInstanceOf(GenbenchError);
    expect(e.code).toBe('CHECK_FAILED');
    expect(e.exitCode).toBe(1);
    expect(e.message).toContain(join(root, LABELS));
    expect(e.stdout).toMatch(/^mismatch/);
    process.env['GENBENCH_ASSETS'] = shared!;
    expect(await run('verify', LABELS)).toMatch(/^ok .*content-sha256/);
  });

  it('fetch downloads into the home from GENBENCH_MIRROR; unknown ids are a usage error', async () => {
    const body = await readFile(join(shared!, LABELS));
    const server = await startServer(new Map([[`/${LABELS}`, { kind: 'ok', body }]]));
    try {
      const home = await tempDir('home');
      process.env['GENBENCH_ASSETS'] = '';
      process.env['GENBENCH_HOME'] = home;
      process.env['GENBENCH_MIRROR'] = server.base;
      const out = JSON.parse(await run('fetch', '--quiet', '--json', LABELS)) as { path: string; source: string }[];
      expect(out).toEqual([{ id: LABELS, path: join(home, LABELS), source: 'download', sha256: sha256Hex(body) }]);
      expect(sha256Hex(await readFile(join(home, LABELS)))).toBe(sha256Hex(body));
      await expect(run('fetch', 'datasets/nope')).rejects.toMatchObject({ code: 'USAGE' });
    } finally {
      await server.close();
    }
  });
});
