import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { GenbenchError } from '../errors.js';

/**
 * The one database handle of genbench: an async SQL interface with `?` placeholders, so the same store code runs on
 * the embedded SQLite file (this module) and on PostgreSQL (an adapter translates `?` to `$n`). Store code writes
 * portable SQL only: TEXT / INTEGER / REAL / BIGINT columns, ids generated in JS, `ON CONFLICT ... DO NOTHING /
 * DO UPDATE`, no AUTOINCREMENT, timestamps as ISO text or epoch-ms integers.
 *
 * Parameters are strings, numbers, bigints, null or Buffers (booleans are stored as 0/1 by the caller).
 *
 * @example
 * const sql = openSqlite(':memory:');
 * await sql.exec('CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)');
 * await sql.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);   // { changes: 1 }
 * await sql.get<{ n: number }>('SELECT n FROM t WHERE id = ?', ['a']); // { n: 1 }
 * await sql.transaction(async (tx) => tx.run('UPDATE t SET n = n + 1'));
 * await sql.close();
 */
export type SqlParam = string | number | bigint | null | Buffer;

export interface Sql {
  /** Every row of a query. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  /** An INSERT / UPDATE / DELETE; `changes` is the number of rows it touched. */
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
  /** One or more statements without parameters (schema changes). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in a transaction: committed when it resolves, rolled back when it throws. Use only `tx` inside; the
   * SQLite implementation serialises transactions so concurrent callers cannot interleave their statements.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly dialect: 'sqlite' | 'postgres';
}

/** Options of the SQLite handle. */
export interface SqliteOptions {
  /** Milliseconds a writer waits for a lock held by another connection (default 5000). */
  readonly busyTimeoutMs?: number;
}

/**
 * Opens (creating when needed) a SQLite database file with WAL journaling, foreign keys on and a busy timeout.
 * `':memory:'` gives a private in-memory database (tests).
 */
export function openSqlite(path: string, opts: SqliteOptions = {}): Sql {
  if (path !== ':memory:') {
    checkSqliteFile(path);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (e) {
      throw new GenbenchError('INPUT', `${path}: cannot create the database's folder (${(e as NodeJS.ErrnoException).code ?? e})`);
    }
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(path);
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (e) {
    db?.close();
    if ((e as Error)?.name !== 'SqliteError') throw e;
    throw new GenbenchError('INPUT', `${path}: cannot open as a SQLite database (${(e as Error).message})`, { cause: e });
  }
  return new SqliteSql(db);
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/**
 * A database path must be a SQLite file, an empty file, or not exist yet (it is created); a folder or another kind
 * of file is an INPUT error naming it, before SQLite touches it.
 *
 * @example
 * checkSqliteFile('genbench.db'); // ok when missing or a SQLite file; throws for README.md
 */
export function checkSqliteFile(path: string): void {
  const info = (() => {
    try {
      return statSync(path);
    } catch {
      return null;
    }
  })();
  if (info === null) return;
  if (info.isDirectory()) throw new GenbenchError('INPUT', `${path}: is a folder, not a database file; give a file name such as ${path.replace(/\/+$/, '')}/genbench.db`);
  if (!info.isFile()) throw new GenbenchError('INPUT', `${path}: is not a regular file; give a SQLite database file`);
  if (info.size === 0) return;
  const head = Buffer.alloc(16);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    readSync(fd, head, 0, 16, 0);
  } catch (e) {
    throw new GenbenchError('INPUT', `${path}: cannot read the database file (${(e as NodeJS.ErrnoException).code ?? e})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (head.toString('latin1') !== SQLITE_MAGIC) {
    throw new GenbenchError('INPUT', `${path}: not a SQLite database (its first bytes are not 'SQLite format 3'); give a genbench database file or a new name`);
  }
}

type Db = InstanceType<typeof Database>;

class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, ReturnType<Db['prepare']>>();
  /** Tail of the chain of transactions: each one starts after the previous settles. */
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** The statements of a transaction body (they skip the wait in outsideTransactions). */
  private readonly raw: Sql;

  constructor(private readonly db: Db) {
    const raw: Sql = {
      dialect: 'sqlite',
      all: async <T>(s: string, p: readonly SqlParam[] = []) => this.stmt(s).all(...p) as T[],
      get: async <T>(s: string, p: readonly SqlParam[] = []) => this.stmt(s).get(...p) as T | undefined,
      run: async (s, p = []) => ({ changes: this.stmt(s).run(...p).changes }),
      exec: async (s) => void this.db.exec(s),
      transaction: (fn) => fn(raw),
      close: async () => {
        throw new Error('internal: close() called inside a transaction');
      },
    };
    this.raw = raw;
  }

  private stmt(sql: string): { all(...p: readonly SqlParam[]): unknown[]; get(...p: readonly SqlParam[]): unknown; run(...p: readonly SqlParam[]): { changes: number } } {
    let s = this.cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s as never;
  }

  all<T>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return this.outside(() => this.stmt(sql).all(...params) as T[]);
  }

  get<T>(sql: string, params: readonly SqlParam[] = []): Promise<T | undefined> {
    return this.outside(() => this.stmt(sql).get(...params) as T | undefined);
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
    return this.outside(() => ({ changes: this.stmt(sql).run(...params).changes }));
  }

  exec(sql: string): Promise<void> {
    return this.outside(() => void this.db.exec(sql));
  }

  /**
   * One connection serves everyone, so a statement issued outside a transaction while one is open would join it
   * (and be rolled back with it): such statements wait until no transaction is open, then run synchronously right
   * after that check (so no transaction can begin in between).
   */
  private async outside<T>(fn: () => T): Promise<T> {
    while (this.db.inTransaction) await this.lock;
    return fn();
  }

  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const result = this.lock.then(() => this.inTransaction(fn));
    this.lock = result.catch(() => undefined);
    return result;
  }

  private async inTransaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const value = await fn(this.raw);
      this.db.exec('COMMIT');
      return value;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock;
    this.cache.clear();
    this.db.close();
  }
}
