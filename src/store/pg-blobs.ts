import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { tempPathFor } from '../io/atomic.js';
import { BlobStore, sha256AndSize, isSha256, type Blobs } from './blobs.js';
import type { Migration } from './migrations.js';
import type { Sql } from './sql.js';

/**
 * Blobs in PostgreSQL, so the server and workers on other machines share checkpoints, grids and rating pools
 * through the database alone. A blob is a `blobs` row (sha256, size, chunk count) and its bytes in `blob_chunks`
 * rows of `CHUNK_BYTES` (bytea), written in one transaction: a blob is visible complete or not at all; putting
 * bytes that are stored already writes nothing. Reads go through a local cache folder (`cacheDir`, laid out like
 * BlobStore, each machine its own): a blob is fetched chunk by chunk into a temp file, its sha256 checked, then
 * renamed in; the database is asked first every time, so a removed blob is never served from a cache.
 * `importFolder` copies a folder of blobs in (openDatabase does it once, when it creates the tables).
 *
 * @example
 * const blobs = new PgBlobStore(sql, '/var/cache/genbench');
 * const { sha256 } = await blobs.putFile('/tmp/upload-1');        // rows in blobs + blob_chunks; the file moves to the cache
 * await blobs.localPath(sha256);                                   // '/var/cache/genbench/7c/7cbe29...' (fetched on another machine)
 */
export class PgBlobStore implements Blobs {
  readonly dir: string;
  private readonly cache: BlobStore;
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(
    private readonly sql: Sql,
    cacheDir: string,
  ) {
    this.cache = new BlobStore(cacheDir);
    this.dir = this.cache.dir;
  }

  path(sha256: string): string {
    return this.cache.path(sha256);
  }

  async stored(sha256: string, tx: Sql = this.sql): Promise<boolean> {
    return isSha256(sha256) && (await tx.get('SELECT sha256 FROM blobs WHERE sha256 = ?', [sha256])) !== undefined;
  }

  async has(sha256: string): Promise<boolean> {
    if (!(await this.stored(sha256))) return false;
    await this.fetch(sha256);
    return true;
  }

  async localPath(sha256: string): Promise<string> {
    if (!(await this.stored(sha256))) throw new GenbenchError('NOT_FOUND', `blob ${String(sha256).slice(0, 64)} is not stored`);
    return this.fetch(sha256);
  }

  async putFile(file: string, opts: { keep?: boolean } = {}): Promise<{ sha256: string; size: number }> {
    const { sha256, size } = await sha256AndSize(file);
    if (!(await this.stored(sha256))) await this.insert(file, sha256, size);
    await this.cache.putFile(file, opts);
    return { sha256, size };
  }

  async putBytes(data: Uint8Array): Promise<{ sha256: string; size: number }> {
    const put = await this.cache.putBytes(data);
    if (!(await this.stored(put.sha256))) await this.insert(this.cache.path(put.sha256), put.sha256, put.size);
    return put;
  }

  /** The rows go in one transaction (`tx`'s when given: nested transactions join it), then the cached copy. */
  async remove(sha256: string, tx: Sql = this.sql): Promise<void> {
    if (!isSha256(sha256)) return;
    await tx.transaction(async (t) => {
      await t.run('DELETE FROM blob_chunks WHERE sha256 = ?', [sha256]);
      await t.run('DELETE FROM blobs WHERE sha256 = ?', [sha256]);
    });
    await this.cache.remove(sha256);
  }

  /**
   * Copies the blobs of the cache folder that the database lacks into it (each checked against its name first):
   * the upgrade of a cluster whose blobs lived in a shared folder. Returns how many were copied.
   */
  async importFolder(): Promise<number> {
    let copied = 0;
    for (const prefix of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const name of await readdir(join(this.dir, prefix)).catch(() => [] as string[])) {
        if (!isSha256(name) || !name.startsWith(prefix) || (await this.stored(name))) continue;
        const file = this.cache.path(name);
        const { sha256, size } = await sha256AndSize(file);
        if (sha256 !== name) continue; // a damaged copy: not imported
        await this.insert(file, sha256, size);
        copied++;
      }
    }
    return copied;
  }

  /** The blob row and its chunks in one transaction; a concurrent put of the same bytes makes this one a no-op. */
  private async insert(file: string, sha256: string, size: number): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const row = await tx.run('INSERT INTO blobs (sha256, size, chunks, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (sha256) DO NOTHING', [sha256, size, new Date().toISOString()]);
      if (row.changes === 0) return;
      let idx = 0;
      let bytes = 0;
      for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
        bytes += (chunk as Buffer).length;
        await tx.run('INSERT INTO blob_chunks (sha256, idx, data) VALUES (?, ?, ?)', [sha256, idx++, chunk as Buffer]);
      }
      if (bytes !== size) throw new GenbenchError('CHECKSUM', `blob ${sha256}: the file changed while it was being stored`);
      await tx.run('UPDATE blobs SET chunks = ? WHERE sha256 = ?', [idx, sha256]);
    });
  }

  /** The cached copy, fetched once per process at a time. */
  private fetch(sha256: string): Promise<string> {
    let p = this.fetching.get(sha256);
    if (p === undefined) {
      p = this.download(sha256).finally(() => this.fetching.delete(sha256));
      this.fetching.set(sha256, p);
    }
    return p;
  }

  private async download(sha256: string): Promise<string> {
    const target = this.cache.path(sha256);
    if (await this.cache.has(sha256)) return target;
    const head = await this.sql.get<{ chunks: number }>('SELECT chunks FROM blobs WHERE sha256 = ?', [sha256]);
    if (head === undefined) throw new GenbenchError('NOT_FOUND', `blob ${sha256} is not stored`);
    await mkdir(dirname(target), { recursive: true });
    const tmp = tempPathFor(target);
    const out = await open(tmp, 'w');
    try {
      for (let idx = 0; idx < Number(head.chunks); idx++) {
        const row = await this.sql.get<{ data: Buffer }>('SELECT data FROM blob_chunks WHERE sha256 = ? AND idx = ?', [sha256, idx]);
        if (row === undefined) throw new GenbenchError('NOT_FOUND', `blob ${sha256}: chunk ${idx} is missing (removed while it was read?)`);
        await out.write(row.data);
      }
    } catch (e) {
      await out.close();
      await rm(tmp, { force: true });
      throw e;
    }
    await out.close();
    const put = await this.cache.putFile(tmp); // hashes it, renames it in
    if (put.sha256 !== sha256) {
      await this.cache.remove(put.sha256);
      throw new GenbenchError('CHECKSUM', `blob ${sha256}: the bytes read from the database hash to ${put.sha256}`);
    }
    return target;
  }
}

/** Bytes per `blob_chunks` row. */
export const CHUNK_BYTES = 4 * 2 ** 20;

/** The tables of PgBlobStore; on SQLite nothing (its blobs stay in the folder beside the database). */
export const BLOB_MIGRATION: Migration = {
  id: '0008-core-blob-chunks',
  up: async (sql) => {
    if (sql.dialect !== 'postgres') return;
    await sql.exec(`CREATE TABLE blobs (
      sha256 TEXT PRIMARY KEY,
      size BIGINT NOT NULL,
      chunks INTEGER NOT NULL,
      created_at TEXT NOT NULL
    )`);
    await sql.exec(`CREATE TABLE blob_chunks (
      sha256 TEXT NOT NULL REFERENCES blobs (sha256) ON DELETE CASCADE,
      idx INTEGER NOT NULL,
      data BYTEA NOT NULL,
      PRIMARY KEY (sha256, idx)
    )`);
  },
};
