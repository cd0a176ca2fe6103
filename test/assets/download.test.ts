import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveAsset, type AssetSpec } from '../../src/assets/index.js';
import { GenbenchError } from '../../src/errors.js';
import { listTree, useTempDirs } from './fixtures.js';
import { recordingProgress, sha256Hex, startServer, testBytes, type TestServer } from './server.js';

const BODY = testBytes(200_000);
const BAD = BODY.map((b, i) => (i === 1234 ? b ^ 0xff : b)); // same length, one byte flipped
const ID = 'datasets/test/file.bin';

let server: TestServer;
beforeAll(async () => {
  server = await startServer(
    new Map([
      ['/ok/file.bin', { kind: 'ok', body: BODY }],
      ['/bad/file.bin', { kind: 'ok', body: BAD }],
      ['/trunc/file.bin', { kind: 'truncate', body: BODY, sendBytes: 70_000 }],
      ['/short/file.bin', { kind: 'short-chunked', body: BODY, sendBytes: 70_000 }],
      ['/stall/file.bin', { kind: 'stall', body: BODY, sendBytes: 1000 }],
      ['/gone/file.bin', { kind: 'status', status: 404 }],
      ['/mirror/datasets/test/file.bin', { kind: 'ok', body: BODY }],
    ]),
  );
});
afterAll(() => server.close());

function spec(...paths: string[]): AssetSpec {
  return { id: ID, urls: paths.map((p) => `${server.base}${p}`), sha256: sha256Hex(BODY), bytes: BODY.length, about: 'test file' };
}

async function failure(p: Promise<unknown>): Promise<GenbenchError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GenbenchError);
  return e as GenbenchError;
}

