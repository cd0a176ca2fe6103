import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { silentProgress, type Progress } from '../progress.js';
import { nnIndexDir, nnIndexKey, nnIndexRecord, prepareIndexDir, readIndexMeta, writeIndexMeta, HNSW_LIBRARY, type IndexMeta } from './cache.js';
import { checkMatrix, checkMetric, checkQuery, emptyResult, prepareRows, rankCandidates } from './common.js';
import { IndexWorker } from './hnsw-pool.js';
import type { NearestNeighbors, NeighborResult, NnMatrix, NnMetric, SearchOptions } from './types.js';

/**
 * Approximate nearest neighbours with HNSW (Malkov & Yashunin 2018) on hnswlib-node, in worker threads.
 * Layout: `shards` > 1 splits the training rows into contiguous shards, one index per worker, built in parallel;
 * every query searches every shard and the shard results are merged. `shards` = 1 builds one index (in one worker)
 * and loads replicas of it into `threads` workers that split the queries. The k labels each shard returns are
 * re-ranked by exact float64 distance (types.ts conventions), so distances are exact; only membership is
 * approximate (recall). Indexes are saved to and loaded from the content-addressed cache (cache.ts) unless
 * `cache: false`. Defaults (HNSW_DEFAULTS) favour recall: M 32, efConstruction 200, ef max(100, k).
 *
 * @example
 * const nn = await hnswNearestNeighbors(train, { metric: 'l2' });
 * nn.recipe; // { method: 'hnsw', m: 32, efConstruction: 200, ef: 100, shards: 2, cacheKey: '9c1f...', cacheHit: false, ... }
 * const r = await nn.search(query, 10);
 * await nn.dispose();
 */
export interface HnswOptions {
  readonly metric?: NnMetric;
  /** Graph degree (hnswlib M). */
  readonly m?: number;
  readonly efConstruction?: number;
  /** Search beam width (at least k is used). */
  readonly ef?: number;
  /** hnswlib level-generation seed. */
  readonly seed?: number;
  /** Number of index shards (default: autoShards(rows)). */
  readonly shards?: number;
  /** Query workers when shards = 1 (default: the number of cores). */
  readonly threads?: number;
  /** Use the index cache (default true). */
  readonly cache?: boolean;
  /** Cache folder (default GENBENCH_HOME/nn-index). */
  readonly cacheDir?: string;
  /** Progress of the build (rows inserted, per shard batch). */
  readonly progress?: Progress;
}

export const HNSW_DEFAULTS = Object.freeze({ m: 32, efConstruction: 200, ef: 100, seed: 100 });

/** Below this many rows per core, one index is built (sharding a small set gains little and costs query time). */
export const MIN_SHARD_ROWS = 25_000;

/** Default shard count: one per core once each shard has at least MIN_SHARD_ROWS rows, else 1. */
export function autoShards(rows: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, Math.floor(rows / MIN_SHARD_ROWS)));
}

