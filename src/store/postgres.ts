import pg from 'pg';
import type { Sql, SqlParam } from './sql.js';

/**
 * The PostgreSQL `Sql` handle (DATABASE_URL=postgres://...), on a `pg` connection pool. Store code stays portable:
 * `?` placeholders are rewritten to `$1, $2, ...` (not inside string literals, quoted identifiers or comments);
 * BIGINT and NUMERIC results come back as numbers, as SQLite gives them; bigint parameters are sent as text.
 *
 * Transactions run at SERIALIZABLE isolation on one pooled connection, and a transaction that PostgreSQL aborts
 * for a serialization failure or a deadlock (SQLSTATE 40001, 40P01) is retried from the start (up to 30 times,
 * backing off 2, 4, 8 ... up to 200 ms), so read-modify-write bodies behave as if run one at a time, across
 * processes too, as the SQLite handle guarantees within one. A transaction body may therefore run more than once:
 * keep side effects other than SQL out of it.
 *
 * @example
 * const sql = openPostgres('postgres://genbench@db.internal/genbench');
 * await sql.run('INSERT INTO t (id, n) VALUES (?, ?)', ['a', 1]);              // { changes: 1 }
 * await sql.transaction(async (tx) => tx.get('SELECT n FROM t WHERE id = ?', ['a'])); // { n: 1 }
 * await sql.close();
 */
export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  readonly max?: number;
  /**
   * Told, in one line, each error of an idle pooled connection (the server restarted or dropped it; the pool opens
   * a new one on the next query). Default: the line on stderr.
   */
  readonly log?: (line: string) => void;
  /** Attempts of a transaction aborted by a serialization failure or deadlock (default 30). */
  readonly maxAttempts?: number;
}

const INT8 = 20;
const NUMERIC = 1700;
const RETRY_CODES = new Set(['40001', '40P01']);

const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8 || oid === NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

export function openPostgres(url: string, opts: PostgresOptions = {}): Sql {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, types });
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  pool.on('error', (e) => log(`genbench: PostgreSQL: an idle pooled connection failed (the next query opens a new one): ${e.message.split('\n')[0]}`));
  return new PostgresSql(pool, opts.maxAttempts ?? 30);
}

type Queryable = pg.Pool | pg.PoolClient;

class PostgresSql implements Sql {
  readonly dialect = 'postgres' as const;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxAttempts: number,
  ) {}

  all<T>(sql: string, params?: readonly SqlParam[]): Promise<T[]> {
    return all<T>(this.pool, sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined> {
    return (await all<T>(this.pool, sql, params))[0];
  }

  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }> {
    return run(this.pool, sql, params);
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
          const value = await fn(clientSql(client));
          await client.query('COMMIT');
          return value;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          if (!RETRY_CODES.has((e as { code?: string }).code ?? '') || attempt >= this.maxAttempts) throw e;
          await new Promise((r) => setTimeout(r, Math.min(200, 2 ** attempt)));
        }
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The statements of a transaction body, on its one connection. */
function clientSql(client: pg.PoolClient): Sql {
  const tx: Sql = {
    dialect: 'postgres',
    all: <T>(s: string, p?: readonly SqlParam[]) => all<T>(client, s, p),
    get: async <T>(s: string, p?: readonly SqlParam[]) => (await all<T>(client, s, p))[0],
    run: (s, p) => run(client, s, p),
    exec: async (s) => void (await client.query(s)),
    transaction: (fn) => fn(tx), // nested: joins the open transaction, as with SQLite
    close: async () => {
      throw new Error('internal: close() called inside a transaction');
    },
  };
  return tx;
}

async function all<T>(q: Queryable, sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
  const r = await q.query(toPositional(sql), params.map(toPg));
  return r.rows as T[];
}

async function run(q: Queryable, sql: string, params: readonly SqlParam[] = []): Promise<{ changes: number }> {
  const r = await q.query(toPositional(sql), params.map(toPg));
  return { changes: r.rowCount ?? 0 };
}

function toPg(p: SqlParam): unknown {
  return typeof p === 'bigint' ? p.toString() : p;
}

/**
 * Rewrites `?` placeholders to `$1, $2, ...`, leaving `?` inside '...' literals, "..." identifiers, -- and /* *\/
 * comments alone.
 *
 * @example
 * toPositional("SELECT '?' AS q, a FROM t WHERE a = ? AND b = ?"); // "SELECT '?' AS q, a FROM t WHERE a = $1 AND b = $2"
 */
export function toPositional(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const end = skipQuoted(sql, i);
    if (end > i) {
      out += sql.slice(i, end);
      i = end;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index after a literal, quoted identifier or comment starting at `i`, or `i` when none starts there. */
function skipQuoted(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2; // doubled quote
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (c === '-' && sql[i + 1] === '-') {
    const eol = sql.indexOf('\n', i);
    return eol < 0 ? sql.length : eol;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  return i;
}

/** Advisory lock key of schema migrations ('genb' in ASCII). */
export const MIGRATION_LOCK = 0x67656e62;

/**
 * Runs `fn` while holding a session-level advisory lock on its own connection, so that processes starting together
 * (a server and its workers) apply migrations one after the other; `fn` itself uses the ordinary handle, whose
 * transactions then start after the lock is granted and see the migrations the previous holder applied.
 *
 * @example
 * await withAdvisoryLock(url, MIGRATION_LOCK, () => migrate(sql));
 */
export async function withAdvisoryLock<T>(url: string, key: number, fn: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [key]);
    }
  } finally {
    await client.end();
  }
}
