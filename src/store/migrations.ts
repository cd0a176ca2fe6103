import { GenbenchError } from '../errors.js';
import type { Sql } from './sql.js';

/**
 * Versioned schema migrations. Each module that owns tables exports an ordered array of migrations; the runner
 * merges them (sorted by id), applies the ones not yet recorded in `schema_migrations`, each in its own transaction,
 * and records it there. Ids sort as text: the core store uses '0001-...' to '0099-...', human rating '0100-rating-...',
 * later modules the next hundred. An applied migration is never edited: add a new one.
 *
 * `up` is either portable SQL (statements separated by `;`, run one by one so both SQLite and PostgreSQL accept
 * them) or a function for dialect-specific work.
 *
 * @example
 * const applied = await migrate(sql);          // ['0001-core-models', ...] on a fresh database, [] afterwards
 * await migrate(sql, [...CORE_MIGRATIONS, ...myMigrations]);
 */
export interface Migration {
  /** Unique, sortable id, e.g. '0001-core-models' or '0100-rating-sessions'. */
  readonly id: string;
  readonly up: string | ((sql: Sql) => Promise<void>);
}

/** Splits a script on `;` at line ends (no `;` inside string literals in migrations). */
export function splitStatements(script: string): string[] {
  return script
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Merges migration lists, sorted by id; a duplicate id is a bug in the module that declares it. */
export function mergeMigrations(...lists: ReadonlyArray<readonly Migration[]>): Migration[] {
  const byId = new Map<string, Migration>();
  for (const m of lists.flat()) {
    if (byId.has(m.id)) throw new Error(`internal: migration id '${m.id}' declared twice`);
    byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Applies the migrations not yet applied, in id order, each in a transaction together with its
 * `schema_migrations` row. Returns the ids applied now. A database that has migrations this build does not know
 * (a newer genbench wrote it) is refused.
 */
export async function runMigrations(sql: Sql, migrations: readonly Migration[]): Promise<string[]> {
  await sql.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set((await sql.all<{ id: string }>('SELECT id FROM schema_migrations')).map((r) => r.id));
  const known = new Set(migrations.map((m) => m.id));
  const unknown = [...done].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new GenbenchError('UNSUPPORTED', `database has migrations this genbench does not know (${unknown.slice(0, 3).join(', ')}); upgrade genbench or use another --db`);
  }
  const applied: string[] = [];
  for (const m of mergeMigrations(migrations)) {
    if (done.has(m.id)) continue;
    const ran = await sql.transaction(async (tx) => {
      // another process may have applied it since the list was read
      if ((await tx.get('SELECT id FROM schema_migrations WHERE id = ?', [m.id])) !== undefined) return false;
      if (typeof m.up === 'string') for (const statement of splitStatements(m.up)) await tx.exec(statement);
      else await m.up(tx);
      await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', [m.id, new Date().toISOString()]);
      return true;
    });
    if (ran) applied.push(m.id);
  }
  return applied;
}
