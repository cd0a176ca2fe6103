import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assetSpec, resolveAsset, resolveAssetFolder, sha256File, verifyFile, type AssetSpec } from '../../src/assets/index.js';
import { GenbenchError } from '../../src/errors.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { useTempDirs } from './fixtures.js';
import { sha256Hex } from './server.js';

const shared = optionalSharedAssets();
const LABELS = 'datasets/mnist/t10k-labels-idx1-ubyte.gz';
const IMAGES = 'datasets/mnist/t10k-images-idx3-ubyte.gz';

async function caught(p: Promise<unknown>): Promise<GenbenchError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(GenbenchError);
  return e as GenbenchError;
}

describe.skipIf(!shared)('verification of the shared assets', () => {
  const { tempDir } = useTempDirs();

  it('accepts the re-gzipped MNIST t10k files by their content hash', async () => {
    for (const id of [IMAGES, LABELS]) {
      const r = await resolveAsset(id, { roots: [shared!], home: await tempDir('home'), offline: true });
      expect(r.source).toBe('assets');
      expect(r.checkedBy).toBe('content-sha256');
      expect(r.sha256).toBe(sha256Hex(await readFile(join(shared!, id))));
      expect(r.sha256).not.toBe(assetSpec(id)!.sha256); // the official gzip differs; only the content matches
    }
  });

  it('a copy whose content differs is a CHECKSUM error naming the file and both hashes', async () => {
    const root = await tempDir('root');
    const bad = join(root, LABELS);
    await mkdir(dirname(bad), { recursive: true });
    const raw = gunzipSync(await readFile(join(shared!, LABELS)));
    raw[100] = (raw[100]! + 1) % 10; // one label changed
    await writeFile(bad, gzipSync(raw));
    const e = await caught(resolveAsset(LABELS, { roots: [root, shared!], home: await tempDir('home'), offline: true }));
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toContain(bad);
    expect(e.message).toContain(sha256Hex(raw)); // gunzipped hash found
    expect(e.message).toContain(assetSpec(LABELS)!.contentSha256!); // and expected
    expect(e.message).toContain(`genbench assets fetch ${LABELS}`);
  });

  it('a file that is not gzip at all fails with a clear reason', async () => {
    const home = await tempDir('home');
    await mkdir(dirname(join(home, LABELS)), { recursive: true });
    await writeFile(join(home, LABELS), 'not a gzip file');
    const e = await caught(resolveAsset(LABELS, { roots: [], home, offline: true }));
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toContain('not valid gzip');
  });

  it('checks the MobileNet folders by their tree hash, ignoring metadata.json', async () => {
    for (const alpha of ['0.75', '0.25']) {
      const r = await resolveAssetFolder(`models/mobilenet_v1_${alpha}_224`, { roots: [shared!], home: await tempDir('home'), offline: true });
      expect(r).toMatchObject({ source: 'assets', checkedBy: 'tree-sha256', treeSha256: assetSpec(`models/mobilenet_v1_${alpha}_224`)!.treeSha256 });
      expect(r.files).toHaveLength(56);
      expect(r.files).not.toContain('metadata.json');
    }
  });

  it('a model folder with a shard missing is a CHECKSUM error naming the shard', async () => {
    const home = await tempDir('home');
    const id = 'models/mobilenet_v1_0.25_224';
    await mkdir(join(home, id), { recursive: true });
    await copyFile(join(shared!, id, 'model.json'), join(home, id, 'model.json'));
    const e = await caught(resolveAssetFolder(id, { roots: [], home, offline: true }));
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toMatch(/missing group1-shard1of1/);
  });
});

describe('verification rules', () => {
  const { tempDir } = useTempDirs();

  it('falls back to md5 when the registry knows no sha256', async () => {
    const dir = await tempDir('md5');
    const path = join(dir, 'f.bin');
    await writeFile(path, 'hello');
    const spec: AssetSpec = { id: 'f.bin', urls: [], md5: '5d41402abc4b2a76b9719d911017c592', about: '' };
    expect(await verifyFile(path, spec)).toEqual({ sha256: sha256Hex('hello'), checkedBy: 'md5' });
    const e = await caught(verifyFile(path, { ...spec, md5: '00000000000000000000000000000000' }));
    expect(e.message).toContain('md5 5d41402abc4b2a76b9719d911017c592 (expected 00000000000000000000000000000000)');
  });

  it('hashes again when a file changes (memo keyed by size and mtime)', async () => {
    const dir = await tempDir('memo');
    const path = join(dir, 'f.bin');
    await writeFile(path, 'one');
    expect(await sha256File(path)).toBe(sha256Hex('one'));
    await rm(path);
    await writeFile(path, 'three');
    expect(await sha256File(path)).toBe(sha256Hex('three'));
  });
});
