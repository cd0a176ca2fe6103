import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jobId, type EvalJob, type JobQueue } from '../../src/queue/job-queue.js';
import { evaluationRecipe, resumePending } from '../../src/server/evaluate-job.js';
import { InProcessQueue } from '../../src/server/queue.js';
import { startServer } from '../../src/server/serve.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createSubmission, getSubmission, setSubmissionJob } from '../../src/store/submissions.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'genbench-resume-'));
  store = await openStore({ db: join(dir, 'gb.db'), dataDir: join(dir, 'blobs') });
});
afterEach(async () => {
  await store.close().catch(() => undefined); // a server may have closed it
  await rm(dir, { recursive: true, force: true });
});

async function pending(name: string): Promise<string> {
  const { submission } = await createSubmission(store.sql, { model: { name, kind: 'submission', format: 'onnx', manifest: {} }, files: [], mainFile: 'g.onnx', dataset: 'mnist' });
  return submission.id;
}

describe('resumePending', () => {
  it('re-queues a submission with the recipe it was queued with, not the current settings', async () => {
    const then = evaluationRecipe({ n: 100, bootstrap: 0 }, 'mnist');
    const now = { n: 500, bootstrap: 20 };
    const old = await pending('old');
    await setSubmissionJob(store.sql, old, jobId({ submissionId: old, recipe: then }), then);
    const unrecorded = await pending('unrecorded'); // its job was never recorded: today's settings
    expect((await getSubmission(store.sql, old))?.recipe).toBe(then);
    const queue = new InProcessQueue();
    expect(await resumePending(store, queue, now)).toBe(2);
    expect((await queue.status(jobId({ submissionId: old, recipe: then })))?.job).toEqual({ submissionId: old, recipe: then });
    const today = evaluationRecipe(now, 'mnist');
    expect((await queue.status(jobId({ submissionId: unrecorded, recipe: today })))?.state).toBe('queued');
    await queue.close();
  });

  it('is not run by a server on a shared queue, whose workers keep and may be running the jobs', async () => {
    const id = await pending('running-elsewhere');
    const enqueued: EvalJob[] = [];
    const shared: JobQueue = {
      enqueue: async (job) => (enqueued.push(job), { id: jobId(job), deduplicated: false }),
      status: async () => undefined,
      start: () => {},
      close: async () => {},
    };
    const server = await startServer({ store, queue: shared, startWorker: false, port: 0 });
    try {
      expect(enqueued).toEqual([]);
      expect((await getSubmission(store.sql, id))?.status).toBe('queued');
    } finally {
      await server.close(); // closes the store too
    }
  });
});
