import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BullMqQueue } from '../../src/queue/bullmq.js';
import { evaluationRecipe } from '../../src/server/evaluate-job.js';
import { jobId } from '../../src/queue/job-queue.js';
import { openDatabase } from '../../src/store/open.js';
import { createSubmission, listSubmissions, type Store } from '../../src/store/index.js';
import { getSubmission } from '../../src/store/submissions.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { BIN, runCli } from '../helpers/cli.js';
import { createDatabase, serviceBinaries, startPostgres, startRedis, stopChild, type Service } from '../helpers/services.js';

/**
 * The cluster end to end, on real services: PostgreSQL and Redis of our own, 20 submissions of the shared MNIST
 * DCGAN queued in BullMQ, two `genbench worker` child processes; one is SIGKILLed in the middle of a job. Every
 * submission must end 'done' with exactly one evaluation row, and the killed job must have run again elsewhere.
 * No folder is shared: the test's store, each worker and the server have their own --data-dir, so the checkpoint
 * reaches the workers, and their sample grids the others, through PostgreSQL alone.
 */
const shared = optionalSharedAssets();
const available = serviceBinaries('postgres') && serviceBinaries('redis');
const JOBS = 20;
const LOCK_MS = 3000;

let pgServer: Service | undefined;
let redis: Service | undefined;
let store: Store | undefined;
let queue: BullMqQueue | undefined;
let databaseUrl = '';
const dataDir = mkdtempSync(join(tmpdir(), 'genbench-cluster-files-'));
const dirs = [dataDir];
/** A fresh --data-dir for one process (none is shared). */
function ownDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'genbench-cluster-files-'));
  dirs.push(d);
  return d;
}
const home = mkdtempSync(join(tmpdir(), 'genbench-cluster-home-'));
const workers: ChildProcess[] = [];

beforeAll(async () => {
  if (!available || shared === undefined) return;
  [pgServer, redis] = await Promise.all([startPostgres(), startRedis()]);
  databaseUrl = await createDatabase(pgServer, 'cluster');
  store = await openDatabase({ databaseUrl, dataDir });
  queue = new BullMqQueue({ url: redis.url });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map(stopChild));
  await queue?.close();
  await store?.close();
  await redis?.stop();
  await pgServer?.stop();
  for (const d of [...dirs, home]) rmSync(d, { recursive: true, force: true });
});

interface Worker {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly lines: string[];
  /** Resolves when a stderr line matches. */
  waitFor(re: RegExp, count?: number): Promise<string>;
}

function startWorker(): Worker {
  const env = { ...process.env, DATABASE_URL: databaseUrl, GENBENCH_ASSETS: shared!, GENBENCH_HOME: home, GENBENCH_REDIS: undefined };
  const own = ownDataDir();
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', redis!.url, '--data-dir', own, '--lock-ms', String(LOCK_MS)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  workers.push(child);
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let rest = '';
  child.stderr!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
    for (const w of waiters) w();
  });
  child.stdout!.resume();
  const waitFor = (re: RegExp, count = 1) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hits = lines.filter((l) => re.test(l));
        if (hits.length >= count) resolve(hits[count - 1]!);
        else if (child.exitCode !== null) reject(new Error(`worker exited ${child.exitCode}: ${lines.join('\n')}`));
      };
      waiters.push(check);
      child.once('exit', check);
      check();
    });
  return { child, dataDir: own, lines, waitFor };
}

