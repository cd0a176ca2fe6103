import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobQueue } from '../../src/queue/job-queue.js';
import type { AppDeps } from '../../src/server/app.js';
import { sweepStale } from '../../src/server/evaluate-job.js';
import { acceptSubmission } from '../../src/server/submit.js';
import { claimBlobs, dropClaims, removeUnclaimed } from '../../src/store/blob-claims.js';
import { createToken, openStore, setSubmissionStatus, submissionFiles, type Blobs, type Store } from '../../src/store/index.js';
import { openDatabase } from '../../src/store/open.js';
import { createDatabase, serviceBinaries, startPostgres, type Service } from '../helpers/services.js';

/**
 * Two concurrent uploads of the same bytes, where the one that stored the blobs first fails (over its storage quota)
 * while the other, which found them stored, has not recorded its submission yet: the failed upload must not remove
 * the blobs the other one records. The interleaving is forced with barriers around each upload's blob writes, on
 * SQLite (one server; two processes on one file) and on PostgreSQL (two processes, each with its own blob cache).
 */
const tmp = mkdtempSync(join(tmpdir(), 'genbench-upload-race-'));
const QUOTAS = { maxBytesPerToken: 4000, submissionsPerHour: 0 };
const queue: JobQueue = {
  enqueue: async (job) => ({ id: `job-${job.submissionId}`, deduplicated: false }),
  status: async () => undefined,
  start: () => undefined,
  close: async () => undefined,
};
let fileCount = 0;

/** `g.onnx` (2 KB made from `seed`, never run) and its manifest named `name`, written as fresh upload files. */
function checkpoint(name: string, seed: number): { files: { name: string; path: string }[]; bytes: Map<string, Buffer> } {
  const onnx = Buffer.from(Uint8Array.from({ length: 2048 }, (_, i) => (i * 31 + seed) & 255));
  const sha = createHash('sha256').update(onnx).digest('hex');
  const manifest = Buffer.from(JSON.stringify({ name, format: 'onnx', file: 'g.onnx', input: 'z', latent_dim: 8, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], dataset: 'mnist', sha256: sha }));
  const bytes = new Map<string, Buffer>();
  const files = (
    [
      ['g.onnx', onnx],
      ['g.genbench.json', manifest],
    ] as const
  ).map(([n, data]) => {
    const path = join(tmp, `upload-${fileCount++}`);
    writeFileSync(path, data);
    bytes.set(createHash('sha256').update(data).digest('hex'), data);
    return { name: n, path };
  });
  return { files, bytes };
}

