import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_MIGRATIONS, BlobStore, runMigrations } from '../../src/store/index.js';
import { BLOB_MIGRATION, CHUNK_BYTES, PgBlobStore } from '../../src/store/pg-blobs.js';
import { openDatabase, openSql } from '../../src/store/open.js';
import { openPostgres, toPositional } from '../../src/store/postgres.js';
import { createDatabase, serviceBinaries, startPostgres, type Service } from '../helpers/services.js';
import { storeConformance } from './conformance.js';

/**
 * The store conformance suite on a real PostgreSQL 15 (its own server in a temp folder, test/helpers/services.ts):
 * each test gets a fresh database. Skipped outside CI when the Debian binaries are missing; fails in CI.
 */
const available = serviceBinaries('postgres');
let server: Service | undefined;
let dbCount = 0;

beforeAll(async () => {
  if (!available) return;
  server = await startPostgres();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** A new empty database on the test server; its URL. */
async function freshDatabase(): Promise<string> {
  return createDatabase(server!, `conformance_${dbCount++}`);
}

describe.skipIf(!available)('postgres', () => {
  storeConformance('postgres 15', async () => openPostgres(await freshDatabase()));

  it('rewrites ? to $n outside literals, quoted identifiers and comments', () => {
    expect(toPositional(`SELECT '?', "a?" FROM t -- why?\nWHERE a = ? /* ? */ AND b = 'it''s ?' AND c = ?`)).toBe(
      `SELECT '?', "a?" FROM t -- why?\nWHERE a = $1 /* ? */ AND b = 'it''s ?' AND c = $2`,
    );
  });

  it('returns BIGINT, COUNT and NUMERIC as numbers, and accepts bigint parameters', async () => {
    const sql = openPostgres(await freshDatabase());
    await sql.exec('CREATE TABLE f (id TEXT PRIMARY KEY, size BIGINT NOT NULL)');
    await sql.run('INSERT INTO f (id, size) VALUES (?, ?), (?, ?)', ['a', 5_000_000_000n, 'b', 7]);
    expect(await sql.get('SELECT COUNT(*) AS n, SUM(size) AS total FROM f')).toEqual({ n: 2, total: 5_000_000_007 });
    expect(await sql.get('SELECT size FROM f WHERE id = ?', ['a'])).toEqual({ size: 5_000_000_000 });
    await sql.close();
  });

  it('logs an idle pooled connection that the server dropped, and carries on with a new one', async () => {
    const url = await freshDatabase();
    const lines: string[] = [];
    const sql = openPostgres(url, { log: (line) => lines.push(line) });
    const { pid } = (await sql.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!; // now idle in the pool
    const admin = openPostgres(url);
    await admin.get('SELECT pg_terminate_backend(?) AS ok', [pid]);
    await admin.close();
    for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^genbench: PostgreSQL: an idle pooled connection failed \(the next query opens a new one\): terminating connection/);
    expect(await sql.get('SELECT 1 AS one')).toEqual({ one: 1 });
    await sql.close();
  });

  it('openDatabase migrates once when several processes open the same database together', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all([0, 1, 2].map(() => openDatabase({ databaseUrl: url, dataDir: server!.dir })));
    const rows = await stores[0]!.sql.all<{ id: string }>('SELECT id FROM schema_migrations ORDER BY id');
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    expect(stores[0]!.sql.dialect).toBe('postgres');
    for (const s of stores) await s.close();
  });

  it('keeps blobs in the database in 4 MiB chunks, read on another machine through its own cache, removed everywhere', async () => {
    const url = await freshDatabase();
    const dirs = [0, 1, 2].map((i) => mkdtempSync(join(tmpdir(), `genbench-pgblobs-${i}-`)));
    const [a, b] = await Promise.all([openDatabase({ databaseUrl: url, dataDir: dirs[0]! }), openDatabase({ databaseUrl: url, dataDir: dirs[1]! })]);
    expect(a!.blobs).toBeInstanceOf(PgBlobStore);
    const bytes = Buffer.alloc(2 * CHUNK_BYTES + 12345);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i * 2654435761 >>> 0, i);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const src = join(dirs[2]!, 'upload.bin');
    writeFileSync(src, bytes);
    expect(await a!.blobs.putFile(src)).toEqual({ sha256: sha, size: bytes.length });
    expect(await a!.sql.all('SELECT idx, LENGTH(data) AS n FROM blob_chunks WHERE sha256 = ? ORDER BY idx', [sha])).toEqual([
      { idx: 0, n: CHUNK_BYTES },
      { idx: 1, n: CHUNK_BYTES },
      { idx: 2, n: 12345 },
    ]);
    expect(await b!.blobs.stored(sha)).toBe(true);
    const copy = await b!.blobs.localPath(sha); // the other "machine": fetched from the database into its own folder
    expect(copy.startsWith(dirs[1]!)).toBe(true);
    expect(readFileSync(copy).equals(bytes)).toBe(true);
    expect((await a!.blobs.putBytes(bytes)).sha256).toBe(sha); // stored already: nothing written twice
    expect(await a!.sql.get('SELECT COUNT(*) AS n FROM blobs')).toEqual({ n: 1 });
    await a!.blobs.remove(sha);
    expect(await b!.blobs.has(sha)).toBe(false); // its cached copy is not served once the database has none
    await expect(b!.blobs.localPath(sha)).rejects.toThrow(`blob ${sha} is not stored`);
    expect(await a!.sql.get('SELECT COUNT(*) AS n FROM blob_chunks')).toEqual({ n: 0 });
    for (const s of [a!, b!]) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('copies the blobs of the data folder in when it creates the blob tables (an upgrade from a shared folder)', async () => {
    const url = await freshDatabase();
    const old = openPostgres(url);
    await runMigrations(old, ALL_MIGRATIONS.filter((m) => m.id < BLOB_MIGRATION.id || m.id >= '0100'));
    await old.close();
    const dir = mkdtempSync(join(tmpdir(), 'genbench-pgblobs-old-'));
    const { sha256 } = await new BlobStore(dir).putBytes(Buffer.from('a checkpoint of the shared-folder days'));
    const store = await openDatabase({ databaseUrl: url, dataDir: dir });
    expect(await store.blobs.stored(sha256)).toBe(true);
    expect(await store.sql.get('SELECT size, chunks FROM blobs WHERE sha256 = ?', [sha256])).toEqual({ size: 38, chunks: 1 });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks PostgreSQL for postgres:// URLs, SQLite otherwise, and refuses other schemes in one line', async () => {
    const sql = openSql({ databaseUrl: server!.url });
    expect(sql.dialect).toBe('postgres');
    await sql.close();
    const lite = openSql({ db: ':memory:' });
    expect(lite.dialect).toBe('sqlite');
    await lite.close();
    expect(() => openSql({ databaseUrl: 'mysql://u:secret@h/db' })).toThrow(/^DATABASE_URL 'mysql:\/\/u:\*\*\*@h\/db': only postgres:\/\/ URLs are supported/);
    await expect(openDatabase({ databaseUrl: server!.url })).rejects.toThrow(/--data-dir is required with DATABASE_URL/);
  });
});
