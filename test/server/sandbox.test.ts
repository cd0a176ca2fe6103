import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/serve.js';
import { publicMessage } from '../../src/server/sandbox.js';
import { createSubmission, createToken, getSubmission, startAttempt } from '../../src/store/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { upload } from './helpers.js';
import { hungryOnnxParts, slowOnnxParts } from './slow-onnx.js';

/**
 * Evaluations run in a child process under the server's limits: a valid but slow ONNX (2000 chained 1024x1024
 * MatMuls: about 4 TFLOP for its 1000 samples, seconds even on a many-core machine) is evaluated while the leaderboard page keeps answering fast, is killed at --eval-timeout,
 * and after --max-attempts (2 here, one of them after a restart) its submission is failed with a one-line reason.
 * A valid ONNX that needs 1.6 GB for one batch is killed past --eval-memory (700 MiB here), with its process.
 */
const shared = optionalSharedAssets();
const TIMEOUT_MS = 4000;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('publicMessage', () => {
  it('keeps the first line and reduces absolute paths to their last component', () => {
    expect(publicMessage(new Error('/tmp/genbench-eval-x1/g.onnx: not an ONNX file\n    at load (/srv/app/dist/x.js:1:2)'))).toBe('g.onnx: not an ONNX file');
    expect(publicMessage('dataset /etc is unknown; see http://example.org/a/b')).toBe('dataset /etc is unknown; see http://example.org/a/b');
  });
});

describe.skipIf(!shared)('sandboxed evaluations (slow ONNX)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-sandbox-'));
  const pids: number[] = [];
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const options: ServeOptions = {
    db: join(tmp, 'gb.db'),
    port: 0,
    evaluation: { n: 1000, bootstrap: 0, extractor: `discriminator:${join(shared ?? '', 'fixtures/submissions/mnist-dcgan-disc.onnx')}`, memorization: false },
    evaluationLimits: { timeoutMs: TIMEOUT_MS, memoryMb: 2048, maxSamples: 1000, maxAttempts: 2 },
    cacheDir: join(tmp, 'features'),
    onEvaluationSpawn: (pid) => pids.push(pid),
    app: { rating: { config: { fakePoolSize: 64 } } },
  };

  it('keeps GET / fast while it evaluates, kills it at the timeout and fails it after 2 attempts across a restart', async () => {
    server = await startServer(options);
    const { token } = await createToken(server.store.sql, { name: 'slow' });
    const { onnx, manifest } = slowOnnxParts({ layers: 2000, width: 1024 });
    const res = await upload(server.url, token, [onnx, manifest]);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await until('the first evaluation process', async () => (pids.length === 1 ? true : undefined));
    const started = Date.now();

    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      await page.text();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    expect(times[Math.ceil(0.99 * times.length) - 1]!).toBeLessThan(200);
    expect(pids.length, 'the evaluation was still running while the page was measured').toBe(1);

    // the first attempt is killed at the timeout, with its whole process; the second one starts
    await until('the second attempt', async () => (pids.length === 2 ? true : undefined));
    expect(Date.now() - started).toBeGreaterThan(TIMEOUT_MS - 1500);
    expect(alive(pids[0]!)).toBe(false);
    const retried = (await getSubmission(server.store.sql, id))!;
    expect(retried).toMatchObject({ status: 'running', attempts: 2, error: `attempt 1 of 2 failed: timed out after 4 s (the server's --eval-timeout)` });

    // a restart stops the running attempt without counting it; a submission whose last attempt was cut short is failed
    const { submission: crashed } = await createSubmission(server.store.sql, { model: { name: 'crashed', kind: 'submission', format: 'onnx', manifest: {} }, files: [], mainFile: 'slow.onnx', dataset: 'mnist' });
    await startAttempt(server.store.sql, crashed.id);
    await startAttempt(server.store.sql, crashed.id);
    await server.close();
    expect(alive(pids[1]!)).toBe(false);
    server = await startServer(options);
    expect(await getSubmission(server.store.sql, crashed.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await getSubmission(server.store.sql, crashed.id))!.error).toMatch(/^evaluation failed after 2 attempts: the last one was interrupted/);

    const failed = await until('the final failure', async () => {
      const s = (await (await fetch(`${server!.url}/api/submissions/${id}`)).json()) as { status: string; error: string; attempts: number };
      return s.status === 'failed' ? s : undefined;
    });
    expect(failed.error).toBe(`evaluation failed after 2 attempts: timed out after 4 s (the server's --eval-timeout)`);
    expect(failed.attempts).toBe(2);
    expect(pids).toHaveLength(3);
    expect(pids.filter(alive)).toEqual([]);
    const board = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: unknown[] };
    expect(board.boards).toEqual([]);
  }, 40_000);
});

describe.skipIf(!shared)('sandboxed evaluations (memory-hungry ONNX)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-sandbox-mem-'));
  const pids: number[] = [];
  let server: RunningServer | undefined;
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('kills an evaluation past --eval-memory with its process and fails the submission with the reason', async () => {
    server = await startServer({
      db: join(tmp, 'gb.db'),
      port: 0,
      evaluation: { n: 256, bootstrap: 0, extractor: `discriminator:${join(shared ?? '', 'fixtures/submissions/mnist-dcgan-disc.onnx')}`, memorization: false },
      evaluationLimits: { timeoutMs: 60_000, memoryMb: 700, maxSamples: 1000, maxAttempts: 1 },
      cacheDir: join(tmp, 'features'),
      onEvaluationSpawn: (pid) => pids.push(pid),
      app: { rating: { config: { fakePoolSize: 64 } } },
    });
    const { token } = await createToken(server.store.sql, { name: 'hungry' });
    // 25.7 MB per sample: a batch of 64 needs 1.6 GB, more than twice the limit
    const { onnx, manifest } = hungryOnnxParts({ repeats: 8192 });
    const res = await upload(server.url, token, [onnx, manifest]);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const failed = await until('the memory failure', async () => {
      const s = (await (await fetch(`${server!.url}/api/submissions/${id}`)).json()) as { status: string; error: string | null; attempts: number };
      return s.status === 'failed' ? s : undefined;
    }, 40_000);
    expect(failed.error).toBe(`evaluation failed after 1 attempt: used more than 700 MiB of memory (the server's --eval-memory)`);
    expect(pids).toHaveLength(1);
    expect(alive(pids[0]!)).toBe(false);
    // the server itself answers as before, and the failed model is on no board
    const board = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: unknown[] };
    expect(board.boards).toEqual([]);
  }, 60_000);
});