describe.skipIf(!available || !shared)('BullMQ workers on Redis with PostgreSQL', () => {
  it('evaluates 20 queued submissions exactly once although a worker is killed mid-job', async () => {
    const subs = join(shared!, 'fixtures/submissions');
    const manifest = JSON.parse(readFileSync(join(subs, 'mnist-dcgan.genbench.json'), 'utf8')) as Record<string, unknown>;
    const blob = await store!.blobs.putFile(join(subs, 'mnist-dcgan.onnx'), { keep: true });
    // no memorisation checks: they would extract the 6272-d discriminator features of 8000 training images per worker
    const recipe = evaluationRecipe({ n: 32, bootstrap: 0, extractor: `discriminator:${join(subs, 'mnist-dcgan-disc.onnx')}`, memorization: false }, 'mnist');
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const { submission } = await createSubmission(store!.sql, {
        model: { name: `dcgan-${i}`, kind: 'submission', format: 'onnx', manifest },
        files: [{ name: 'mnist-dcgan.onnx', ...blob }],
        mainFile: 'mnist-dcgan.onnx',
        dataset: 'mnist',
      });
      ids.push((await queue!.enqueue({ submissionId: submission.id, recipe })).id);
    }
    expect((await queue!.enqueue({ submissionId: (await listSubmissions(store!.sql))[0]!.id, recipe })).deduplicated).toBe(true);

    const a = startWorker();
    const b = startWorker();
    await a.waitFor(/ done$/); // a has finished one job ...
    const line = await a.waitFor(/ started \(attempt \d+\)$/, 2); // ... and started another: kill it now
    a.child.kill('SIGKILL');
    const killedJob = / job (\S+) started/.exec(line)![1]!;

    const deadline = Date.now() + 90_000;
    let statuses: string[] = [];
    while (Date.now() < deadline) {
      statuses = (await listSubmissions(store!.sql)).map((s) => s.status);
      if (statuses.length === JOBS && statuses.every((s) => s === 'done' || s === 'failed')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(statuses.filter((s) => s === 'done').length, b.lines.join('\n')).toBe(JOBS);

    const rows = await store!.sql.all<{ submission_id: string; n: number }>('SELECT submission_id, COUNT(*) AS n FROM evaluations GROUP BY submission_id');
    expect(rows.length).toBe(JOBS);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.submission_id))).toEqual(new Set((await listSubmissions(store!.sql)).map((s) => s.id)));
    const killed = await queue!.status(killedJob);
    expect(killed).toMatchObject({ state: 'done' });
    expect(killed!.attempts).toBeGreaterThanOrEqual(2);
    expect(b.lines.join('\n')).toMatch(new RegExp(`job ${killedJob} started \\(attempt [2-9]\\)`));
    for (const id of ids) expect((await queue!.status(id))?.state).toBe('done');
    // the checkpoint came to b's own folder from the database; the grids it wrote reached this process's store
    expect(existsSync(join(b.dataDir, blob.sha256.slice(0, 2), blob.sha256))).toBe(true);
    const grid = await store!.sql.get<{ sha: string }>('SELECT grid_sha256 AS sha FROM evaluations WHERE grid_sha256 IS NOT NULL');
    expect(grid).toBeDefined();
    expect(existsSync(join(dataDir, grid!.sha.slice(0, 2), grid!.sha))).toBe(false);
    expect(readFileSync(await store!.blobs.localPath(grid!.sha)).subarray(1, 4).toString()).toBe('PNG');

    await stopChild(b.child);
    expect(b.child.exitCode).toBe(0);
  }, 150_000);

  it('genbench serve --redis with DATABASE_URL leaves pending submissions to the workers and queues nothing at start', async () => {
    const manifest = JSON.parse(readFileSync(join(shared!, 'fixtures/submissions/mnist-dcgan.genbench.json'), 'utf8')) as Record<string, unknown>;
    const { submission } = await createSubmission(store!.sql, { model: { name: 'pending', kind: 'submission', format: 'onnx', manifest }, files: [], mainFile: 'mnist-dcgan.onnx', dataset: 'mnist' });
    const env = { ...process.env, DATABASE_URL: databaseUrl, GENBENCH_ASSETS: shared!, GENBENCH_HOME: home, GENBENCH_REDIS: redis!.url };
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', ownDataDir(), '--eval-n', '50', '--eval-bootstrap', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    workers.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
    });
    expect(stderr).toMatch(/database postgres, jobs to Redis for genbench worker/);
    expect((await fetch(`${url}/api/leaderboard`)).status).toBe(200);
    const id = jobId({ submissionId: submission.id, recipe: evaluationRecipe({ n: 50, bootstrap: 0, ratingPool: { n: 1000, seed: 0 } }, 'mnist') });
    await new Promise((r) => setTimeout(r, 1500)); // a re-queue at start would have happened by now
    expect(await queue!.status(id)).toBeUndefined(); // Redis keeps the jobs it has: the server adds none
    expect((await getSubmission(store!.sql, submission.id))?.status).toBe('queued');
    await stopChild(child);
    expect(child.exitCode).toBe(0);
  }, 60_000);

  it('genbench worker without a Redis URL is a usage error (exit 2, one line)', async () => {
    const r = await runCli(['worker'], { env: { GENBENCH_REDIS: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('genbench: --redis: give the Redis URL of the cluster (or set GENBENCH_REDIS), e.g. --redis redis://127.0.0.1:6379\n');
  });
});
