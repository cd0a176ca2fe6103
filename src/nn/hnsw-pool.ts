import { Worker } from 'node:worker_threads';
import { hnswAddon } from './hnsw-addon.js';

/**
 * Worker threads that each own one hnswlib-node HierarchicalNSW index (a shard of the training rows, or a replica of
 * the whole index): hnswlib-node inserts and searches synchronously on the calling thread, so parallelism comes
 * from several workers. Rows travel in SharedArrayBuffers (float32, row-major), results come back in a shared
 * Int32Array (training row labels, -1 where a shard returned fewer than k). Every index uses space 'l2' on the
 * prepared rows (unit rows for cosine: same order as hnswlib's 'cosine' space).
 *
 * @example
 * const w = new IndexWorker();
 * await w.call({ type: 'build', data, d: 768, from: 0, to: 100000, m: 32, efConstruction: 200, seed: 100 });
 * await w.call({ type: 'search', data: q, d: 768, from: 0, to: 500, k: 10, ef: 100, out, outStride: 10 });
 * await w.close();
 */
export type WorkerRequest =
  | { type: 'build'; data: SharedArrayBuffer; d: number; from: number; to: number; m: number; efConstruction: number; seed: number; save?: { tmp: string; path: string } }
  | { type: 'load'; path: string; d: number; offset: number }
  | { type: 'search'; data: SharedArrayBuffer; d: number; from: number; to: number; k: number; ef: number; out: SharedArrayBuffer; outStride: number; outOffset: number };

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { HierarchicalNSW } = require(workerData.hnswlib);
let index = null;
let offset = 0;
let size = 0;
function handle(m) {
  if (m.type === 'build') {
    const x = new Float32Array(m.data);
    size = m.to - m.from;
    offset = m.from;
    index = new HierarchicalNSW('l2', m.d);
    index.initIndex({ maxElements: size, m: m.m, efConstruction: m.efConstruction, randomSeed: m.seed });
    for (let i = 0; i < size; i++) index.addPoint(Array.from(x.subarray((m.from + i) * m.d, (m.from + i + 1) * m.d)), i);
    if (m.save) { index.writeIndexSync(m.save.tmp); fs.renameSync(m.save.tmp, m.save.path); }
    return {};
  }
  if (m.type === 'load') {
    index = new HierarchicalNSW('l2', m.d);
    index.readIndexSync(m.path);
    offset = m.offset;
    size = index.getCurrentCount();
    return {};
  }
  if (m.type === 'search') {
    const q = new Float32Array(m.data);
    const out = new Int32Array(m.out);
    const k = Math.min(m.k, size);
    index.setEf(Math.max(m.ef, k));
    for (let i = m.from; i < m.to; i++) {
      const r = index.searchKnn(Array.from(q.subarray(i * m.d, (i + 1) * m.d)), k);
      const base = i * m.outStride + m.outOffset;
      for (let t = 0; t < m.k; t++) out[base + t] = t < r.neighbors.length ? r.neighbors[t] + offset : -1;
    }
    return {};
  }
  throw new Error('unknown request ' + m.type);
}
parentPort.on('message', ({ id, req }) => {
  const t0 = process.hrtime.bigint();
  try {
    handle(req);
    parentPort.postMessage({ id, ok: true, seconds: Number(process.hrtime.bigint() - t0) / 1e9 });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: String(e && e.message || e) });
  }
});
`;

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly seconds?: number;
  readonly error?: string;
}

/** One worker thread holding one index; `call` runs one request and resolves with its run time in seconds. */
export class IndexWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (s: number) => void; reject: (e: Error) => void }>();
  private next = 0;

  constructor() {
    this.worker = new Worker(SOURCE, { eval: true, workerData: { hnswlib: hnswAddon().path } });
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (r.ok) p?.resolve(r.seconds ?? 0);
      else p?.reject(new Error(`hnsw worker: ${r.error}`));
    });
    this.worker.on('error', (e) => this.failAll(e));
    this.worker.unref();
  }

  call(req: WorkerRequest): Promise<number> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref(); // a pending call keeps the process alive; an idle worker does not
      this.worker.postMessage({ id, req });
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error('hnsw worker closed'));
    await this.worker.terminate();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