describe('download into GENBENCH_HOME', () => {
  const { tempDir } = useTempDirs();

  it('streams, verifies and renames into place, reporting progress over bytes', async () => {
    const home = await tempDir('home');
    const progress = recordingProgress();
    const r = await resolveAsset(ID, { home, roots: [], registry: [spec('/ok/file.bin')], progress });
    expect(r).toMatchObject({ path: join(home, ID), source: 'download', sha256: sha256Hex(BODY), checkedBy: 'sha256' });
    expect(sha256Hex(await readFile(r.path))).toBe(sha256Hex(BODY));
    expect(progress.starts).toEqual([{ total: BODY.length, label: ID }]);
    expect(progress.ticked).toBe(BODY.length);
    expect(progress.stops).toBeGreaterThanOrEqual(1);
    expect(await listTree(join(home, 'datasets/test'))).toEqual(['file.bin']); // no temp file left
    // a second resolve finds it in the home without a request
    const hitsBefore = server.hits.get('/ok/file.bin');
    expect(await resolveAsset(ID, { home, roots: [], registry: [spec('/ok/file.bin')] })).toMatchObject({ source: 'home' });
    expect(server.hits.get('/ok/file.bin')).toBe(hitsBefore);
  });

  it('a response cut short of its Content-Length is a NETWORK error and leaves nothing', async () => {
    const home = await tempDir('home');
    const e = await failure(resolveAsset(ID, { home, roots: [], registry: [spec('/trunc/file.bin')] }));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toContain(ID);
    expect(e.message).toContain('/trunc/file.bin');
    expect(e.message).toMatch(/dropped|truncated/);
    expect(await listTree(join(home, 'datasets/test'))).toEqual([]);
  });

  it('a body shorter than spec.bytes (no Content-Length) is a NETWORK error and leaves nothing', async () => {
    const home = await tempDir('home');
    const e = await failure(resolveAsset(ID, { home, roots: [], registry: [spec('/short/file.bin')] }));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toContain(`got 70000 of the expected ${BODY.length} bytes`);
    expect(await listTree(join(home, 'datasets/test'))).toEqual([]);
  });

  it('a connection that stalls is aborted (GENBENCH_DOWNLOAD_STALL_MS) as a NETWORK error and leaves nothing', async () => {
    const home = await tempDir('home');
    process.env['GENBENCH_DOWNLOAD_STALL_MS'] = '300';
    try {
      const e = await failure(resolveAsset(ID, { home, roots: [], registry: [spec('/stall/file.bin')] }));
      expect(e.code).toBe('NETWORK');
      expect(e.message).toContain('no data for 0.3 s');
    } finally {
      delete process.env['GENBENCH_DOWNLOAD_STALL_MS'];
    }
    expect(await listTree(join(home, 'datasets/test'))).toEqual([]);
  });

  it('a corrupted body is a CHECKSUM error naming both hashes and leaves nothing', async () => {
    const home = await tempDir('home');
    const e = await failure(resolveAsset(ID, { home, roots: [], registry: [spec('/bad/file.bin')] }));
    expect(e.code).toBe('CHECKSUM');
    expect(e.message).toContain(sha256Hex(BAD));
    expect(e.message).toContain(sha256Hex(BODY));
    expect(e.message).not.toContain('\n');
    expect(await listTree(join(home, 'datasets/test'))).toEqual([]);
  });

  it('a 404 on the first mirror falls through to the second', async () => {
    const home = await tempDir('home');
    const r = await resolveAsset(ID, { home, roots: [], registry: [spec('/gone/file.bin', '/ok/file.bin')] });
    expect(r.source).toBe('download');
    expect(sha256Hex(await readFile(r.path))).toBe(sha256Hex(BODY));
  });

  it('names the HTTP status of every failed mirror when all fail', async () => {
    const home = await tempDir('home');
    const e = await failure(resolveAsset(ID, { home, roots: [], registry: [spec('/gone/file.bin', '/trunc/file.bin')] }));
    expect(e.code).toBe('NETWORK');
    expect(e.message).toMatch(/gone\/file\.bin -> HTTP 404.*trunc\/file\.bin -> /);
  });

  it('GENBENCH_MIRROR replaces the official URLs by <mirror>/<id>', async () => {
    const home = await tempDir('home');
    process.env['GENBENCH_MIRROR'] = `${server.base}/mirror/`;
    const official: AssetSpec = { ...spec(), urls: ['https://official.invalid/file.bin'] };
    const r = await resolveAsset(ID, { home, roots: [], registry: [official] });
    expect(r.source).toBe('download');
    expect(server.hits.get('/mirror/datasets/test/file.bin')).toBeGreaterThanOrEqual(1);
  });

  it('concurrent downloads of the same file both succeed with one intact file', async () => {
    const home = await tempDir('home');
    const opts = { home, roots: [], registry: [spec('/ok/file.bin')] };
    const [a, b] = await Promise.all([resolveAsset(ID, opts), resolveAsset(ID, opts)]);
    expect(a.sha256).toBe(sha256Hex(BODY));
    expect(b.sha256).toBe(sha256Hex(BODY));
    expect(await listTree(join(home, 'datasets/test'))).toEqual(['file.bin']);
  });

  it('removes temp files that a killed download left behind, and never writes into an asset root', async () => {
    const home = await tempDir('home');
    const root = await tempDir('root');
    await mkdir(join(home, 'datasets/test'), { recursive: true });
    const stale = join(home, 'datasets/test', '.file.bin.999999999.abcd1234.tmp'); // pid beyond pid_max: dead
    await writeFile(stale, 'partial');
    await resolveAsset(ID, { home, roots: [root], registry: [spec('/ok/file.bin')] });
    expect(await listTree(join(home, 'datasets/test'))).toEqual(['file.bin']);
    expect(await listTree(root)).toEqual([]);
  });

  it('offline and missing: one NOT_FOUND error naming the file, every place and how to provide it', async () => {
    const home = await tempDir('home');
    const root = await tempDir('root');
    const hitsBefore = server.hits.get('/ok/file.bin') ?? 0;
    const e = await failure(resolveAsset(ID, { home, roots: [root], registry: [spec('/ok/file.bin')], offline: true }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(join(root, ID));
    expect(e.message).toContain(join(home, ID));
    expect(e.message).toContain(`download ${server.base}/ok/file.bin into ${join(home, ID)}`);
    expect(e.message).toContain('GENBENCH_ASSETS');
    expect(e.message).not.toContain('\n');
    expect(server.hits.get('/ok/file.bin') ?? 0).toBe(hitsBefore); // no request made
  });

  it('GENBENCH_OFFLINE=1 turns downloads off too', async () => {
    const home = await tempDir('home');
    process.env['GENBENCH_OFFLINE'] = '1';
    const e = await failure(resolveAsset(ID, { home, roots: [], registry: [spec('/ok/file.bin')] }));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain('GENBENCH_OFFLINE');
  });
});
