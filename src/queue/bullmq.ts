import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { isGenbenchError } from '../errors.js';
import { jobId, type EvalJob, type JobHandler, type JobQueue, type JobState, type JobStatus } from './job-queue.js';

/**
 * The evaluation queue on Redis (BullMQ): the server enqueues, `genbench worker` processes consume, on any number
 * of machines. Same interface and guarantees as the in-process queue (src/server/queue.ts):
 *
 * - idempotent: the BullMQ job id is `jobId(job)` (submission + recipe hash), so enqueueing twice adds one job;
 *   a failed job may be enqueued again (it is removed and added anew);
 * - retried: `attempts` tries (default 3) with exponential backoff from `backoffMs` (default 5 s: 5, 10, 20 s); a
 *   GenbenchError (bad checkpoint, bad input) fails at once, since retrying cannot fix it;
 * - stalled-job recovery: a worker renews its lock on a running job every lockDuration / 2; when the worker dies
 *   (SIGKILL, lost machine) the lock expires after `lockDurationMs` and another worker's stalled check (every
 *   `stalledIntervalMs`) puts the job back in the queue, up to `maxStalledCount` times;
 * - results written once: the handler stores its report with an upsert keyed by model and recipe
 *   (store/evaluations.ts putEvaluation), so a job that does run twice still leaves one row.
 *
 * @example
 * const queue = new BullMqQueue({ url: 'redis://127.0.0.1:6379' });
 * await queue.enqueue({ submissionId: 's1', recipe: '{"dataset":"mnist","n":1000}' }); // { id: 's1-9c1d...', deduplicated: false }
 * queue.start(evaluationHandler({ store }));   // in `genbench worker`
 * await queue.close();
 */
export interface BullMqOptions {
  /** redis://[user:password@]host:port[/db] */
  readonly url: string;
  /** Queue name (default 'genbench-evaluations'); server and workers must agree. */
  readonly name?: string;
  /** Jobs run at once by start() (default 1: evaluations are CPU-bound). */
  readonly concurrency?: number;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly maxStalledCount?: number;
  /** Told about job events (started, done, failed, stalled), one line each. */
  readonly log?: (line: string) => void;
}

export const DEFAULT_QUEUE_NAME = 'genbench-evaluations';
const PREFIX = 'genbench';

export class BullMqQueue implements JobQueue {
  private readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly clients: Redis[] = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: BullMqOptions) {
    this.queue = new Queue(this.name, { connection: this.client(), prefix: PREFIX });
    this.queue.on('error', (e) => this.opts.log?.(`queue: redis error: ${e.message}`));
  }

  private get name(): string {
    return this.opts.name ?? DEFAULT_QUEUE_NAME;
  }

  /** A connection (ioredis; BullMQ needs maxRetriesPerRequest null on connections that block). */
  private client(): Redis {
    const c = new Redis(this.opts.url, { maxRetriesPerRequest: null });
    this.clients.push(c);
    return c;
  }

  async enqueue(job: EvalJob): Promise<{ id: string; deduplicated: boolean }> {
    const id = jobId(job);
    const existing = await this.queue.getJob(id);
    if (existing !== undefined && existing !== null) {
      if ((await existing.getState()) !== 'failed') return { id, deduplicated: true };
      await existing.remove();
    }
    await this.queue.add('evaluate', { submissionId: job.submissionId, recipe: job.recipe }, {
      jobId: id,
      attempts: this.opts.attempts ?? 3,
      backoff: { type: 'exponential', delay: this.opts.backoffMs ?? 5000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    });
    return { id, deduplicated: false };
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const job = (await this.queue.getJob(id)) as Job<EvalJob> | undefined | null;
    if (job === undefined || job === null) return undefined;
    const state = toJobState(await job.getState());
    const iso = (t: number | undefined) => (t === undefined || t === null ? undefined : new Date(t).toISOString());
    const started = iso(job.processedOn);
    const finished = state === 'done' || state === 'failed' ? iso(job.finishedOn) : undefined;
    return {
      id,
      job: { submissionId: job.data.submissionId, recipe: job.data.recipe },
      state,
      attempts: job.attemptsStarted ?? job.attemptsMade,
      ...(job.failedReason && state !== 'done' ? { error: job.failedReason.split('\n')[0]! } : {}),
      enqueuedAt: iso(job.timestamp)!,
      ...(started === undefined ? {} : { startedAt: started }),
      ...(finished === undefined ? {} : { finishedAt: finished }),
    };
  }

  start(handler: JobHandler): void {
    if (this.worker !== undefined) throw new Error('internal: queue already started');
    const log = this.opts.log;
    this.worker = new Worker<EvalJob>(
      this.name,
      async (job) => {
        const attempt = job.attemptsStarted;
        log?.(`job ${job.id} started (attempt ${attempt})`);
        try {
          await handler({ submissionId: job.data.submissionId, recipe: job.data.recipe }, { id: job.id!, attempt });
        } catch (e) {
          if (isGenbenchError(e)) throw new UnrecoverableError(e.message); // a bad checkpoint stays bad: no retry
          throw e;
        }
      },
      {
        connection: this.client(),
        prefix: PREFIX,
        concurrency: Math.max(1, this.opts.concurrency ?? 1),
        lockDuration: this.opts.lockDurationMs ?? 30_000,
        stalledInterval: this.opts.stalledIntervalMs ?? 30_000,
        maxStalledCount: this.opts.maxStalledCount ?? 2,
      },
    );
    this.worker.on('completed', (job) => log?.(`job ${job.id} done`));
    this.worker.on('failed', (job, e) => log?.(`job ${job?.id ?? '?'} failed (attempt ${job?.attemptsStarted ?? '?'}): ${e.message.split('\n')[0]}`));
    this.worker.on('stalled', (id) => log?.(`job ${id} stalled (its worker stopped): back in the queue`));
    this.worker.on('error', (e) => log?.(`worker: redis error: ${e.message}`));
  }

  /** Stops taking jobs, waits for the running ones, and closes the Redis connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close();
      await this.queue.close();
      for (const c of this.clients) c.disconnect();
    })();
    return this.closing;
  }

  /** Counts of jobs by state (tests, `genbench worker` status lines). */
  async counts(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
  }
}

function toJobState(s: string): JobState {
  if (s === 'active') return 'running';
  if (s === 'completed') return 'done';
  if (s === 'failed') return 'failed';
  return 'queued';
}
