import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BlobStore, defaultDataDir, openSqlite, openStore } from '../../src/store/index.js';
import { storeConformance } from './conformance.js';

storeConformance('sqlite :memory:', async () => openSqlite(':memory:'));

const tmp = mkdtempSync(join(tmpdir(), 'genbench-store-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let fileCount = 0;
storeConformance('sqlite file (WAL)', async () => openSqlite(join(tmp, `db-${fileCount++}.sqlite`)));

describe('sqlite store', () => {
  it('opens a file database in WAL mode with foreign keys and a busy timeout, next to its blob folder', async () => {
    const db = join(tmp, 'wal.db');
    const store = await openStore({ db });
    expect(await store.sql.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await store.sql.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await store.sql.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
    expect(store.blobs.dir).toBe(defaultDataDir(db));
    expect(store.blobs.dir).toBe(join(tmp, 'wal.db.files'));
    await store.close();
    const again = await openStore({ db });
    expect(await again.sql.all('SELECT id FROM schema_migrations')).not.toEqual([]);
    await again.close();
  });

  it('a statement outside a transaction waits for the open one instead of joining it', async () => {
    const sql = openSqlite(':memory:');
    await sql.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = sql.transaction(async (t) => {
      await t.run('INSERT INTO t (id) VALUES (?)', ['in-tx']);
      await gate;
      throw new Error('rollback');
    });
    const outside = sql.run('INSERT INTO t (id) VALUES (?)', ['outside']);
    release();
    await expect(tx).rejects.toThrow('rollback');
    await outside;
    expect(await sql.all('SELECT id FROM t')).toEqual([{ id: 'outside' }]);
    await sql.close();
  });
});

describe('BlobStore', () => {
  it('stores files under their sha256, idempotently, and refuses non-hash names', async () => {
    const blobs = new BlobStore(join(tmp, 'blobs'));
    const src = join(tmp, 'upload.bin');
    writeFileSync(src, 'hello');
    const sha = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';
    expect(await blobs.putFile(src)).toEqual({ sha256: sha, size: 5 });
    expect(readdirSync(tmp)).not.toContain('upload.bin');
    writeFileSync(src, 'hello');
    expect(await blobs.putFile(src, { keep: true })).toEqual({ sha256: sha, size: 5 });
    expect(readdirSync(tmp)).toContain('upload.bin');
    expect(blobs.path(sha)).toBe(join(tmp, 'blobs', '2c', sha));
    expect(await blobs.localPath(sha)).toBe(blobs.path(sha));
    expect(await blobs.stored(sha)).toBe(true);
    expect(readdirSync(join(tmp, 'blobs', '2c'))).toEqual([sha]);
    expect(() => blobs.path('../../etc/passwd')).toThrow(/not a sha256/);
    expect(await blobs.has('../x')).toBe(false);
    await blobs.remove(sha);
    expect(await blobs.has(sha)).toBe(false);
    await expect(blobs.localPath(sha)).rejects.toThrow(`blob ${sha} is not stored`);
  });
});
