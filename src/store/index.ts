import { dirname, join, resolve } from 'node:path';
import { ratingMigrations } from '../rating/migrations.js';
import { BlobStore } from './blobs.js';
import { mergeMigrations, runMigrations, type Migration } from './migrations.js';
import { CORE_MIGRATIONS } from './schema.js';
import { openSqlite, type Sql } from './sql.js';

/**
 * The results store: a SQL handle with the schema migrated plus the content-addressed blob folder. With SQLite the
 * blobs live in `<db folder>/<db name>.files/`, next to the database file.
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
  readonly blobs: BlobStore;
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
  /** Blob folder; default beside the db file (`<db>.files`), required with ':memory:' or `sql`. */
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
  return { sql, blobs: new BlobStore(resolve(dataDir)), close: () => sql.close() };
}

/** `<folder of db>/<db file name>.files`. */
export function defaultDataDir(db: string): string {
  const abs = resolve(db);
  return join(dirname(abs), `${abs.slice(dirname(abs).length + 1)}.files`);
}

export { BlobStore, hashFile, isSha256 } from './blobs.js';
export { mergeMigrations, runMigrations, splitStatements, type Migration } from './migrations.js';
export { openSqlite, type Sql, type SqlParam } from './sql.js';
export * from './tokens.js';
export * from './models.js';
export * from './submissions.js';
export * from './evaluations.js';
export * from './register.js';
