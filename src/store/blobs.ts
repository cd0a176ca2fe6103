import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../assets/hash.js';
import { GenbenchError } from '../errors.js';
import { tempPathFor, writeFileAtomic } from '../io/atomic.js';
import type { Sql } from './sql.js';

/**
 * Where the store keeps content-addressed bytes (checkpoints, sample grids, panels, curves, rating pools): the
 * folder `BlobStore` below (SQLite, a single machine) or PostgreSQL (`PgBlobStore`, pg-blobs.ts: every process of
 * a cluster reads the same blobs, each through its own local cache). Consumers read a blob through a local file:
 * `localPath` (or `has` and then `path`).
 *
 * @example
 * const { sha256 } = await store.blobs.putFile('/tmp/grid.png');
 * res.sendFile(await store.blobs.localPath(sha256));
 */
export interface Blobs {
  /** The local folder: the blobs themselves (BlobStore) or the cache of the ones in the database (PgBlobStore). */
  readonly dir: string;
  /** True when the blob is stored and readable at `path(sha256)` (PostgreSQL: its local copy is fetched first). */
  has(sha256: string): Promise<boolean>;
  /**
   * True when the blob is stored; fetches nothing. Given `tx`, PgBlobStore asks inside that transaction (so the
   * answer is part of it, as blob-claims.ts needs); the folder BlobStore has no rows and ignores it.
   */
  stored(sha256: string, tx?: Sql): Promise<boolean>;
  /** Stores the bytes of `file` (left in place when `keep`, else moved when possible). */
  putFile(file: string, opts?: { keep?: boolean }): Promise<{ sha256: string; size: number }>;
  /** Stores bytes held in memory. */
  putBytes(data: Uint8Array): Promise<{ sha256: string; size: number }>;
  /**
   * Removes a blob (unknown blobs are ignored). Given `tx`, PgBlobStore deletes its rows inside that transaction
   * (then its local cached copy, a cache only); the folder BlobStore ignores it.
   */
  remove(sha256: string, tx?: Sql): Promise<void>;
  /** A local file with the blob's bytes (fetched first when needed); NOT_FOUND when it is not stored. */
  localPath(sha256: string): Promise<string>;
  /** Where the local file of a blob is (no I/O; it exists after `has` gave true or `localPath` resolved). */
  path(sha256: string): string;
}

/**
 * Content-addressed file storage: a blob's name is its sha256 (lowercase hex), kept at `<dir>/<first 2 hex>/<sha256>`.
 * Names never come from users, so no path traversal or overwrite is possible; putting a blob that exists already is
 * a no-op (the bytes are the same by construction). Writes are atomic (temp file + rename).
 *
 * @example
 * const blobs = new BlobStore('/srv/genbench/data/files');
 * const { sha256, size } = await blobs.putFile('/tmp/upload-123');   // moves or copies the file in
 * blobs.path(sha256);                                                 // '/srv/genbench/data/files/7c/7cbe29...'
 */
export class BlobStore implements Blobs {
  constructor(readonly dir: string) {}

  /** Absolute path of a blob; throws on anything that is not a sha256 (so no user string reaches the filesystem). */
  path(sha256: string): string {
    if (!isSha256(sha256)) throw new Error(`internal: not a sha256: ${JSON.stringify(sha256).slice(0, 80)}`);
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return isSha256(sha256) && (await stat(this.path(sha256)).catch(() => null))?.isFile() === true;
  }

  stored(sha256: string): Promise<boolean> {
    return this.has(sha256);
  }

  async localPath(sha256: string): Promise<string> {
    if (!(await this.has(sha256))) throw new GenbenchError('NOT_FOUND', `blob ${String(sha256).slice(0, 64)} is not stored`);
    return this.path(sha256);
  }

  /** Stores the bytes of `file` (left in place when `keep`, else moved when possible). */
  async putFile(file: string, opts: { keep?: boolean } = {}): Promise<{ sha256: string; size: number }> {
    const { sha256, size } = await sha256AndSize(file);
    const target = this.path(sha256);
    if (await this.has(sha256)) {
      if (opts.keep !== true) await rm(file, { force: true });
      return { sha256, size };
    }
    await mkdir(join(this.dir, sha256.slice(0, 2)), { recursive: true });
    const tmp = tempPathFor(target);
    try {
      if (opts.keep === true) await copyFile(file, tmp);
      else await rename(file, tmp).catch(() => copyFile(file, tmp));
      await link(tmp, target).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e; // a concurrent put of the same bytes won: fine
      });
    } finally {
      await rm(tmp, { force: true });
      if (opts.keep !== true) await rm(file, { force: true });
    }
    return { sha256, size };
  }

  /** Stores bytes held in memory. */
  async putBytes(data: Uint8Array): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (!(await this.has(sha256))) await writeFileAtomic(this.path(sha256), data);
    return { sha256, size: data.byteLength };
  }

  /** Removes a blob (used to clean up after a failed upload; unknown blobs are ignored). */
  async remove(sha256: string): Promise<void> {
    if (isSha256(sha256)) await rm(this.path(sha256), { force: true });
  }
}

export function isSha256(s: unknown): s is string {
  return typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);
}

/** sha256 (streamed, memoised: assets/hash.ts) and byte size of a file. */
export async function sha256AndSize(file: string): Promise<{ sha256: string; size: number }> {
  const [sha256, s] = await Promise.all([sha256File(file), stat(file)]);
  return { sha256, size: s.size };
}
