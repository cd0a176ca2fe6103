import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Real PostgreSQL and Redis servers for tests, each on 127.0.0.1 on a free port in its own temp folder, never a
 * system service. `serviceBinaries(name)` says whether the Debian binaries are installed: outside CI a missing one
 * skips the tests that need it, in CI (CI=true) it throws, so nothing is skipped silently there (.ci/run installs
 * them: apt-get install -y postgresql redis-server).
 *
 * PostgreSQL refuses to run as root: when the tests run as root, the data folder is given to the `postgres` user
 * (Debian's package creates it; else `nobody`) and initdb / pg_ctl run under that uid.
 *
 * @example
 * const pg = await startPostgres();   // { url: 'postgres://postgres@127.0.0.1:41234/postgres', stop }
 * const redis = await startRedis();   // { url: 'redis://127.0.0.1:41235', stop }
 * await redis.stop(); await pg.stop();
 */
export interface Service {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  stop(): Promise<void>;
}

/** GENBENCH_PG_BIN, else the newest /usr/lib/postgresql/<version>/bin (Debian's layout; 15 on bookworm). */
export const PG_BIN = process.env['GENBENCH_PG_BIN'] ?? newestPostgres() ?? '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = process.env['GENBENCH_REDIS_SERVER'] ?? '/usr/bin/redis-server';

function newestPostgres(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

/** True when the binaries are there; false outside CI when they are not; throws in CI when they are not. */
export function serviceBinaries(name: 'postgres' | 'redis'): boolean {
  const files = name === 'postgres' ? [join(PG_BIN, 'initdb'), join(PG_BIN, 'pg_ctl'), join(PG_BIN, 'postgres')] : [REDIS_SERVER];
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length === 0) return true;
  if (process.env['CI'] === 'true') {
    throw new Error(`tests need ${name}: ${missing.join(', ')} not found (apt-get install -y ${name === 'postgres' ? 'postgresql' : 'redis-server'})`);
  }
  return false;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** uid/gid that PostgreSQL runs as: ours unless we are root, then `postgres` (or `nobody`). */
function pgUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
      return { uid, gid };
    } catch {
      // try the next one
    }
  }
  throw new Error('tests run as root and neither a postgres nor a nobody user exists to run PostgreSQL');
}

/** initdb in a temp folder, then pg_ctl start on a free port (fsync off: test data only). */
export async function startPostgres(): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'genbench-pg-'));
  const user = pgUser();
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const as = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  const data = join(dir, 'data');
  const port = await freePort();
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  execFileSync(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...as, env, stdio: 'pipe' });
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  execFileSync(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-o', opts, '-w', '-t', '60', 'start'], { ...as, env, stdio: 'pipe' });
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    stop: async () => {
      try {
        execFileSync(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], { ...as, env, stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Creates database `name` on a test PostgreSQL server (through its maintenance database); returns its URL. */
export async function createDatabase(server: Service, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}

/** redis-server without persistence on a free port, in a temp folder; resolves once it answers PING. */
export async function startRedis(): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), 'genbench-redis-'));
  const port = await freePort();
  writeFileSync(join(dir, 'redis.conf'), `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsave ""\nappendonly no\nprotected-mode yes\n`);
  const child = spawn(REDIS_SERVER, [join(dir, 'redis.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  await waitForPing(port, child, () => output);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output()}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 15 s: ${output()}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('error', () => resolve(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d: Buffer) => {
      s.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
