import { firstLine } from '../errors.js';
import { jobId, type EvalJob, type JobHandler, type JobQueue, type JobState, type JobStatus } from '../queue/job-queue.js';

interface Entry {
  id: string;
  job: EvalJob;
  state: JobState;
  attempts: number;
  error?: string;
  enqueuedAt: string;
  startedAt?: string;
  finishedAt?: string;
}

/**
 * The JobQueue of a single server (the interface is in src/queue/job-queue.ts): jobs are started by this process,
 * `concurrency` at a time (default 1: evaluations are CPU-bound; the evaluation handler runs each in a child
 * process, src/server/sandbox.ts); state lives in memory (the store keeps submission status and attempts across
 * restarts), and finished jobs (done or failed) are kept for `status` up to `maxFinished` of them (default 1000), the
 * oldest finished dropped first, so a long-running server's map stays bounded (a dropped job's id answers undefined,
 * and enqueueing it again runs it again). close() aborts the running jobs' signal and waits for them to stop.
 *
 * @example
 * const queue = new InProcessQueue();
 * queue.start(async (job) => { await evaluateSubmission(job.submissionId, job.recipe); });
 * await queue.enqueue({ submissionId: 's1', recipe: 'mnist/mobilenet-v1-0.75/n=200' }); // { id: 's1-3f2a...', deduplicated: false }
 */
export class InProcessQueue implements JobQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly pending: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private handler: JobHandler | undefined;
  private closed = false;
  private readonly stop = new AbortController();

  /** Ids of finished jobs, oldest first (a Map keeps insertion order). */
  private readonly finished = new Map<string, true>();

  constructor(private readonly opts: { readonly concurrency?: number; readonly maxFinished?: number } = {}) {}

  async enqueue(job: EvalJob): Promise<{ id: string; deduplicated: boolean }> {
    if (this.closed) throw new Error('internal: enqueue on a closed queue');
    const id = jobId(job);
    const old = this.entries.get(id);
    if (old !== undefined && old.state !== 'failed') return { id, deduplicated: true };
    this.finished.delete(id);
    this.entries.set(id, { id, job: { submissionId: job.submissionId, recipe: job.recipe }, state: 'queued', attempts: old?.attempts ?? 0, enqueuedAt: new Date().toISOString() });
    this.pending.push(id);
    this.pump();
    return { id, deduplicated: false };
  }

  async status(id: string): Promise<JobStatus | undefined> {
    const e = this.entries.get(id);
    return e === undefined ? undefined : { ...e, job: { ...e.job } };
  }

  start(handler: JobHandler): void {
    if (this.handler !== undefined) throw new Error('internal: queue already started');
    this.handler = handler;
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.length = 0;
    this.stop.abort();
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Waits until nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || (this.pending.length > 0 && this.handler !== undefined)) await Promise.allSettled([...this.running]);
  }

  private pump(): void {
    const limit = Math.max(1, this.opts.concurrency ?? 1);
    while (this.handler !== undefined && !this.closed && this.running.size < limit && this.pending.length > 0) {
      const entry = this.entries.get(this.pending.shift()!)!;
      const p = this.runOne(entry, this.handler).finally(() => {
        this.running.delete(p);
        this.pump();
      });
      this.running.add(p);
    }
  }

  private async runOne(e: Entry, handler: JobHandler): Promise<void> {
    e.state = 'running';
    e.attempts += 1;
    e.startedAt = new Date().toISOString();
    delete e.error;
    try {
      await handler({ ...e.job }, { id: e.id, attempt: e.attempts, signal: this.stop.signal });
      e.state = 'done';
    } catch (err) {
      e.state = 'failed';
      e.error = firstLine(err);
    }
    e.finishedAt = new Date().toISOString();
    this.finished.set(e.id, true);
    this.forgetOldFinished();
  }

  /** Drops the oldest finished entries over `maxFinished`. */
  private forgetOldFinished(): void {
    const max = Math.max(0, this.opts.maxFinished ?? 1000);
    for (const id of this.finished.keys()) {
      if (this.finished.size <= max) break;
      this.finished.delete(id);
      this.entries.delete(id);
    }
  }
}
