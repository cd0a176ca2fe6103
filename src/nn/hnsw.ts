import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { silentProgress, type Progress } from '../progress.js';
import { sweepStaleTemps } from '../assets/fetch.js';
import { writeFileAtomic } from '../io/atomic.js';
import { nnIndexDir, nnIndexKey, nnIndexRecord, prepareIndexDir, readIndexMeta, writeIndexMeta, HNSW_LIBRARY, type IndexMeta } from './cache.js';
import { checkMatrix, checkMetric, checkQuery, emptyResult, prepareRows, rankCandidates } from './common.js';
import { IndexWorker } from './hnsw-pool.js';
import { encodeProjection, fitProjection, projectRows, readProjection, type Projection } from './projection.js';
import type { NearestNeighbors, NeighborResult, NnMatrix, NnMetric, SearchOptions } from './types.js';

/**
 * Approximate nearest neighbours with HNSW (Malkov & Yashunin 2018) on hnswlib-node, in worker threads.
 * Search space: rows with more than 2 x 64 features are projected on their top 64 principal directions
 * (projection.ts, `project`) and the graph is built and walked there; every query asks the index for `candidates`
 * rows (default max(2k, 20)), which are re-ranked by exact float64 distances in the full space (types.ts
 * conventions), so distances are exact and only membership is approximate (recall). Measured on 50,000 x 768
 * feature-like rows, one thread, M 16, ef 100: 0.34 ms per query instead of 0.71 at the same recall@1 (0.985 vs
 * 0.982), and a 4.5x cheaper build. `project: 0` indexes the rows themselves.
 * Layout: `shards` > 1 splits the training rows into contiguous shards, one index per worker, built in parallel;
 * every query searches every shard and the shard results are merged. `shards` = 1 builds one index (in one worker)
 * and loads replicas of it into `threads` workers that split the queries. Queries go out in chunks, and the
 * re-ranking of one chunk overlaps the search of the next. Indexes (and their projection) are saved to and loaded
 * from the content-addressed cache (cache.ts) unless `cache: false`. Defaults (HNSW_DEFAULTS) from a sweep on
 * 200,000 x 768 feature-like rows (`npm run bench:nn`; M 32/48, ef 60-160, projection 32/48/64): M 48,
 * efConstruction 200, ef max(80, candidates) gave recall@1 0.9945 and recall@10 0.973 (M 32 needed ef 120, ~25%
 * slower; ef 60 fell to 0.985).
 *
 * @example
 * const nn = await hnswNearestNeighbors(train, { metric: 'l2' });
 * nn.recipe; // { method: 'hnsw', m: 48, efConstruction: 200, ef: 80, project: 64, shards: 1, cacheKey: '9c1f...', ... }
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
  /** Dimensions of the projection the index is built on (0: none; default `defaultProjection(cols)`). */
  readonly project?: number;
  /** Rows per query (per shard) taken from the index for the exact re-ranking (default max(2k, 20) with a projection, else k). */
  readonly candidates?: number;
}

export const HNSW_DEFAULTS = Object.freeze({ m: 48, efConstruction: 200, ef: 80, seed: 100, project: 64 });

/** Below this many rows per core, one index is built (sharding a small set gains little and costs query time). */
export const MIN_SHARD_ROWS = 25_000;
/** The same for an index on a projection, whose build is cheap and whose queries would pay for every shard. */
export const MIN_SHARD_ROWS_PROJECTED = 500_000;

/** Default shard count: one per core once each shard has at least MIN_SHARD_ROWS (projected: ..._PROJECTED) rows, else 1. */
export function autoShards(rows: number, cores = availableParallelism(), projected = false): number {
  return Math.max(1, Math.min(cores, Math.floor(rows / (projected ? MIN_SHARD_ROWS_PROJECTED : MIN_SHARD_ROWS))));
}

/** Default projection: HNSW_DEFAULTS.project dims for rows with more than twice as many features, else none. */
export function defaultProjection(cols: number): number {
  return cols > 2 * HNSW_DEFAULTS.project ? HNSW_DEFAULTS.project : 0;
}

/** Candidates per query and shard for a k-NN search. */
function candidatesFor(k: number, projected: boolean, option: number | undefined): number {
  return Math.max(k, option ?? (projected ? Math.max(2 * k, 20) : k));
}