/** A deferred promise. */
function barrier(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** `blobs` whose `afterPut` runs after the `n`-th putFile has stored its bytes (the put resolves after it). */
function gated(blobs: Blobs, n: number, afterPut: () => Promise<void>): Blobs {
  let puts = 0;
  return Object.assign(Object.create(blobs) as Blobs, {
    putFile: async (file: string, opts?: { keep?: boolean }) => {
      const put = await blobs.putFile(file, opts);
      if (++puts === n) await afterPut();
      return put;
    },
  });
}

function deps(store: Store, blobs: Blobs = store.blobs): AppDeps {
  return { store: { ...store, blobs }, queue, quotas: QUOTAS, uploadDir: tmp };
}

/**
 * Token A stores an earlier checkpoint, so the shared upload puts it over its quota; token B stores nothing. A
 * stores the shared blobs first and waits; B then finds them stored, stores its copy and waits until A has failed
 * (and cleaned up); then B records its submission. Returns B's submission id and the shared upload's bytes by sha256.
 */
async function race(storeA: Store, storeB: Store): Promise<{ id: string; bytes: Map<string, Buffer> }> {
  const { info: tokenA } = await createToken(storeA.sql, { name: 'a' });
  const { info: tokenB } = await createToken(storeA.sql, { name: 'b' });
  await acceptSubmission(deps(storeA), { files: checkpoint('earlier', 1).files, tokenId: tokenA.id });
  const shared = checkpoint('shared', 2);
  const forB = checkpoint('shared', 2).files;
  const aStored = barrier();
  const bStored = barrier();
  const aDone = barrier();
  const a = acceptSubmission(deps(storeA, gated(storeA.blobs, 2, async () => (aStored.open(), bStored.promise))), { files: shared.files, tokenId: tokenA.id }).finally(() => aDone.open());
  await aStored.promise;
  const b = acceptSubmission(deps(storeB, gated(storeB.blobs, 2, async () => (bStored.open(), aDone.promise))), { files: forB, tokenId: tokenB.id });
  await expect(a).rejects.toMatchObject({ status: 413 });
  const accepted = await b;
  expect(accepted).toMatchObject({ status: 'queued', deduplicated: false });
  return { id: accepted.id, bytes: shared.bytes };
}

/** Every file of submission `id` is stored and reads back as the uploaded bytes; no claim is left. */
async function expectStored(store: Store, id: string, bytes: Map<string, Buffer>): Promise<void> {
  const files = await submissionFiles(store.sql, id);
  expect(files.map((f) => f.sha256).sort()).toEqual([...bytes.keys()].sort());
  for (const f of files) {
    expect(await store.blobs.has(f.sha256), f.name).toBe(true);
    expect(readFileSync(await store.blobs.localPath(f.sha256)).equals(bytes.get(f.sha256)!), f.name).toBe(true);
  }
  expect(await store.sql.get('SELECT COUNT(*) AS n FROM blob_claims')).toEqual({ n: 0 });
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a failed upload and a concurrent upload of the same bytes (SQLite)', () => {
  it('one server: the failed upload leaves the blobs the other one records', async () => {
    const store = await openStore({ db: join(tmp, 'one.db') });
    const { id, bytes } = await race(store, store);
    await expectStored(store, id, bytes);
    await store.close();
  });

  it('two processes on one database file: the same', async () => {
    const db = join(tmp, 'two.db');
    const [a, b] = [await openStore({ db }), await openStore({ db })];
    const { id, bytes } = await race(a!, b!);
    await expectStored(a!, id, bytes);
    await a!.close();
    await b!.close();
  });

  it('an upload that fails alone leaves neither blobs nor claims behind', async () => {
    const store = await openStore({ db: join(tmp, 'alone.db') });
    const { info } = await createToken(store.sql, { name: 'a' });
    await acceptSubmission(deps(store), { files: checkpoint('earlier', 3).files, tokenId: info.id });
    const over = checkpoint('over', 4);
    await expect(acceptSubmission(deps(store), { files: over.files, tokenId: info.id })).rejects.toMatchObject({ status: 413 });
    for (const sha of over.bytes.keys()) expect(await store.blobs.stored(sha)).toBe(false);
    expect(await store.sql.get('SELECT COUNT(*) AS n FROM blob_claims')).toEqual({ n: 0 });
    await store.close();
  });

  it('removeUnclaimed keeps a blob that a files row or another claim refers to', async () => {
    const store = await openStore({ db: join(tmp, 'claims.db') });
    const shas = await Promise.all(['recorded', 'claimed', 'alone'].map(async (s) => (await store.blobs.putBytes(Buffer.from(s))).sha256));
    const [recorded, claimed, alone] = shas as [string, string, string];
    await store.sql.run('INSERT INTO files (sha256, size, created_at) VALUES (?, ?, ?)', [recorded, 8, new Date().toISOString()]);
    expect(await claimBlobs(store.sql, store.blobs, 'other', [claimed])).toEqual(new Set([claimed]));
    expect(await claimBlobs(store.sql, store.blobs, 'mine', [...shas, alone])).toEqual(new Set(shas));
    expect(await removeUnclaimed(store.sql, store.blobs, 'mine', shas)).toEqual([alone]);
    expect(await Promise.all(shas.map((s) => store.blobs.stored(s)))).toEqual([true, true, false]);
    expect(await store.sql.all('SELECT sha256, claim FROM blob_claims')).toEqual([{ sha256: claimed, claim: 'other' }]);
    await store.close();
  });

  it("a failed submission's unshared blobs stay while an upload in flight claims them", async () => {
    const store = await openStore({ db: join(tmp, 'failed.db') });
    const { info } = await createToken(store.sql, { name: 'a' });
    const upload = checkpoint('broken', 5);
    const { id } = await acceptSubmission(deps(store), { files: upload.files, tokenId: info.id });
    await setSubmissionStatus(store.sql, id, 'failed', { error: 'evaluation failed' });
    const [onnx, manifest] = [...upload.bytes.keys()] as [string, string];
    expect(await claimBlobs(store.sql, store.blobs, 'in-flight', [onnx])).toEqual(new Set([onnx])); // the same checkpoint, another manifest
    expect(await sweepStale(store, [])).toEqual({ blobs: 1, folders: 0, claims: 0 });
    expect([await store.blobs.stored(onnx), await store.blobs.stored(manifest)]).toEqual([true, false]);
    await dropClaims(store.sql, 'in-flight'); // that upload failed too
    await sweepStale(store, []);
    expect(await store.blobs.stored(onnx)).toBe(false);
    await store.close();
  });

  it('the start-up sweep drops claims older than its cutoff, with the blobs only they kept', async () => {
    const store = await openStore({ db: join(tmp, 'stale-claims.db') });
    const shas = await Promise.all(['left', 'shared', 'recorded', 'fresh'].map(async (s) => (await store.blobs.putBytes(Buffer.from(s))).sha256));
    const [left, shared, recorded, fresh] = shas as [string, string, string, string];
    await store.sql.run('INSERT INTO files (sha256, size, created_at) VALUES (?, ?, ?)', [recorded, 8, new Date().toISOString()]);
    // an upload that stopped mid-way a day ago claimed four blobs; a live upload claims two of them now
    await claimBlobs(store.sql, store.blobs, 'crashed', [left, shared, recorded, fresh]);
    await store.sql.run('UPDATE blob_claims SET created_at = ? WHERE claim = ?', [new Date(Date.now() - 24 * 3600_000).toISOString(), 'crashed']);
    await claimBlobs(store.sql, store.blobs, 'live', [shared, fresh]);
    expect(await sweepStale(store, [])).toEqual({ blobs: 1, folders: 0, claims: 4 });
    expect(await Promise.all(shas.map((s) => store.blobs.stored(s)))).toEqual([false, true, true, true]);
    expect(await store.sql.all('SELECT claim FROM blob_claims ORDER BY sha256')).toEqual([{ claim: 'live' }, { claim: 'live' }]);
    await store.close();
  });
});

const available = serviceBinaries('postgres');
let server: Service | undefined;
beforeAll(async () => {
  if (available) server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe.skipIf(!available)('a failed upload and a concurrent upload of the same bytes (PostgreSQL)', () => {
  it('two processes, each with its own blob cache: the failed upload leaves the blobs the other one records', async () => {
    const url = await createDatabase(server!, 'upload_race');
    const [a, b] = [await openDatabase({ databaseUrl: url, dataDir: mkdtempSync(join(tmp, 'cache-a-')) }), await openDatabase({ databaseUrl: url, dataDir: mkdtempSync(join(tmp, 'cache-b-')) })];
    try {
      const { id, bytes } = await race(a!, b!);
      await expectStored(b!, id, bytes);
      await expectStored(a!, id, bytes); // fetched from the database into the other cache
    } finally {
      await a!.close();
      await b!.close();
    }
  });
});
