import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAssetFolder, type AssetSpec } from '../../src/assets/index.js';
import { GenbenchError } from '../../src/errors.js';
import { listTree, useTempDirs } from './fixtures.js';
import { recordingProgress, sha256Hex, startServer, testBytes, type TestServer } from './server.js';

/** A tiny TF.js-like model folder: model.json listing two shards. */
const MODEL_JSON = JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['group1-shard1of1'] }, { paths: ['group2-shard1of1'] }] });
const SHARD1 = testBytes(3000, 1);
const SHARD2 = testBytes(5000, 2);
const ID = 'models/tiny_model';

/** The tree hash written out independently of src/assets: sorted `<sha256>  <name>\n` lines, hashed. */
const TREE = sha256Hex(
  [`${sha256Hex(MODEL_JSON)}  model.json\n`, `${sha256Hex(SHARD1)}  group1-shard1of1\n`, `${sha256Hex(SHARD2)}  group2-shard1of1\n`]
    .sort()
    .join(''),
);

let server: TestServer;
beforeAll(async () => {
  const enc = new TextEncoder().encode(MODEL_JSON);
  server = await startServer(
    new Map([
      ['/good/model.json', { kind: 'ok', body: enc }],
      ['/good/group1-shard1of1', { kind: 'ok', body: SHARD1 }],
      ['/good/group2-shard1of1', { kind: 'ok', body: SHARD2 }],
      ['/bad/model.json', { kind: 'ok', body: enc }],
      ['/bad/group1-shard1of1', { kind: 'ok', body: SHARD1 }],
      ['/bad/group2-shard1of1', { kind: 'ok', body: SHARD1 }], // wrong bytes
      ['/partial/model.json', { kind: 'ok', body: enc }],
      ['/partial/group1-shard1of1', { kind: 'ok', body: SHARD1 }], // group2 is a 404
    ]),
  );
});
afterAll(() => server.close());

const spec = (...dirs: string[]): AssetSpec => ({
  id: ID,
  kind: 'folder',
  urls: dirs.map((d) => `${server.base}/${d}/model.json`),
  treeSha256: TREE,
  about: 'test model',
});

describe('model folder download', () => {
  const { tempDir } = useTempDirs();

  it('fetches model.json and its shards, checks the tree hash and moves the folder into place', async () => {
    const home = await tempDir('home');
    const progress = recordingProgress();
    const r = await resolveAssetFolder(ID, { home, roots: [], registry: [spec('good')], progress });
    expect(r).toMatchObject({ path: join(home, ID), source: 'download', treeSha256: TREE, checkedBy: 'tree-sha256' });
    expect(await listTree(join(home, 'models'))).toEqual(['tiny_model', 'tiny_model/group1-shard1of1', 'tiny_model/group2-shard1of1', 'tiny_model/model.json']);
    expect(await readFile(join(r.path, 'model.json'), 'utf8')).toBe(MODEL_JSON);
    expect(progress.starts).toEqual([{ total: 3, label: ID }]);
    expect(progress.ticked).toBe(3);
    const again = await resolveAssetFolder(ID + '/', { home, roots: [], registry: [spec('good')] });
    expect(again).toMatchObject({ source: 'home', treeSha256: TREE });
  });

  it('a wrong shard is a CHECKSUM error and leaves no folder; the next mirror is tried', async () => {
    const home = await tempDir('home');
    const e = (await resolveAssetFolder(ID, { home, roots: [], registry: [spec('bad')] }).catch((x: unknown) => x)) as GenbenchError;
    expect(e).toBeInstanceOf(GenbenchError);
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toContain(TREE);
    expect(await listTree(join(home, 'models'))).toEqual([]);
    const r = await resolveAssetFolder(ID, { home, roots: [], registry: [spec('bad', 'good')] });
    expect(r.treeSha256).toBe(TREE);
  });

  it('a missing shard is a NETWORK error naming the shard and its status', async () => {
    const home = await tempDir('home');
    const e = (await resolveAssetFolder(ID, { home, roots: [], registry: [spec('partial')] }).catch((x: unknown) => x)) as GenbenchError;
    expect(e.code).toBe('NETWORK');
    expect(e.message).toContain('group2-shard1of1: HTTP 404');
    expect(await listTree(join(home, 'models'))).toEqual([]);
  });
});
