import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { GaussianStats } from '../../metrics/fd.js';
import type { ReferenceNeeds, ReferenceStats } from '../../metrics/types.js';
import { canonicalJson } from '../io/canonical-json.js';
import type { Matrix } from '../linalg/matrix.js';
import { matrixSha256 } from '../nn/cache.js';
import { VERSION } from '../version.js';
import { featureCacheDir } from './cache.js';
import { readNpyEntry, writeNpyEntry } from './npy-entry.js';

/**
 * The reference-statistics cache, beside the feature cache: `<feature cache>/reference-stats/<key>.npy` and
 * `<key>.json`, verified .npy + sidecar entries written and read as the feature cache's are (npy-entry.ts: atomic
 * writes, size and sha256 checked on every read; a truncated or corrupted entry is recomputed and overwritten).
 *
 * One function builds every key: the sha256 of the canonical JSON of the format, the sha256 of the reference feature
 * matrix (matrixSha256: dtype, shape and float64 value bytes), the statistic and the name of its method. Statistics:
 * - `gaussian`: mean and covariance (ddof 1) by statsOf, stored float64 as one (d + 1) x d array (mean, then rows of
 *   the covariance);
 * - `radii` for one k: each row's exact Euclidean distance to its k-th nearest row, itself neighbour 0
 *   (kthNeighbourDistances), float64 [rows].
 * Values are stored in float64 as computed, so a hit gives bit for bit what a fresh computation gives.
 *
 * @example
 * const r = await cachedReferenceStats(reference, { gaussian: true, radii: [3, 5] });
 * r.entries.map((e) => e.hit); // [false, false, false] the first time, [true, true, true] the next
 * r.stats.radii?.get(5);       // Float64Array(reference.rows)
 */
export const REFERENCE_STATS_FORMAT = 'genbench.reference-stats/v1';

export type ReferenceStatistic = { readonly kind: 'gaussian' } | { readonly kind: 'radii'; readonly k: number };

const METHODS = {
  gaussian: 'mean and covariance (ddof 1) in float64, statsOf',
  radii: 'distance to the k-th nearest row, the row itself neighbour 0, exact float64 Euclidean, kthNeighbourDistances',
} as const;

/** The record hashed into a key (also kept in the entry's sidecar). */
export function referenceStatsRecord(featuresSha256: string, stat: ReferenceStatistic): Record<string, unknown> {
  return { format: REFERENCE_STATS_FORMAT, features: featuresSha256, statistic: stat.kind, ...(stat.kind === 'radii' ? { k: stat.k, distance: 'euclidean' } : {}), method: METHODS[stat.kind] };
}

/** THE reference-statistics key: 64 hex digits. */
export function referenceStatsKey(featuresSha256: string, stat: ReferenceStatistic): string {
  return createHash('sha256').update(canonicalJson(referenceStatsRecord(featuresSha256, stat))).digest('hex');
}

/** The cache folder: `reference-stats` inside the feature cache folder (default GENBENCH_HOME/features). */
export function referenceStatsDir(featureDir: string = featureCacheDir()): string {
  return join(featureDir, 'reference-stats');
}

/** One statistic looked up: its key, whether it was read from the cache, and why an entry was not trusted. */
export interface ReferenceStatsEntry {
  readonly statistic: string;
  readonly key: string;
  readonly hit: boolean;
  readonly stale?: string;
}

export interface ReferenceStatsResult {
  readonly stats: ReferenceStats;
  readonly entries: readonly ReferenceStatsEntry[];
  /** matrixSha256 of the reference rows. */
  readonly featuresSha256: string;
}

export interface ReferenceStatsOptions {
  /** Cache folder; default referenceStatsDir(). */
  readonly dir?: string;
  /** matrixSha256(reference) when the caller has it. */
  readonly featuresSha256?: string;
}

