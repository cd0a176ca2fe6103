import { mkdir, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetRoots, assetSpec, downloadUrls, genbenchHome, placesFor, resolveAsset, resolveAssetFolder } from '../../src/assets/index.js';
import { GenbenchError } from '../../src/errors.js';
import { useTempDirs } from './fixtures.js';
import { sha256Hex } from './server.js';

async function put(root: string, id: string, text: string): Promise<void> {
  await mkdir(dirname(join(root, id)), { recursive: true });
  await writeFile(join(root, id), text);
}

describe('asset lookup', () => {
  const { tempDir } = useTempDirs();

  it('reads GENBENCH_HOME and the GENBENCH_ASSETS list from the environment', async () => {
    const [a, b, home] = [await tempDir('a'), await tempDir('b'), await tempDir('home')];
    process.env['GENBENCH_ASSETS'] = [a, '', b].join(delimiter);
    process.env['GENBENCH_HOME'] = home;
    expect(assetRoots()).toEqual([a, b]);
    expect(genbenchHome()).toBe(home);
    expect(placesFor('datasets/x.bin')).toEqual([
      { path: join(a, 'datasets/x.bin'), source: 'assets' },
      { path: join(b, 'datasets/x.bin'), source: 'assets' },
      { path: join(home, 'datasets/x.bin'), source: 'home' },
    ]);
  });

  it('looks in the asset roots, in order, before the home', async () => {
    const [a, b, home] = [await tempDir('a'), await tempDir('b'), await tempDir('home')];
    process.env['GENBENCH_ASSETS'] = [a, b].join(delimiter);
    process.env['GENBENCH_HOME'] = home;
    const id = 'datasets/extra/notes.txt'; // not in the registry: lookup only
    await put(home, id, 'home copy');
    await put(b, id, 'second root copy');
    await put(a, id, 'first root copy');
    expect(await resolveAsset(id)).toEqual({ path: join(a, id), source: 'assets', sha256: sha256Hex('first root copy'), checkedBy: 'unchecked' });
    await rm(join(a, id));
    expect(await resolveAsset(id)).toMatchObject({ path: join(b, id), source: 'assets' });
    await rm(join(b, id));
    expect(await resolveAsset(id)).toMatchObject({ path: join(home, id), source: 'home', sha256: sha256Hex('home copy') });
  });

  it('an unknown id that is nowhere is NOT_FOUND naming every place', async () => {
    const [a, home] = [await tempDir('a'), await tempDir('home')];
    const e = (await resolveAsset('datasets/nope.bin', { roots: [a], home }).catch((x: unknown) => x)) as GenbenchError;
    expect(e).toBeInstanceOf(GenbenchError);
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(join(a, 'datasets/nope.bin'));
    expect(e.message).toContain(join(home, 'datasets/nope.bin'));
    expect(e.message).toContain('not in the asset registry');
  });

  it('an asset without download URLs says how to provide it', async () => {
    const home = await tempDir('home');
    const e = (await resolveAsset('datasets/pneumoniamnist/pneumoniamnist_balanced.npz', { roots: [], home }).catch((x: unknown) => x)) as GenbenchError;
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(`in ${home}/datasets/pneumoniamnist/`);
  });

  it('file and folder assets are resolved by their own function', async () => {
    await expect(resolveAsset('models/mobilenet_v1_0.25_224', { roots: [], offline: true })).rejects.toMatchObject({ code: 'USAGE' });
    await expect(resolveAssetFolder('datasets/mnist/t10k-images-idx3-ubyte.gz', { roots: [], offline: true })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('the registry keeps MNIST, PneumoniaMNIST and the two MobileNet folders with their official URLs', () => {
    expect(assetSpec('datasets/mnist/train-images-idx3-ubyte.gz')?.urls[0]).toBe('https://storage.googleapis.com/cvdf-datasets/mnist/train-images-idx3-ubyte.gz');
    expect(assetSpec('datasets/pneumoniamnist/pneumoniamnist.npz')).toMatchObject({
      urls: ['https://zenodo.org/records/10519652/files/pneumoniamnist.npz?download=1'],
      md5: '28209eda62fecd6e6a2d98b1501bb15f',
    });
    for (const alpha of ['0.75', '0.25']) {
      const s = assetSpec(`models/mobilenet_v1_${alpha}_224/`);
      expect(s?.kind).toBe('folder');
      expect(s?.treeSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(downloadUrls(s!)).toEqual([`https://storage.googleapis.com/tfjs-models/tfjs/mobilenet_v1_${alpha}_224/model.json`]);
    }
  });

  it('GENBENCH_MIRROR maps an id to <mirror>/<id> (folders to their model.json)', () => {
    process.env['GENBENCH_MIRROR'] = 'http://127.0.0.1:9/a, http://127.0.0.1:9/b/';
    expect(downloadUrls(assetSpec('datasets/mnist/t10k-labels-idx1-ubyte.gz')!)).toEqual([
      'http://127.0.0.1:9/a/datasets/mnist/t10k-labels-idx1-ubyte.gz',
      'http://127.0.0.1:9/b/datasets/mnist/t10k-labels-idx1-ubyte.gz',
    ]);
    expect(downloadUrls(assetSpec('models/mobilenet_v1_0.25_224')!)).toEqual([
      'http://127.0.0.1:9/a/models/mobilenet_v1_0.25_224/model.json',
      'http://127.0.0.1:9/b/models/mobilenet_v1_0.25_224/model.json',
    ]);
  });
});