/** Queries per worker request: the re-ranking of one chunk runs while the workers search the next. */
const QUERY_CHUNK = 1024;
const PROJECTION_FILE = 'projection.bin';

export async function hnswNearestNeighbors(train: NnMatrix, opts: HnswOptions = {}): Promise<HnswNearestNeighbors> {
  const metric = checkMetric(opts.metric ?? 'l2');
  checkMatrix(train, 'train');
  const project = int(opts.project ?? defaultProjection(train.cols), 'project', 0);
  if (project >= train.cols) throw new GenbenchError('USAGE', `hnsw project must be below the feature count ${train.cols} (or 0 for none), got ${project}`);
  const p = {
    metric,
    m: int(opts.m ?? HNSW_DEFAULTS.m, 'm', 2),
    efConstruction: int(opts.efConstruction ?? HNSW_DEFAULTS.efConstruction, 'efConstruction', 1),
    seed: int(opts.seed ?? HNSW_DEFAULTS.seed, 'seed', 0),
    shards: Math.min(train.rows, int(opts.shards ?? autoShards(train.rows, undefined, project > 0), 'shards', 1)),
    project,
  };
  const ef = int(opts.ef ?? HNSW_DEFAULTS.ef, 'ef', 1);
  const candidates = opts.candidates === undefined ? undefined : int(opts.candidates, 'candidates', 1);
  const threads = p.shards > 1 ? p.shards : Math.min(train.rows, int(opts.threads ?? availableParallelism(), 'threads', 1));
  const prepared = prepareRows(train, metric, 'train');
  const record = nnIndexRecord(train, p);
  const key = nnIndexKey(record);
  const useCache = opts.cache ?? true;
  const dir = useCache ? join(opts.cacheDir ?? nnIndexDir(), key) : await mkdtemp(join(tmpdir(), 'genbench-hnsw-'));
  const workers = Array.from({ length: threads }, () => new IndexWorker());
  try {
    const cached = useCache ? await readIndexMeta(dir, key) : null;
    const hit = cached !== null;
    const { meta, projection } = cached === null
      ? await build(workers, prepared, p, dir, key, record, opts.progress ?? silentProgress)
      : { meta: cached, projection: cached.projection === undefined ? undefined : await readProjection(join(dir, cached.projection.file)) };
    const d = projection?.dims ?? train.cols;
    await Promise.all(workers.map((w, i) => {
      const s = meta.shards[p.shards > 1 ? i : 0]!;
      return hit || (p.shards === 1 && i > 0) ? w.call({ type: 'load', path: join(dir, s.file), d, offset: s.from }) : Promise.resolve(0);
    }));
    const recipe = {
      method: 'hnsw', metric, library: HNSW_LIBRARY, space: metric === 'l2' ? 'l2' : 'l2 on unit rows (= cosine order)',
      distance: metric === 'l2' ? 'euclidean (not squared), re-ranked in float64' : '1 - cos, re-ranked in float64',
      m: p.m, efConstruction: p.efConstruction, ef, seed: p.seed, shards: p.shards, threads,
      project: p.project, ...(projection === undefined ? {} : { projectionExplained: projection.explained }),
      candidates: candidates ?? (p.project > 0 ? 'max(2k, 20)' : 'k'),
      cacheKey: key, cacheHit: hit, buildSeconds: meta.buildSeconds, ...(useCache ? { cacheDir: dir } : {}),
    };
    return new HnswNearestNeighbors(prepared, metric, workers, meta, { ef, candidates, projection }, recipe, useCache ? undefined : dir);
  } catch (e) {
    await Promise.all(workers.map((w) => w.close()));
    if (!useCache) await rm(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Builds the shards (in parallel, one worker each; or one index in worker 0) on the rows or their projection
 * (fitted and written first), and records them in meta.json; returns the meta and the projection.
 */
async function build(workers: IndexWorker[], t: NnMatrix, p: { m: number; efConstruction: number; seed: number; shards: number; project: number }, dir: string, key: string, record: Record<string, unknown>, progress: Progress): Promise<{ meta: IndexMeta; projection: Projection | undefined }> {
  const files = await prepareIndexDir(dir, p.shards);
  const t0 = performance.now();
  let rows: Float32Array | Float64Array = t.data;
  let d = t.cols;
  let projection: Projection | undefined;
  if (p.project > 0) {
    projection = await fitProjection(t, p.project, p.seed);
    await sweepStaleTemps(join(dir, PROJECTION_FILE));
    await writeFileAtomic(join(dir, PROJECTION_FILE), encodeProjection(projection));
    rows = await projectRows(t, projection);
    d = p.project;
  }
  const shared = new SharedArrayBuffer(t.rows * d * 4);
  new Float32Array(shared).set(rows);
  const ranges = files.map((f, s) => ({ ...f, from: Math.floor((s * t.rows) / p.shards), to: Math.floor(((s + 1) * t.rows) / p.shards) }));
  progress.start(t.rows, `building HNSW index (${p.shards} shard${p.shards > 1 ? 's' : ''}${p.project > 0 ? `, ${p.project}-d projection` : ''})`);
  await Promise.all(ranges.map(async (r, s) => {
    await workers[s]!.call({ type: 'build', data: shared, d, from: r.from, to: r.to, m: p.m, efConstruction: p.efConstruction, seed: p.seed + s, save: { tmp: r.tmp, path: r.path } });
    progress.tick(r.to - r.from);
  }));
  progress.stop();
  const seconds = (performance.now() - t0) / 1000;
  const meta = await writeIndexMeta(dir, key, record, ranges.map(({ file, from, to }) => ({ file, from, to })), seconds, projection === undefined ? undefined : PROJECTION_FILE);
  return { meta, projection };
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
    private readonly search_: { readonly ef: number; readonly candidates: number | undefined; readonly projection: Projection | undefined },
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
    const { projection } = this.search_;
    const rows = projection === undefined ? q.data : await projectRows(q, projection);
    const d = projection?.dims ?? q.cols;
    const shared = new SharedArrayBuffer(q.rows * d * 4);
    new Float32Array(shared).set(rows);
    const shards = this.meta.shards.length;
    const kc = candidatesFor(k, projection !== undefined, this.search_.candidates);
    const stride = kc * shards;
    const out = new SharedArrayBuffer(q.rows * stride * 4);
    const labels = new Int32Array(out);
    const base = { type: 'search' as const, data: shared, d, k: kc, ef: Math.max(this.search_.ef, kc), out, outStride: stride };
    const dispatch = (from: number, to: number): Promise<unknown> =>
      Promise.all(shards > 1
        ? this.workers.map((w, s) => w.call({ ...base, from, to, outOffset: s * kc }))
        : this.workers.map((w, i, all) => w.call({ ...base, from: from + Math.floor((i * (to - from)) / all.length), to: from + Math.floor(((i + 1) * (to - from)) / all.length), outOffset: 0 })));
    const res = emptyResult(q.rows, k);
    const progress = opts.progress ?? silentProgress;
    progress.start(q.rows, 'HNSW search');
    let pending = dispatch(0, Math.min(q.rows, QUERY_CHUNK));
    for (let from = 0; from < q.rows; from += QUERY_CHUNK) {
      await pending;
      const to = Math.min(q.rows, from + QUERY_CHUNK);
      if (to < q.rows) pending = dispatch(to, Math.min(q.rows, to + QUERY_CHUNK));
      for (let i = from; i < to; i++) this.rerank(q, i, labels, stride, k, res);
      progress.tick(to - from);
    }
    progress.stop();
    return res;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all(this.workers.map((w) => w.close()));
    if (this.tempDir !== undefined) await rm(this.tempDir, { recursive: true, force: true });
  }

  /** Exact float64 ranking of query i's candidates (all training rows when the shards returned fewer than k). */
  private rerank(q: NnMatrix, i: number, labels: Int32Array, stride: number, k: number, res: NeighborResult): void {
    let cand: number[] = [];
    for (let t = i * stride; t < (i + 1) * stride; t++) if (labels[t]! >= 0) cand.push(labels[t]!);
    if (cand.length < k) cand = Array.from({ length: this.size }, (_, j) => j);
    rankCandidates(q, i, this.train, cand, k, this.metric, res);
  }
}

function int(v: number, name: string, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new GenbenchError('USAGE', `hnsw ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}
