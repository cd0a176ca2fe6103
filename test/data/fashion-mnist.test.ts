import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assetSpec, clearHashMemo } from '../../src/assets/index.js';
import { datasetsCommand } from '../../src/cli/datasets.js';
import { getDataset } from '../../src/data/index.js';
import { GenbenchError } from '../../src/errors.js';
import { listTree, useTempDirs } from '../assets/fixtures.js';
import { sha256Hex, startServer, type Route, type TestServer } from '../assets/server.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();
const DIR = 'datasets/fashion-mnist';
const FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];
const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

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

describe('fashion-mnist in the registries', () => {
  it('is a built-in dataset with train and test, the 10 class names and its licence', () => {
    const ds = getDataset('fashion-mnist');
    expect(ds.splits.map((s) => [s.name, s.count])).toEqual([
      ['train', 60000],
      ['test', 10000],
    ]);
    expect(ds.classNames).toEqual(CLASSES);
    expect(ds.shape).toEqual({ height: 28, width: 28, channels: 1 });
    expect(ds.license).toMatch(/Zalando Research.*MIT/);
  });

  it('registers its four files at the official bucket, checked by the content hash only', () => {
    for (const f of FILES) {
      const spec = assetSpec(`${DIR}/${f}`)!;
      expect(spec.urls).toEqual([`http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/${f}`]);
      expect(spec.contentSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(spec.sha256).toBeUndefined(); // a file hash would refuse re-compressed copies
    }
  });
});

describe.skipIf(!shared)('fashion-mnist from the shared assets', () => {
  const { tempDir } = useTempDirs();

  it('loads test and train with 1000 / 6000 images of each class, checked by content sha256', async () => {
    const ds = getDataset('fashion-mnist');
    for (const [split, n] of [
      ['test', 10000],
      ['train', 60000],
    ] as const) {
      const s = await ds.load(split, { offline: true });
      expect(s.images).toMatchObject({ n, height: 28, width: 28, channels: 1 });
      const counts = new Array<number>(10).fill(0);
      for (const l of s.labels!) counts[l]! += 1;
      expect(counts).toEqual(new Array<number>(10).fill(n / 10));
      expect(s.source.files.map((f) => f.path)).toEqual([
        join(shared!, DIR, split === 'test' ? FILES[2]! : FILES[0]!),
        join(shared!, DIR, split === 'test' ? FILES[3]! : FILES[1]!),
      ]);
      expect(await ds.available(split)).toBe(true);
    }
  });

  it('every registered content hash is that of the gunzipped shared file', async () => {
    for (const f of FILES) {
      expect(sha256Hex(gunzipSync(await readFile(join(shared!, DIR, f))))).toBe(assetSpec(`${DIR}/${f}`)!.contentSha256);
    }
  });

  it('`datasets list` names it; `datasets show fashion-mnist --grid` writes a PNG grid', async () => {
    const rows = JSON.parse(await datasetsCli(['list', '--json'])) as { name: string; splits: { available: boolean }[] }[];
    const row = rows.find((r) => r.name === 'fashion-mnist')!;
    expect(row.splits.map((s) => s.available)).toEqual([true, true]);
    expect(await datasetsCli(['list'])).toMatch(/^fashion-mnist +28x28x1 +train 60000, test 10000$/m);
    const grid = join(await tempDir('grid'), 'g.png');
    const r = JSON.parse(await datasetsCli(['show', 'fashion-mnist', '--grid', grid, '--n', '16', '--json', '--quiet', '--offline']));
    expect(r.count).toBe(10000);
    expect(r.labels.map((l: { name: string; count: number }) => [l.name, l.count])).toEqual(CLASSES.map((c) => [c, 1000]));
    const png = PNG.sync.read(await readFile(grid));
    expect(png.width).toBeGreaterThanOrEqual(4 * 28 * 2); // 4x4 images at scale 2
    expect((await stat(grid)).size).toBeGreaterThan(1000);
  });
});

describe.skipIf(!shared)('fashion-mnist downloaded from a mirror on 127.0.0.1', () => {
  const { tempDir } = useTempDirs();
  let server: TestServer;
  let labels: Uint8Array;
  let images: Uint8Array;

  beforeAll(async () => {
    images = await readFile(join(shared!, DIR, FILES[2]!));
    labels = await readFile(join(shared!, DIR, FILES[3]!));
    const raw = gunzipSync(labels);
    const corrupt = Uint8Array.from(raw);
    corrupt[500] = (corrupt[500]! + 1) % 10; // one label changed: still valid gzip and IDX
    const routes = new Map<string, Route>([
      [`/shared/${DIR}/${FILES[2]}`, { kind: 'ok', body: images }],
      [`/shared/${DIR}/${FILES[3]}`, { kind: 'ok', body: labels }],
      // the same content compressed differently (as the official files are): different bytes, same payload
      [`/other/${DIR}/${FILES[2]}`, { kind: 'ok', body: gzipSync(gunzipSync(images), { level: 1 }) }],
      [`/other/${DIR}/${FILES[3]}`, { kind: 'ok', body: gzipSync(raw, { level: 1 }) }],
      [`/bad/${DIR}/${FILES[2]}`, { kind: 'ok', body: images }],
      [`/bad/${DIR}/${FILES[3]}`, { kind: 'ok', body: gzipSync(corrupt) }],
    ]);
    server = await startServer(routes);
  });
  afterAll(() => server.close());

  async function freshHome(mirror: string): Promise<string> {
    const home = await tempDir('home');
    process.env['GENBENCH_ASSETS'] = '';
    process.env['GENBENCH_HOME'] = home;
    process.env['GENBENCH_MIRROR'] = `${server.base}/${mirror}`;
    delete process.env['GENBENCH_OFFLINE'];
    clearHashMemo();
    return home;
  }

  it('downloads the test split into GENBENCH_HOME and loads it (shared .gz and a differently compressed copy)', async () => {
    const fileHashes: string[] = [];
    for (const mirror of ['shared', 'other']) {
      const home = await freshHome(mirror);
      const ds = getDataset('fashion-mnist');
      expect(await ds.available('test')).toBe(false);
      const s = await ds.load('test[:100]');
      expect(s.images.n).toBe(100);
      expect(s.source.files.map((f) => f.path)).toEqual([join(home, DIR, FILES[2]!), join(home, DIR, FILES[3]!)]);
      expect(await listTree(join(home, DIR))).toEqual([FILES[2], FILES[3]]);
      expect(await ds.available('test')).toBe(true);
      expect(server.hits.get(`/${mirror}/${DIR}/${FILES[3]}`)).toBe(1);
      fileHashes.push(s.source.files[1]!.sha256);
    }
    expect(new Set(fileHashes).size).toBe(2); // two different .gz files, both accepted by their content
  });

  it('a file whose content was changed is refused with a one-line CHECKSUM error and nothing is saved', async () => {
    const home = await freshHome('bad');
    const e = await getDataset('fashion-mnist')
      .load('test')
      .then(
        () => undefined,
        (x: unknown) => x,
      );
    expect(e).toBeInstanceOf(GenbenchError);
    const err = e as GenbenchError;
    expect(err.code).toBe('CHECKSUM');
    expect(err.message).toContain(`${DIR}/${FILES[3]}`);
    expect(err.message).toContain(assetSpec(`${DIR}/${FILES[3]}`)!.contentSha256!);
    expect(err.message).not.toContain('\n');
    expect(await listTree(join(home, DIR))).toEqual([FILES[2]]); // the good image file stays, the bad labels do not
  });
});
