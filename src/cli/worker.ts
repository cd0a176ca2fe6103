import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { evaluationLimitOptions, parseEvaluationLimits, type EvaluationLimitFlags } from './evaluation-limits.js';
import { log, parseIntFlag } from './output.js';

/**
 * `genbench worker`: takes evaluation jobs from the BullMQ queue on Redis (put there by `genbench serve --redis`),
 * evaluates each submission from the shared store (PostgreSQL via DATABASE_URL, or a SQLite file on this machine
 * with --db) and writes the verified report back. Run any number of them, on any machines that reach Redis and the
 * database: with PostgreSQL the checkpoints and images are stored in the database too, and --data-dir is only this
 * machine's local cache of them. A worker killed mid-job loses nothing: after --lock-ms another worker picks
 * the job up again. Each evaluation runs in a child process under --eval-timeout / --eval-memory / --max-samples;
 * a submission is tried at most --max-attempts times (counted in the database, whichever worker ran them).
 * Ctrl-C (SIGINT/SIGTERM) finishes the running job, then exits. See docs/cluster.md.
 *
 * @example
 * DATABASE_URL=postgres://genbench@db/genbench genbench worker --redis redis://queue:6379 --data-dir /var/cache/genbench
 * # genbench worker: waiting for jobs on redis://queue:6379 (queue genbench-evaluations, concurrency 1, postgres)
 */
interface WorkerFlags extends EvaluationLimitFlags {
  redis?: string;
  db: string;
  dataDir?: string;
  concurrency: string;
  queue?: string;
  lockMs: string;
}

export function workerCommand(): Command {
  return evaluationLimitOptions(new Command('worker'))
    .description('process evaluation jobs from the Redis queue of a genbench serve --redis cluster')
    .option('--redis <url>', 'Redis of the cluster, redis://host:port[/db] (default $GENBENCH_REDIS)')
    .option('--db <path>', 'SQLite database file, when DATABASE_URL is not set', 'genbench.db')
    .option('--data-dir <dir>', 'local cache of the blobs stored in PostgreSQL (required with DATABASE_URL; not shared)')
    .option('--concurrency <n>', 'jobs run at once', '1')
    .option('--queue <name>', 'queue name (default genbench-evaluations)')
    .option('--lock-ms <ms>', 'job lock: a dead worker\'s job returns to the queue this long after it died', '30000')
    .action(runWorker);
}

async function runWorker(f: WorkerFlags): Promise<void> {
  const concurrency = parseIntFlag('concurrency', f.concurrency, { min: 1, max: 64 });
  const lockMs = parseIntFlag('lock-ms', f.lockMs, { min: 1000 });
  const limits = parseEvaluationLimits(f);
  const { redisUrl } = await import('../queue/cluster.js');
  const redis = redisUrl(f.redis);
  if (redis === undefined) throw new GenbenchError('USAGE', '--redis: give the Redis URL of the cluster (or set GENBENCH_REDIS), e.g. --redis redis://127.0.0.1:6379');
  const { openDatabase } = await import('../store/open.js');
  const { BullMqQueue } = await import('../queue/bullmq.js');
  const { evaluationHandler } = await import('../server/evaluate-job.js');
  const databaseUrl = process.env['DATABASE_URL'];
  const store = await openDatabase({ db: f.db, databaseUrl, ...(f.dataDir === undefined ? {} : { dataDir: f.dataDir }) });
  const say = (line: string) => log(`genbench worker: ${line}`);
  const queue = new BullMqQueue({
    url: redis,
    concurrency,
    attempts: limits.maxAttempts,
    lockDurationMs: lockMs,
    stalledIntervalMs: Math.min(lockMs, 30_000),
    log: say,
    ...(f.queue === undefined ? {} : { name: f.queue }),
  });
  const handler = evaluationHandler({ store, limits, log: say });
  queue.start(handler);
  say(`waiting for jobs on ${redis} (queue ${f.queue ?? 'genbench-evaluations'}, concurrency ${concurrency}, ${store.sql.dialect})`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      say('stopping (finishing the running job)');
      void queue
        .close()
        .then(() => handler.close())
        .then(() => store.close())
        .then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
