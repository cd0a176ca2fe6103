import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { printJson, printLine } from './output.js';

/**
 * `genbench admin`: server administration on the database file. `admin token` creates a submission token and
 * prints it once (only its sha256 is stored); `--admin` makes it an admin token (admin API). `admin tokens` lists
 * them; `admin revoke ID` revokes one.
 *
 * @example
 * genbench admin token --db genbench.db --name alice   # gb_3f9c0a1b2c3d4e5f_Jx...
 */
export function adminCommand(): Command {
  const admin = new Command('admin').description('server administration: submission tokens');
  admin
    .command('token')
    .description('create a submission token and print it (shown once)')
    .option('--db <path>', 'SQLite database file', 'genbench.db')
    .option('--name <name>', 'who the token is for', 'default')
    .option('--admin', 'allow the admin API (token management)')
    .option('--json', 'print { token, id, name, admin } as JSON')
    .action(async (f: { db: string; name: string; admin?: boolean; json?: boolean }) => {
      if (!/^[\w .@-]{1,64}$/.test(f.name)) throw new GenbenchError('USAGE', '--name: give 1-64 letters, digits, spaces or ._@- characters');
      await withStore(f.db, async (sql, { createToken }) => {
        const { token, info } = await createToken(sql, { name: f.name, ...(f.admin ? { admin: true } : {}) });
        if (f.json) printJson({ token, ...info });
        else printLine(token);
      });
    });
  admin
    .command('tokens')
    .description('list tokens (without secrets)')
    .option('--db <path>', 'SQLite database file', 'genbench.db')
    .action(async (f: { db: string }) => {
      await withStore(f.db, async (sql, { listTokens }) => printJson(await listTokens(sql)));
    });
  admin
    .command('revoke <id>')
    .description('revoke a token by id (the hex part after gb_)')
    .option('--db <path>', 'SQLite database file', 'genbench.db')
    .action(async (id: string, f: { db: string }) => {
      await withStore(f.db, async (sql, { revokeToken }) => {
        if (!(await revokeToken(sql, id))) throw new GenbenchError('NOT_FOUND', `token '${id}' not found or already revoked; list them with genbench admin tokens`);
        printLine(`revoked ${id}`);
      });
    });
  return admin;
}

type StoreModule = typeof import('../store/index.js');

async function withStore(db: string, fn: (sql: import('../store/sql.js').Sql, m: StoreModule) => Promise<void>): Promise<void> {
  const m = await import('../store/index.js');
  const store = await m.openStore({ db });
  try {
    await fn(store.sql, m);
  } finally {
    await store.close();
  }
}
