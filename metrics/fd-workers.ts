/**
 * FD of many resamples on worker threads, so that both cores work: a resample's FD is mostly products (onnxruntime,
 * all cores) and an eigenvalue problem whose band-to-tridiagonal chase is JavaScript (one core), so one resample at
 * a time leaves a core idle about half the time. Each worker computes whole resamples (`weightedFd`, the same code
 * as in this thread) with its share of onnxruntime's threads; the values are bit-for-bit those of this thread.
 *
 * Memory: the rows of both sets and their centred float32 copy are shared with every worker (SharedArrayBuffer,
 * one copy whatever the number of workers); a worker holds only its current resample's products.
 *
 * The pool is opened only where it pays: compiled JavaScript (a worker cannot load the TypeScript sources that
 * tests run), more than one core, and enough work (`FD_POOL_MIN_WORK`) to repay starting the workers (~0.3 s).
 *
 * @example
 * const pool = await openFdPool(sets, 100);        // undefined where it would not pay
 * const fd = await pool?.run(w, v);                // one resample's FD (multiplicities w, v)
 * await pool?.close();
 */
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { limitComputeThreads } from '../src/backend/onnx.js';
import type { Matrix } from '../src/linalg/matrix.js';
import type { CentredRows } from './fd-resampled.js';
import type { FeatureSets } from './types.js';

export interface FdPool {
  /** FD of the sets weighted by row multiplicities w (generated) and v (reference). */
  run(w: Float64Array, v: Float64Array): Promise<number>;
  /** Stops the workers (pending runs are rejected). */
  close(): Promise<void>;
  readonly workers: number;
}

export interface FdPoolOptions {
  /** Number of workers (default: one per core, at most MAX_WORKERS). */
  readonly workers?: number;
  /** Open the pool whatever the amount of work (tests). */
  readonly force?: boolean;
}

/** Multiply-adds a resampling run must reach (jobs x (e^3 + n d e), e = min(d, rows)) before workers are started: ~2 s of work. */
export const FD_POOL_MIN_WORK = 1e10;
const MAX_WORKERS = 8;
const ROLE = 'genbench-fd-worker';

interface SharedSet {
  readonly rows: number;
  readonly cols: number;
  readonly data: SharedArrayBuffer;
  readonly mean: Float64Array;
  readonly centred: SharedArrayBuffer;
  readonly sqNorms: Float64Array;
}

interface Reply {
  readonly id: number;
  readonly value?: number;
  readonly error?: string;
}

export async function openFdPool(sets: FeatureSets, jobs: number, opts: FdPoolOptions = {}): Promise<FdPool | undefined> {
  const cores = availableParallelism();
  const n = Math.min(opts.workers ?? Math.min(cores, MAX_WORKERS), jobs);
  const { rows, cols: d } = sets.generated;
  const e = Math.min(d, rows, sets.reference.rows); // the eigenproblem's size (Gram route below d rows)
  const work = jobs * (e ** 3 + (rows + sets.reference.rows) * d * e);
  if (!import.meta.url.endsWith('.js') || n < 2 || (opts.force !== true && work < FD_POOL_MIN_WORK)) return undefined;
  const { centredRows } = await import('./fd-resampled.js');
  const shared = [share(sets.generated, centredRows(sets.generated)), share(sets.reference, centredRows(sets.reference))];
  const threads = Math.max(1, Math.floor(cores / n));
  const workers = Array.from({ length: n }, () => new Worker(new URL(import.meta.url), { workerData: { role: ROLE, sets: shared, threads } }));
  return pool(workers);
}

function share(x: Matrix, c: CentredRows): SharedSet {
  const data = new SharedArrayBuffer(x.data.byteLength);
  new Float64Array(data).set(x.data);
  const centred = new SharedArrayBuffer(c.rows.byteLength);
  new Float32Array(centred).set(c.rows);
  return { rows: x.rows, cols: x.cols, data, mean: c.mean, centred, sqNorms: c.sqNorms };
}

/** A queue of runs over the workers: each worker holds at most one run; a worker's failure fails every run. */
function pool(workers: Worker[]): FdPool {
  const queue: { id: number; w: Float64Array; v: Float64Array }[] = [];
  const pending = new Map<number, { resolve: (v: number) => void; reject: (e: Error) => void }>();
  const idle = [...workers];
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
    queue.length = 0;
  };
  const pump = () => {
    while (idle.length > 0 && queue.length > 0) {
      const job = queue.shift()!;
      idle.pop()!.postMessage(job);
    }
  };
  for (const worker of workers) {
    worker.on('message', (r: Reply) => {
      const p = pending.get(r.id);
      pending.delete(r.id);
      idle.push(worker);
      if (r.error === undefined) p?.resolve(r.value!);
      else {
        fail(new Error(`FD worker: ${r.error}`));
        p?.reject(failure!);
      }
      pump();
    });
    worker.on('error', (e) => fail(e));
    worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`FD worker exited with code ${code}`));
    });
  }
  return {
    workers: workers.length,
    run(w, v) {
      if (failure !== undefined) return Promise.reject(failure);
      const id = nextId++;
      const done = new Promise<number>((resolve, reject) => pending.set(id, { resolve, reject }));
      queue.push({ id, w, v });
      pump();
      return done;
    },
    async close() {
      fail(new Error('FD worker pool closed'));
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}

/** The worker's side: the shared sets, then one `weightedFd` per message. */
async function serve(data: { sets: [SharedSet, SharedSet]; threads: number }): Promise<void> {
  limitComputeThreads(data.threads);
  const { seedCentredRows, weightedFd } = await import('./fd-resampled.js');
  const [generated, reference] = data.sets.map((s) => {
    const x: Matrix = { rows: s.rows, cols: s.cols, data: new Float64Array(s.data) };
    seedCentredRows(x, { mean: s.mean, rows: new Float32Array(s.centred), sqNorms: s.sqNorms });
    return x;
  }) as [Matrix, Matrix];
  const sets: FeatureSets = { generated, reference };
  parentPort!.on('message', (m: { id: number; w: Float64Array; v: Float64Array }) => {
    weightedFd(sets, m.w, m.v).then(
      (value) => parentPort!.postMessage({ id: m.id, value } satisfies Reply),
      (e: unknown) => parentPort!.postMessage({ id: m.id, error: e instanceof Error ? (e.stack ?? e.message) : String(e) } satisfies Reply),
    );
  });
}

if (!isMainThread && (workerData as { role?: unknown } | null)?.role === ROLE) void serve(workerData as never);
