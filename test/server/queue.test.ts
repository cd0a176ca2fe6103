import { describe, expect, it } from 'vitest';
import { jobId, type EvalJob } from '../../src/queue/job-queue.js';
import { InProcessQueue } from '../../src/server/queue.js';

const job = (s: string, recipe = 'r1'): EvalJob => ({ submissionId: s, recipe });

describe('InProcessQueue', () => {
  it('runs each job once: a repeat enqueue of the same submission and recipe is deduplicated', async () => {
    const q = new InProcessQueue();
    const ran: string[] = [];
    const a = await q.enqueue(job('s1'));
    const b = await q.enqueue(job('s1'));
    const c = await q.enqueue(job('s1', 'r2'));
    expect(a).toEqual({ id: jobId(job('s1')), deduplicated: false });
    expect(b).toEqual({ id: a.id, deduplicated: true });
    expect(c.deduplicated).toBe(false);
    expect(c.id).not.toBe(a.id);
    expect((await q.status(a.id))?.state).toBe('queued');
    q.start(async (j) => void ran.push(`${j.submissionId}/${j.recipe}`));
    await q.idle();
    expect(ran).toEqual(['s1/r1', 's1/r2']);
    expect(await q.enqueue(job('s1'))).toEqual({ id: a.id, deduplicated: true }); // done: still deduplicated
    expect(await q.status(a.id)).toMatchObject({ state: 'done', attempts: 1, job: job('s1') });
    await q.close();
  });

  it('records a failure as one line and lets a failed job be enqueued again', async () => {
    const q = new InProcessQueue();
    let calls = 0;
    q.start(async () => {
      calls++;
      if (calls === 1) throw new Error('first try fails\nwith details');
    });
    const { id } = await q.enqueue(job('s2'));
    await q.idle();
    expect(await q.status(id)).toMatchObject({ state: 'failed', error: 'first try fails', attempts: 1 });
    expect(await q.enqueue(job('s2'))).toEqual({ id, deduplicated: false });
    await q.idle();
    expect(await q.status(id)).toMatchObject({ state: 'done', attempts: 2 });
    expect((await q.status(id))?.error).toBeUndefined();
    await q.close();
  });

  it('respects concurrency and close() waits for running jobs', async () => {
    const q = new InProcessQueue({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    let finished = 0;
    q.start(async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      finished++;
    });
    for (let i = 0; i < 5; i++) await q.enqueue(job(`c${i}`));
    await new Promise((r) => setTimeout(r, 5));
    await q.close();
    expect(peak).toBe(2);
    expect(finished).toBe(2); // the two running ones finished; the queued ones were dropped
    await expect(q.enqueue(job('late'))).rejects.toThrow(/closed/);
  });

  it('keeps at most maxFinished finished jobs, dropping the oldest, and never a queued or running one', async () => {
    const q = new InProcessQueue({ maxFinished: 2 });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    q.start(async (j) => {
      if (j.submissionId === 'slow') await gate;
      if (j.submissionId === 's2') throw new Error('bad');
    });
    const slow = await q.enqueue(job('slow'));
    const ids = [];
    for (const s of ['s1', 's2', 's3', 's4']) ids.push((await q.enqueue(job(s))).id);
    await new Promise((r) => setTimeout(r, 0));
    expect((await q.status(slow.id))?.state).toBe('running');
    expect((await q.status(ids[0]!))?.state).toBe('queued');
    release();
    await q.idle();
    expect(await Promise.all(ids.map(async (id) => (await q.status(id))?.state))).toEqual([undefined, undefined, 'done', 'done']);
    expect(await q.status(slow.id)).toBeUndefined(); // finished first of all
    expect(await q.enqueue(job('s1'))).toEqual({ id: ids[0], deduplicated: false }); // forgotten: runs again
    await q.idle();
    expect((await q.status(ids[0]!))?.state).toBe('done');
    expect(await q.status(ids[2]!)).toBeUndefined();
    await q.close();
  });

  it('makes ids that are safe as BullMQ custom ids', () => {
    expect(jobId(job('a:b/c', '{"n":1}'))).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(jobId(job('x', 'r'))).toBe(jobId(job('x', 'r')));
  });
});
