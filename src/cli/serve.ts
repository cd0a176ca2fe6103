import { Command } from 'commander';
import { GenbenchError } from '../errors.js';
import { evaluationLimitOptions, parseEvaluationLimits, type EvaluationLimitFlags } from './evaluation-limits.js';
import { log, parseIntFlag } from './output.js';
import { DEFAULT_QUOTAS } from '../server/quotas.js';

/**
 * `genbench serve`: the leaderboard, submissions and human-rating web server on an embedded SQLite database
 * (blobs in `<db>.files/` beside it). Evaluations of submissions run one at a time, each in a child process under
 * --eval-timeout / --eval-memory / --max-samples, at most --max-attempts times, with --eval-n samples (and
 * --eval-bootstrap resamples for the intervals). A submission token may keep --quota-bytes of checkpoints stored
 * and make --submissions-per-hour submissions (both counted in the database). Ctrl-C stops it cleanly.
 *
 * @example
 * genbench serve --port 8080 --db genbench.db --eval-n 2000   # genbench: serving http://127.0.0.1:8080
 */
interface ServeFlags extends EvaluationLimitFlags {
  port: string;
  host: string;
  db: string;
  evalN?: string;
  evalBootstrap: string;
  evalMemorization: boolean;
  extractor?: string;
  redis?: string;
  dataDir?: string;
  raterSessionsPerHour: string;
  minRaters: string;
  trustProxy?: boolean;
  quotaBytes: string;
  submissionsPerHour: string;
}

export function serveCommand(): Command {
  return evaluationLimitOptions(new Command('serve'))
    .description('serve the leaderboard, model pages, submissions and human rating over HTTP')
    .option('--port <port>', 'TCP port (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0 for the network)', '127.0.0.1')
    .option('--db <path>', 'SQLite database file (created when missing)', 'genbench.db')
    .option('--eval-n <count>', "generated samples per evaluation of a submission (default: each dataset's protocol)")
    .option('--eval-bootstrap <n>', 'bootstrap resamples for the 95% intervals (0: none)', '50')
    .option('--no-eval-memorization', 'skip the memorisation checks and neighbour panel (run by default when a manifest names its training split)')
    .option('--extractor <id>', 'feature extractor of evaluations (default mobilenet-v1-0.75)')
    .option('--redis <url>', 'queue evaluations in Redis for `genbench worker` processes (default $GENBENCH_REDIS; docs/cluster.md)')
    .option('--data-dir <dir>', 'blob folder (default beside --db); with DATABASE_URL=postgres://... required: the local cache of the blobs stored in the database')
    .option('--rater-sessions-per-hour <n>', 'new human-rating sessions one client address may open per hour (0: no limit)', '30')
    .option('--min-raters <n>', 'counted raters a human score needs before it is published', '5')
    .option('--quota-bytes <bytes>', 'bytes of checkpoints one submission token may keep stored (0: no limit); over it, 413', String(DEFAULT_QUOTAS.maxBytesPerToken))
    .option('--submissions-per-hour <n>', 'submissions one token may make per hour (0: no limit); over it, 429', String(DEFAULT_QUOTAS.submissionsPerHour))
    .option('--trust-proxy', "behind a reverse proxy: take the nearest hop's X-Forwarded-Proto / -For (HSTS is sent only over https)")
    .action(runServe);
}

async function runServe(f: ServeFlags): Promise<void> {
  const port = parseIntFlag('port', f.port, { min: 0, max: 65535 });
  const n = f.evalN === undefined ? undefined : parseIntFlag('eval-n', f.evalN, { min: 2 });
  const bootstrap = parseIntFlag('eval-bootstrap', f.evalBootstrap, { min: 0 });
  if (bootstrap === 1) throw new GenbenchError('USAGE', '--eval-bootstrap: give 0 (none) or at least 2 resamples, e.g. 50');
  const sessionsPerHour = parseIntFlag('rater-sessions-per-hour', f.raterSessionsPerHour, { min: 0 });
  const minRaters = parseIntFlag('min-raters', f.minRaters, { min: 1 });
  const quotas = { maxBytesPerToken: parseIntFlag('quota-bytes', f.quotaBytes, { min: 0 }), submissionsPerHour: parseIntFlag('submissions-per-hour', f.submissionsPerHour, { min: 0 }) };
  const evaluationLimits = parseEvaluationLimits(f);
  const { startServer } = await import('../server/serve.js');
  const { internalErrorLine } = await import('../server/errors.js');
  const { clusterServeDeps } = await import('../queue/cluster.js'); // --redis / DATABASE_URL (BullMQ, PostgreSQL)
  const cluster = await clusterServeDeps({ redis: f.redis, databaseUrl: process.env['DATABASE_URL'], dataDir: f.dataDir, log });
  const server = await startServer({
    ...cluster,
    ...(f.dataDir === undefined ? {} : { dataDir: f.dataDir }),
    db: f.db,
    port,
    host: f.host,
    evaluation: { ...(n === undefined ? {} : { n }), bootstrap, ...(f.evalMemorization ? {} : { memorization: false }), ...(f.extractor === undefined ? {} : { extractor: f.extractor }) },
    evaluationLimits,
    log,
    app: { onInternalError: (e, request) => log(internalErrorLine(e, request)), rating: { sessionsPerHour, config: { minRaters } }, quotas, trustProxy: f.trustProxy === true },
  }).catch(async (e: NodeJS.ErrnoException) => {
    await cluster.queue?.close(); // open connections would keep the process alive
    await cluster.store?.close();
    if (e.code === 'EADDRINUSE') throw new GenbenchError('USAGE', `--port ${port}: address in use; pick another port or stop the other server`);
    if (e.code === 'EACCES') throw new GenbenchError('USAGE', `--port ${port}: permission denied; use a port above 1023`);
    throw e;
  });
  log(`genbench: serving ${server.url} (database ${cluster.store ? 'postgres' : f.db}${cluster.queue ? ', jobs to Redis for genbench worker' : ''}; Ctrl-C to stop)`);
  process.stdout.write(`${server.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('genbench: stopping (a running evaluation is stopped and runs again at the next start)');
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
