import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { genbenchHome, sha256File } from '../assets/index.js';
import { sweepStaleTemps } from '../assets/fetch.js';
import { canonicalJson } from '../io/canonical-json.js';
import { tempPathFor, writeFileAtomic } from '../io/atomic.js';
import { VERSION } from '../version.js';
import type { NnMatrix } from './types.js';

/**
 * The content-addressed cache of HNSW indexes: `GENBENCH_HOME/nn-index/<key>/shard-<i>.hnsw` (hnswlib's own
 * format, written to a temp name then renamed) and `meta.json`, written last and atomically, recording the key's
 * record, each shard's row range, size and sha256. A folder without a valid meta.json, or whose files do not match
 * it, is a miss (rebuilt and overwritten). The key (one function builds it) is the sha256 of the
 * canonical JSON of: the format version, the sha256 of the training matrix (dtype, shape and value bytes), the
 * metric and every build parameter (M, efConstruction, seed, shards, projection dims) and the library. An index
 * built on a projection (projection.ts) stores it as `projection.bin`, listed and verified like the shards.
 *
 * @example
 * const key = nnIndexKey(nnIndexRecord(train, { metric: 'l2', m: 48, efConstruction: 200, seed: 100, shards: 1, project: 64 }));
 * await readIndexMeta(join(nnIndexDir(), key), key); // null on a miss
 */
export const NN_INDEX_FORMAT = 'genbench.nn-index/v1';
export const HNSW_LIBRARY = 'hnswlib-node 3.0.0';

export interface IndexParams {
  readonly metric: string;
  readonly m: number;
  readonly efConstruction: number;
  readonly seed: number;
  readonly shards: number;
  /** Projection dims (0: the index holds the rows themselves). */
  readonly project: number;
}

/** A file of a cache folder as meta.json records it. */
export interface FileMeta {
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** A shard file and the training rows [from, to) it indexes. */
export interface ShardMeta extends FileMeta {
  readonly from: number;
  readonly to: number;
}

export interface IndexMeta {
  readonly key: string;
  readonly format: string;
  readonly record: Record<string, unknown>;
  readonly shards: readonly ShardMeta[];
  /** The projection file (projection.ts), when the index was built on one. */
  readonly projection?: FileMeta;
  readonly buildSeconds: number;
  readonly genbenchVersion: string;
}

/** The cache folder: GENBENCH_HOME/nn-index. */
export function nnIndexDir(): string {
  return join(genbenchHome(), 'nn-index');
}

/** sha256 of a matrix: its dtype and shape line, then its value bytes. */
export function matrixSha256(m: NnMatrix): string {
  const dtype = m.data instanceof Float64Array ? 'float64' : 'float32';
  const h = createHash('sha256').update(`${dtype} ${m.rows} ${m.cols}\n`);
  h.update(new Uint8Array(m.data.buffer, m.data.byteOffset, m.rows * m.cols * m.data.BYTES_PER_ELEMENT));
  return h.digest('hex');
}

/** The record hashed into an index key (also stored in meta.json). */
export function nnIndexRecord(train: NnMatrix, p: IndexParams): Record<string, unknown> {
  return { format: NN_INDEX_FORMAT, train: matrixSha256(train), metric: p.metric, m: p.m, efConstruction: p.efConstruction, seed: p.seed, shards: p.shards, project: p.project, library: HNSW_LIBRARY };
}

/** THE index cache key: 64 hex digits. */
export function nnIndexKey(record: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** The trusted meta of a cache folder, or null (missing, unreadable, other key or format, a file that does not match). */
export async function readIndexMeta(dir: string, key: string): Promise<IndexMeta | null> {
  const text = await readFile(join(dir, 'meta.json'), 'utf8').catch(() => null);
  if (text === null) return null;
  let meta: IndexMeta;
  try {
    meta = JSON.parse(text) as IndexMeta;
  } catch {
    return null;
  }
  if (meta.key !== key || meta.format !== NN_INDEX_FORMAT || !Array.isArray(meta.shards)) return null;
  for (const s of meta.projection === undefined ? meta.shards : [...meta.shards, meta.projection]) {
    const st = await stat(join(dir, s.file)).catch(() => null);
    if (st === null || st.size !== s.bytes || (await sha256File(join(dir, s.file))) !== s.sha256) return null;
  }
  return meta;
}

/** Prepares a cache folder for a build: stale temps swept, the old meta.json removed (a miss until rewritten). */
export async function prepareIndexDir(dir: string, shards: number): Promise<{ file: string; tmp: string; path: string }[]> {
  await mkdir(dir, { recursive: true });
  await rm(join(dir, 'meta.json'), { force: true });
  const out = [];
  for (let s = 0; s < shards; s++) {
    const path = join(dir, `shard-${s}.hnsw`);
    await sweepStaleTemps(path);
    out.push({ file: `shard-${s}.hnsw`, tmp: tempPathFor(path), path });
  }
  return out;
}

/** Writes meta.json (last, atomically) after the shard files are in place. */
export async function writeIndexMeta(dir: string, key: string, record: Record<string, unknown>, shards: readonly { file: string; from: number; to: number }[], buildSeconds: number, projection?: string): Promise<IndexMeta> {
  const describe = async <T extends { file: string }>(s: T): Promise<T & { bytes: number; sha256: string }> => {
    const path = join(dir, s.file);
    return { ...s, bytes: (await stat(path)).size, sha256: await sha256File(path) };
  };
  const metas: ShardMeta[] = [];
  for (const s of shards) metas.push(await describe(s));
  const proj = projection === undefined ? {} : { projection: await describe({ file: projection }) };
  const meta: IndexMeta = { key, format: NN_INDEX_FORMAT, record, shards: metas, ...proj, buildSeconds, genbenchVersion: VERSION };
  await writeFileAtomic(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}
