import { GenbenchError } from '../errors.js';
import type { JobQueue } from './job-queue.js';
import { openDatabase } from '../store/open.js';
import type { Store } from '../store/index.js';
import { redact } from '../store/open.js';
import { BullMqQueue } from './bullmq.js';

/**
 * What `genbench serve` needs to run as the front of a cluster: with a Redis URL (--redis or GENBENCH_REDIS) a
 * BullMQ queue that only enqueues (`genbench worker` processes consume it), and with DATABASE_URL=postgres://...
 * the PostgreSQL store (blobs in the database too; --data-dir is this machine's local cache of them, shared with
 * nobody). Without either, nothing: the
 * server keeps its SQLite file and in-process queue.
 *
 * @example
 * const deps = await clusterServeDeps({ redis: 'redis://10.0.0.5:6379', databaseUrl: process.env['DATABASE_URL'], dataDir: '/var/cache/genbench' });
 * await startServer({ ...deps, port: 8080 });   // deps = { queue, startWorker: false, store }
 */
export interface ClusterFlags {
  readonly redis?: string | undefined;
  readonly databaseUrl?: string | undefined;
  readonly dataDir?: string | undefined;
  readonly log?: (line: string) => void;
}

export async function clusterServeDeps(f: ClusterFlags): Promise<{ store?: Store; queue?: JobQueue; startWorker?: boolean }> {
  const redis = redisUrl(f.redis);
  const store = f.databaseUrl ? await openDatabase({ databaseUrl: f.databaseUrl, ...(f.dataDir === undefined ? {} : { dataDir: f.dataDir }) }) : undefined;
  const queue = redis === undefined ? undefined : new BullMqQueue({ url: redis, ...(f.log ? { log: f.log } : {}) });
  return { ...(store ? { store } : {}), ...(queue ? { queue, startWorker: false } : {}) };
}

/** The Redis URL from the flag, else GENBENCH_REDIS; checked to be redis://. */
export function redisUrl(flag: string | undefined): string | undefined {
  const url = flag ?? process.env['GENBENCH_REDIS'];
  if (url === undefined || url === '') return undefined;
  if (!url.startsWith('redis://')) {
    throw new GenbenchError('USAGE', `--redis '${redact(url)}': expected redis://host:port[/db] (from --redis or GENBENCH_REDIS)`);
  }
  return url;
}
