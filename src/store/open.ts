import { GenbenchError } from '../errors.js';
import { migrate, openStore, type Store } from './index.js';
import { BLOB_MIGRATION, PgBlobStore } from './pg-blobs.js';
import { MIGRATION_LOCK, openPostgres, withAdvisoryLock } from './postgres.js';
import { openSqlite, type Sql } from './sql.js';

/**
 * Picks the database: PostgreSQL when a `postgres://` (or `postgresql://`) URL is given (the CLI passes
 * DATABASE_URL), else the embedded SQLite file `db` (default genbench.db).
 *
 * @example
 * const sql = openSql({ databaseUrl: process.env['DATABASE_URL'], db: 'genbench.db' });
 * sql.dialect; // 'postgres' when DATABASE_URL=postgres://..., else 'sqlite'
 */
export interface OpenSqlOptions {
  readonly db?: string;
  readonly databaseUrl?: string | undefined;
}

export function openSql(o: OpenSqlOptions): Sql {
  const url = o.databaseUrl;
  if (url === undefined || url === '') return openSqlite(o.db ?? 'genbench.db');
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new GenbenchError('USAGE', `DATABASE_URL '${redact(url)}': only postgres:// URLs are supported; unset it to use the SQLite file (--db)`);
  }
  return openPostgres(url);
}

export interface OpenDatabaseOptions extends OpenSqlOptions {
  /** Blob folder (uploaded checkpoints, grids); with PostgreSQL, where the blobs live in the database, this process's local cache of them (each machine its own). */
  readonly dataDir?: string;
}

/**
 * Opens the store on SQLite or PostgreSQL. With PostgreSQL the migrations run under an advisory lock first, so a
 * server and workers that start together do not apply them twice, and the blobs are stored in the database
 * (pg-blobs.ts), `dataDir` being only the local cache of this process. The process that creates the blob tables
 * (an upgrade of a cluster whose blobs were in a shared `dataDir`) copies the blobs found in its `dataDir` in.
 *
 * @example
 * const store = await openDatabase({ databaseUrl: 'postgres://db/genbench', dataDir: '/var/cache/genbench' });
 */
export async function openDatabase(o: OpenDatabaseOptions): Promise<Store> {
  const url = o.databaseUrl;
  if (url === undefined || url === '') return openStore({ ...(o.db === undefined ? {} : { db: o.db }), ...(o.dataDir === undefined ? {} : { dataDir: o.dataDir }) });
  if (o.dataDir === undefined) {
    throw new GenbenchError('USAGE', '--data-dir is required with DATABASE_URL: a local folder for this process\'s cache of the checkpoints and images stored in PostgreSQL (not shared)');
  }
  const sql = openSql(o);
  let applied: string[];
  try {
    applied = await withAdvisoryLock(url, MIGRATION_LOCK, () => migrate(sql));
  } catch (e) {
    await sql.close();
    throw e;
  }
  const store = await openStore({ sql, dataDir: o.dataDir });
  if (applied.includes(BLOB_MIGRATION.id) && store.blobs instanceof PgBlobStore) await store.blobs.importFolder();
  return store;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
