import { dirname, join, resolve } from 'node:path';
import { ratingMigrations } from '../rating/migrations.js';
import { BlobStore, type Blobs } from './blobs.js';
import { mergeMigrations, runMigrations, type Migration } from './migrations.js';
import { PgBlobStore } from './pg-blobs.js';
import { CORE_MIGRATIONS } from './schema.js';
import { openSqlite, type Sql } from './sql.js';

/**
 * The results store: a SQL handle with the schema migrated plus the content-addressed blobs. With SQLite the blobs
 * live in `<db folder>/<db name>.files/`, next to the database file; with PostgreSQL they live in the database
 * (pg-blobs.ts) and `dataDir` is this process's local cache of them (no folder is shared between machines).
 *
 * Migrations come from every module that owns tables (ALL_MIGRATIONS: the core tables here, then human rating's
 * `ratingMigrations` from src/rating/migrations.ts); the runner merges them by id.
 *
 * @example
 * const store = await openStore({ db: 'genbench.db' });
 * await createToken(store.sql, { name: 'alice' });
 * await store.close();
 */
export interface Store {
  readonly sql: Sql;
  readonly blobs: Blobs;
  close(): Promise<void>;
}

/** Every migration this build knows, in id order. */
export const ALL_MIGRATIONS: readonly Migration[] = Object.freeze(mergeMigrations(CORE_MIGRATIONS, ratingMigrations));

/** Runs the pending migrations of this build on `sql`; returns the ids applied now. */
export function migrate(sql: Sql, migrations: readonly Migration[] = ALL_MIGRATIONS): Promise<string[]> {
  return runMigrations(sql, migrations);
}

export interface OpenStoreOptions {
  /** SQLite file (created when missing) or ':memory:'. Ignored when `sql` is given. */
  readonly db?: string;
  /** An already open handle (e.g. PostgreSQL); the store takes ownership and closes it. */
  readonly sql?: Sql;
  /** Blob folder (PostgreSQL: the local cache of the blobs in the database); default beside the db file (`<db>.files`), required with ':memory:' or `sql`. */
  readonly dataDir?: string;
}

/** Opens the database, applies pending migrations, and returns the store. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const db = opts.db ?? 'genbench.db';
  const dataDir = opts.dataDir ?? (opts.sql !== undefined || db === ':memory:' ? undefined : defaultDataDir(db));
  if (dataDir === undefined) throw new Error('internal: openStore needs dataDir with an in-memory or external database');
  const sql = opts.sql ?? openSqlite(db);
  try {
    await migrate(sql);
  } catch (e) {
    await sql.close();
    throw e;
  }
  const blobs = sql.dialect === 'postgres' ? new PgBlobStore(sql, resolve(dataDir)) : new BlobStore(resolve(dataDir));
  return { sql, blobs, close: () => sql.close() };
}

/** `<folder of db>/<db file name>.files`. */
export function defaultDataDir(db: string): string {
  const abs = resolve(db);
  return join(dirname(abs), `${abs.slice(dirname(abs).length + 1)}.files`);
}

export { BlobStore, sha256AndSize, isSha256, type Blobs } from './blobs.js';
export { PgBlobStore } from './pg-blobs.js';
export { mergeMigrations, runMigrations, splitStatements, type Migration } from './migrations.js';
export { openSqlite, type Sql, type SqlParam } from './sql.js';
export * from './tokens.js';
export * from './models.js';
export * from './submissions.js';
export * from './evaluations.js';
export * from './register.js';