export async function hnswNearestNeighbors(train: NnMatrix, opts: HnswOptions = {}): Promise<HnswNearestNeighbors> {
  const metric = checkMetric(opts.metric ?? 'l2');
  checkMatrix(train, 'train');
  const p = {
    metric,
    m: int(opts.m ?? HNSW_DEFAULTS.m, 'm', 2),
    efConstruction: int(opts.efConstruction ?? HNSW_DEFAULTS.efConstruction, 'efConstruction', 1),
    seed: int(opts.seed ?? HNSW_DEFAULTS.seed, 'seed', 0),
    shards: Math.min(train.rows, int(opts.shards ?? autoShards(train.rows), 'shards', 1)),
  };
  const ef = int(opts.ef ?? HNSW_DEFAULTS.ef, 'ef', 1);
  const threads = p.shards > 1 ? p.shards : Math.min(train.rows, int(opts.threads ?? availableParallelism(), 'threads', 1));
  const prepared = prepareRows(train, metric, 'train');
  const record = nnIndexRecord(train, p);
  const key = nnIndexKey(record);
  const useCache = opts.cache ?? true;
  const dir = useCache ? join(opts.cacheDir ?? nnIndexDir(), key) : await mkdtemp(join(tmpdir(), 'genbench-hnsw-'));
  const workers = Array.from({ length: threads }, () => new IndexWorker());
  try {
    let meta = useCache ? await readIndexMeta(dir, key) : null;
    const hit = meta !== null;
    if (meta === null) meta = await build(workers, prepared, p, dir, key, record, opts.progress ?? silentProgress);
    await Promise.all(workers.map((w, i) => {
      const s = meta!.shards[p.shards > 1 ? i : 0]!;
      return hit || (p.shards === 1 && i > 0) ? w.call({ type: 'load', path: join(dir, s.file), d: train.cols, offset: s.from }) : Promise.resolve(0);
    }));
    const recipe = {
      method: 'hnsw', metric, library: HNSW_LIBRARY, space: metric === 'l2' ? 'l2' : 'l2 on unit rows (= cosine order)',
      distance: metric === 'l2' ? 'euclidean (not squared), re-ranked in float64' : '1 - cos, re-ranked in float64',
      m: p.m, efConstruction: p.efConstruction, ef, seed: p.seed, shards: p.shards, threads,
      cacheKey: key, cacheHit: hit, buildSeconds: meta.buildSeconds, ...(useCache ? { cacheDir: dir } : {}),
    };
    return new HnswNearestNeighbors(prepared, metric, workers, meta, ef, recipe, useCache ? undefined : dir);
  } catch (e) {
    await Promise.all(workers.map((w) => w.close()));
    if (!useCache) await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Builds the shards (in parallel, one worker each; or one index in worker 0) and records them in meta.json. */
async function build(workers: IndexWorker[], t: NnMatrix, p: { m: number; efConstruction: number; seed: number; shards: number }, dir: string, key: string, record: Record<string, unknown>, progress: Progress): Promise<IndexMeta> {
  const files = await prepareIndexDir(dir, p.shards);
  const shared = new SharedArrayBuffer(t.rows * t.cols * 4);
  new Float32Array(shared).set(t.data);
  const ranges = files.map((f, s) => ({ ...f, from: Math.floor((s * t.rows) / p.shards), to: Math.floor(((s + 1) * t.rows) / p.shards) }));
  progress.start(t.rows, `building HNSW index (${p.shards} shard${p.shards > 1 ? 's' : ''})`);
  const t0 = performance.now();
  await Promise.all(ranges.map(async (r, s) => {
    await workers[s]!.call({ type: 'build', data: shared, d: t.cols, from: r.from, to: r.to, m: p.m, efConstruction: p.efConstruction, seed: p.seed + s, save: { tmp: r.tmp, path: r.path } });
    progress.tick(r.to - r.from);
  }));
  progress.stop();
  const seconds = (performance.now() - t0) / 1000;
  return writeIndexMeta(dir, key, record, ranges.map(({ file, from, to }) => ({ file, from, to })), seconds);
}

export class HnswNearestNeighbors implements NearestNeighbors {
  readonly kind = 'hnsw' as const;
  readonly size: number;
  readonly dims: number;
  private disposed = false;

  constructor(
    private readonly train: NnMatrix,
    readonly metric: NnMetric,
    private readonly workers: readonly IndexWorker[],
    private readonly meta: IndexMeta,
    private readonly ef: number,
    readonly recipe: Readonly<Record<string, unknown>>,
    private readonly tempDir: string | undefined,
  ) {
    this.size = train.rows;
    this.dims = train.cols;
  }

  async search(query: NnMatrix, k: number, opts: SearchOptions = {}): Promise<NeighborResult> {
    if (this.disposed) throw new Error('hnsw nearest neighbours: search after dispose()');
    checkQuery(query, k, this.size, this.dims);
    const q = prepareRows(query, this.metric, 'query');
    const shared = new SharedArrayBuffer(q.rows * q.cols * 4);
    new Float32Array(shared).set(q.data);
    const shards = this.meta.shards.length;
    const stride = k * shards;
    const out = new SharedArrayBuffer(q.rows * stride * 4);
    const ef = Math.max(this.ef, k);
    const progress = opts.progress ?? silentProgress;
    progress.start(q.rows, 'HNSW search');
    const base = { type: 'search' as const, data: shared, d: q.cols, k, ef, out, outStride: stride };
    const calls = shards > 1
      ? this.workers.map((w, s) => w.call({ ...base, from: 0, to: q.rows, outOffset: s * k }))
      : this.workers.map((w, i, all) => {
          const from = Math.floor((i * q.rows) / all.length);
          const to = Math.floor(((i + 1) * q.rows) / all.length);
          return w.call({ ...base, from, to, outOffset: 0 }).then((s) => (progress.tick(to - from), s));
        });
    await Promise.all(calls);
    progress.stop();
    return this.rerank(q, new Int32Array(out), stride, k);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.workers.map((w) => w.close()));
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
  }

  /** Exact float64 ranking of the shard results (all training rows for a query whose shards returned < k labels). */
  private rerank(q: NnMatrix, labels: Int32Array, stride: number, k: number): NeighborResult {
    const res = emptyResult(q.rows, k);
    for (let i = 0; i < q.rows; i++) {
      let cand: number[] = [];
      for (let t = i * stride; t < (i + 1) * stride; t++) if (labels[t]! >= 0) cand.push(labels[t]!);
      if (cand.length < k) cand = Array.from({ length: this.size }, (_, j) => j);
      rankCandidates(q, i, this.train, cand, k, this.metric, res);
    }
    return res;
  }
}

function int(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new GenbenchError('USAGE', `hnsw ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}
