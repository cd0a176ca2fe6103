import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import type { JobQueue } from '../queue/job-queue.js';
import { GenbenchError } from '../errors.js';
import { ratingConfig } from '../rating/protocol.js';
import { openStore, type Store } from '../store/index.js';
import { createApp, type AppDeps } from './app.js';
import { DEFAULT_EVALUATION, evaluationHandler, resumePending, sweepStale, type EvaluateFn, type EvaluationSettings } from './evaluate-job.js';
import { InProcessQueue } from './queue.js';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from './sandbox.js';

/**
 * Starts the whole server: store (migrated), job queue with the evaluation handler, the app, and re-queues
 * submissions a previous run left unfinished (those out of attempts are marked failed), after sweeping stale work
 * folders and the blobs of failed submissions (sweepStale). Evaluations run in child
 * processes under `limits` (sandbox.ts), each followed by the sampling of the model's human-rating pool (the size
 * and seed of `app.rating.config`). Port 0 picks a free port (tests). `close()` stops accepting connections, stops
 * the running evaluation (its attempt is not counted; it runs again at the next start), and closes the database.
 *
 * @example
 * const server = await startServer({ db: 'genbench.db', port: 8080, evaluation: { n: 1000, bootstrap: 50 } });
 * server.url;       // 'http://127.0.0.1:8080'
 * await server.close();
 */
export interface ServeOptions {
  readonly db?: string;
  /** Blob folder (default beside the db file). */
  readonly dataDir?: string;
  /** An open store instead of `db` (closed by close()). */
  readonly store?: Store;
  /** Default 8080; 0 for a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (only this machine); '0.0.0.0' to serve the network. */
  readonly host?: string;
  readonly evaluation?: EvaluationSettings;
  /** A queue instead of the in-process one (e.g. BullMQ); its consumer may run elsewhere (`startWorker: false`). */
  readonly queue?: JobQueue;
  /** Consume jobs in this process (default true). */
  readonly startWorker?: boolean;
  /** An evaluation function run in this process instead of the sandboxed harness (tests only: no limits, no rating pool). */
  readonly evaluate?: EvaluateFn;
  /** Time, memory, sample and attempt limits of evaluations (default DEFAULT_EVALUATION_LIMITS). */
  readonly evaluationLimits?: EvaluationLimits;
  /** Told about failed evaluation attempts, one line each. */
  readonly log?: (line: string) => void;
  /** Told each evaluation process's pid. */
  readonly onEvaluationSpawn?: (pid: number) => void;
  /** Feature cache folder for evaluations (default GENBENCH_HOME/features). */
  readonly cacheDir?: string;
  /** More app dependencies (upload limits, rating options, ...). */
  readonly app?: Partial<Omit<AppDeps, 'store' | 'queue'>>;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startServer(opts: ServeOptions = {}): Promise<RunningServer> {
  const cfg = ratingConfig(opts.app?.rating?.config ?? {});
  const pool = { n: cfg.fakePoolSize, seed: cfg.fakeSeed };
  const evaluation: EvaluationSettings = { ...(opts.evaluation ?? DEFAULT_EVALUATION), ...(opts.evaluate === undefined ? { ratingPool: pool } : {}) };
  const limits = opts.evaluationLimits ?? DEFAULT_EVALUATION_LIMITS;
  for (const [what, n] of [['--eval-n', evaluation.n], ['the human-rating pool size', pool.n]] as const) {
    if (n !== undefined && n > limits.maxSamples) throw new GenbenchError('USAGE', `${what} (${n}) is over --max-samples (${limits.maxSamples}); raise --max-samples or lower it`);
  }
  const store = opts.store ?? (await openStore({ db: opts.db ?? 'genbench.db', ...(opts.dataDir === undefined ? {} : { dataDir: opts.dataDir }) }));
  const queue = opts.queue ?? new InProcessQueue();
  let handler: ReturnType<typeof evaluationHandler> | undefined;
  if (opts.startWorker !== false) {
    handler = evaluationHandler({
      store,
      limits,
      ...(opts.evaluate ? { evaluate: opts.evaluate } : {}),
      ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}),
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.onEvaluationSpawn ? { onSpawn: opts.onEvaluationSpawn } : {}),
    });
    queue.start(handler);
  }
  const app = createApp({ ...opts.app, store, queue, evaluation });
  const host = opts.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(opts.port ?? 8080, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 5000;
  await sweepStale(store, [opts.app?.uploadDir ?? tmpdir(), tmpdir()]);
  if (queue instanceof InProcessQueue) await resumePending(store, queue, evaluation, limits); // a shared queue keeps its jobs
  const port = (server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    store,
    queue,
    server,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await queue.close();
        handler?.close();
        await store.close();
      })()),
  };
}
