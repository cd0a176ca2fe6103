import { createHash } from 'node:crypto';

/**
 * The evaluation job queue. A job is keyed by its submission id and recipe, so enqueueing the same evaluation twice
 * (a double click, a retried upload, a restart that re-queues unfinished submissions) runs it once: the second call
 * returns the first job's id with `deduplicated: true`. A job that failed may be enqueued again (a retry).
 *
 * Two implementations: `InProcessQueue` (src/server/queue.ts) runs jobs in the server's process, `concurrency` at a
 * time; `BullMqQueue` (src/queue/bullmq.ts) keeps them in Redis for workers on other machines.
 *
 * @example
 * jobId({ submissionId: 's1', recipe: 'mnist/mobilenet-v1-0.75/n=200' });                // 's1-3f2a...'
 * const queue: JobQueue = new InProcessQueue(); // or new BullMqQueue({ url: 'redis://127.0.0.1:6379' })
 * queue.start(async (job) => { await evaluateSubmission(job.submissionId, job.recipe); });
 * await queue.enqueue({ submissionId: 's1', recipe: 'mnist/mobilenet-v1-0.75/n=200' }); // { id: 's1-3f2a...', deduplicated: false }
 * await queue.enqueue({ submissionId: 's1', recipe: 'mnist/mobilenet-v1-0.75/n=200' }); // { id: 's1-3f2a...', deduplicated: true }
 * (await queue.status('s1-3f2a...'))?.state;                                              // 'running'
 */
export interface EvalJob {
  readonly submissionId: string;
  /** A stable description of how to evaluate (dataset, extractor, n): part of the job key. */
  readonly recipe: string;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobStatus {
  readonly id: string;
  readonly job: EvalJob;
  readonly state: JobState;
  /** Times the handler was started for this job. */
  readonly attempts: number;
  /** One-line error message of the last failure. */
  readonly error?: string;
  readonly enqueuedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

/** `signal` aborts when the queue closes and wants the running job stopped (the in-process queue does). */
export type JobHandler = (job: EvalJob, ctx: { readonly id: string; readonly attempt: number; readonly signal?: AbortSignal }) => Promise<void>;

export interface JobQueue {
  enqueue(job: EvalJob): Promise<{ id: string; deduplicated: boolean }>;
  status(id: string): Promise<JobStatus | undefined>;
  /** Starts consuming jobs with `handler` (once). */
  start(handler: JobHandler): void;
  /** Stops taking jobs and waits for the running ones (the in-process queue aborts them first). */
  close(): Promise<void>;
}

/**
 * The job id of an evaluation: the submission id plus a short hash of the recipe (letters, digits and '-' only, so
 * it is also a valid BullMQ custom id).
 */
export function jobId(job: EvalJob): string {
  const safe = job.submissionId.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${safe}-${createHash('sha256').update(job.recipe).digest('hex').slice(0, 16)}`;
}