/** The statistics `needs` asks for of `reference`: read where a valid entry exists, else computed and stored. */
export async function cachedReferenceStats(reference: Matrix, needs: ReferenceNeeds, opts: ReferenceStatsOptions = {}): Promise<ReferenceStatsResult> {
  const dir = opts.dir ?? referenceStatsDir();
  const sha = opts.featuresSha256 ?? matrixSha256(reference);
  const entries: ReferenceStatsEntry[] = [];
  const look = async (stat: ReferenceStatistic, shape: readonly number[]) => {
    const key = referenceStatsKey(sha, stat);
    const got = await readNpyEntry(dir, key, REFERENCE_STATS_FORMAT);
    const fits = 'data' in got && got.shape.length === shape.length && got.shape.every((v, i) => v === shape[i]) && got.sidecar['count'] === reference.rows;
    const stale = 'data' in got ? (fits ? undefined : 'shape or count differs from the reference rows') : got.stale;
    return { key, stat, data: fits ? (got as { data: Float64Array }).data : undefined, ...(stale === undefined ? {} : { stale }) };
  };
  const store = async (key: string, stat: ReferenceStatistic, data: Float64Array, shape: readonly number[]) => {
    await writeNpyEntry(dir, key, REFERENCE_STATS_FORMAT, data, shape, { record: referenceStatsRecord(sha, stat), count: reference.rows, genbenchVersion: VERSION });
  };
  const note = (l: { key: string; stale?: string }, statistic: string, hit: boolean) => entries.push({ statistic, key: l.key, hit, ...(l.stale === undefined ? {} : { stale: l.stale }) });

  let gaussian: GaussianStats | undefined;
  if (needs.gaussian) {
    const d = reference.cols;
    const l = await look({ kind: 'gaussian' }, [d + 1, d]);
    if (l.data !== undefined) gaussian = { mean: l.data.slice(0, d), cov: { rows: d, cols: d, data: l.data.slice(d) }, count: reference.rows };
    else {
      const { statsOf } = await import('../../metrics/fd.js');
      gaussian = await statsOf(reference);
      const packed = new Float64Array((d + 1) * d);
      packed.set(gaussian.mean);
      packed.set(gaussian.cov.data, d);
      await store(l.key, l.stat, packed, [d + 1, d]);
    }
    note(l, 'gaussian', l.data !== undefined);
  }

  const radii = new Map<number, Float64Array>();
  const ks = [...new Set(needs.radii)];
  const looked = await Promise.all(ks.map((k) => look({ kind: 'radii', k }, [reference.rows])));
  const missed = looked.filter((l) => l.data === undefined);
  if (missed.length > 0) {
    const { kthNeighbourDistances } = await import('../nn/exact.js');
    const computed = await kthNeighbourDistances(reference, missed.map((l) => (l.stat as { k: number }).k));
    for (const [i, l] of missed.entries()) await store(l.key, l.stat, computed[i]!, [reference.rows]);
    missed.forEach((l, i) => radii.set((l.stat as { k: number }).k, computed[i]!));
  }
  for (const l of looked) {
    const k = (l.stat as { k: number }).k;
    if (l.data !== undefined) radii.set(k, l.data);
    note(l, `radii k=${k}`, l.data !== undefined);
  }
  const stats: ReferenceStats = { ...(gaussian === undefined ? {} : { gaussian }), ...(radii.size === 0 ? {} : { radii }) };
  return { stats, entries, featuresSha256: sha };
}

/** Timing and hits of a reference-statistics provider (what evaluate records in its report's timings). */
export interface ReferenceStatsLog {
  readonly seconds: number;
  readonly entries: readonly ReferenceStatsEntry[];
}

/**
 * A provider for runMetrics (`referenceStats` option): each call goes through the cache in `dir`; the reference's
 * sha256 is computed once per matrix. `log()` says how long the lookups took and which ones hit.
 *
 * @example
 * const p = referenceStatsProvider(referenceStatsDir());
 * await runMetrics(plan, features, { referenceStats: p.get });
 * p.log().entries.every((e) => e.hit); // true on a second run
 */
export function referenceStatsProvider(dir?: string): { get: (needs: ReferenceNeeds, reference: Matrix) => Promise<ReferenceStats>; log: () => ReferenceStatsLog } {
  const shas = new WeakMap<Matrix, string>();
  const entries: ReferenceStatsEntry[] = [];
  let ms = 0;
  return {
    async get(needs, reference) {
      const t = performance.now();
      const sha = shas.get(reference) ?? matrixSha256(reference);
      shas.set(reference, sha);
      const r = await cachedReferenceStats(reference, needs, { featuresSha256: sha, ...(dir === undefined ? {} : { dir }) });
      entries.push(...r.entries);
      ms += performance.now() - t;
      return r.stats;
    },
    log: () => ({ seconds: Math.round(ms) / 1000, entries: [...entries] }),
  };
}
