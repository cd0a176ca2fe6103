import type { Sql } from '../store/sql.js';

/**
 * The human score column of the leaderboard. Human rating (src/rating, /rate) owns the votes and the scoring; this
 * module only defines the shape the leaderboard reads, `HumanScore` per model id, and normalises what the rating
 * module's `humanScores(sql, { modelIds })` returns (a Map, an array with `modelId`, or a record by model id). When
 * no loader is wired in, the column shows 'n/a'.
 *
 * @example
 * const scores = await loadHumanScores(humanScores, sql, ['m1', 'm2']);
 * scores.get('m1'); // { value: 0.31, ci95: [0.25, 0.37], raters: 12, label: 'HYPE∞ error rate' }
 */
export interface HumanScore {
  /** The model's human score (HYPE-infinity: error rate of the raters, higher = more realistic). */
  readonly value: number;
  readonly ci95?: readonly [number, number];
  readonly raters?: number;
  readonly votes?: number;
  /** What the number is, e.g. 'HYPE∞ error rate'. */
  readonly label?: string;
}

export type HumanScoresFn = (sql: Sql, opts: { modelIds: readonly string[] }) => Promise<unknown>;

export async function loadHumanScores(fn: HumanScoresFn | undefined, sql: Sql, modelIds: readonly string[]): Promise<Map<string, HumanScore>> {
  if (fn === undefined || modelIds.length === 0) return new Map();
  return normaliseHumanScores(await fn(sql, { modelIds }));
}

/** Accepts Map<id, score>, Array<{ modelId, ... }> or Record<id, score>; keeps entries with a finite value. */
export function normaliseHumanScores(raw: unknown): Map<string, HumanScore> {
  const out = new Map<string, HumanScore>();
  const entries: Array<[string, unknown]> =
    raw instanceof Map
      ? [...(raw as Map<string, unknown>).entries()]
      : Array.isArray(raw)
        ? raw.map((r) => [String((r as { modelId?: unknown }).modelId), r])
        : raw !== null && typeof raw === 'object'
          ? Object.entries(raw as Record<string, unknown>)
          : [];
  for (const [id, v] of entries) {
    const s = toScore(v);
    if (s !== undefined) out.set(id, s);
  }
  return out;
}

function toScore(v: unknown): HumanScore | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  const value = num(o['value']) ?? num(o['score']) ?? num(o['errorRate']) ?? num(o['mean']);
  if (value === undefined) return undefined;
  const ci = (o['ci95'] ?? o['interval']) as unknown;
  const ci95 = Array.isArray(ci) && ci.length === 2 && num(ci[0]) !== undefined && num(ci[1]) !== undefined ? ([ci[0], ci[1]] as [number, number]) : toPair(ci);
  const raters = num(o['raters']) ?? num(o['nRaters']);
  const votes = num(o['votes']) ?? num(o['nVotes']) ?? num(o['trials']);
  const label = typeof o['label'] === 'string' ? o['label'] : undefined;
  return { value, ...(ci95 ? { ci95 } : {}), ...(raters !== undefined ? { raters } : {}), ...(votes !== undefined ? { votes } : {}), ...(label ? { label } : {}) };
}

function toPair(ci: unknown): [number, number] | undefined {
  if (ci === null || typeof ci !== 'object') return undefined;
  const o = ci as Record<string, unknown>;
  const lo = num(o['lo']) ?? num(o['low']) ?? num(o['lower']);
  const hi = num(o['hi']) ?? num(o['high']) ?? num(o['upper']);
  return lo !== undefined && hi !== undefined ? [lo, hi] : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * A cheap query whose answer changes whenever the human scores may: the number of votes and the last vote time
 * (rating_trials), and the number of counted and flagged raters (rating_raters). Read-only; the tables belong to
 * src/rating.
 */
export async function ratingFingerprint(sql: Sql): Promise<string> {
  const row = await sql.get<Record<string, unknown>>(
    `SELECT (SELECT COUNT(*) FROM rating_trials WHERE voted_at IS NOT NULL) AS votes,
            (SELECT MAX(voted_at) FROM rating_trials) AS last_vote,
            (SELECT COUNT(*) FROM rating_raters WHERE status = 'qualified' AND flagged = 0) AS counted,
            (SELECT COUNT(*) FROM rating_raters WHERE flagged <> 0) AS flagged`,
  );
  return JSON.stringify(row ?? null, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

export interface HumanScoreCacheOptions {
  /** Longest time (ms) a result is served without recomputing, even when the fingerprint did not change (default 30 s). */
  readonly ttlMs?: number;
  /** Part of every cache key, read on each call (default ratingFingerprint); a failing query falls back to the TTL alone. */
  readonly fingerprint?: (sql: Sql) => Promise<string>;
  /** Entries kept (one per distinct set of model ids; default 64). */
  readonly maxEntries?: number;
  /** Clock in ms (tests). */
  readonly now?: () => number;
}

export type CachedHumanScoresFn = HumanScoresFn & {
  /** Drops every cached result (e.g. after recording a vote). */
  invalidate(): void;
};

/**
 * Wraps a human-score loader (src/rating's humanScores runs a 10,000-resample bootstrap) with a small cache for the
 * leaderboard: a result is reused while the rating fingerprint (votes, raters) is unchanged and it is younger than
 * `ttlMs`, so a new vote or a flagged rater shows at the next request. Concurrent requests for the same key share one
 * computation. One cache per app (created in createApp); there is no module-level state.
 *
 * @example
 * const cached = cachedHumanScores((sql, o) => humanScores(sql, o));
 * await cached(sql, { modelIds: ['m1'] }); // computed
 * await cached(sql, { modelIds: ['m1'] }); // from the cache until a vote is recorded or 30 s have passed
 */
export function cachedHumanScores(fn: HumanScoresFn, opts: HumanScoreCacheOptions = {}): CachedHumanScoresFn {
  const ttl = opts.ttlMs ?? 30_000;
  const max = opts.maxEntries ?? 64;
  const now = opts.now ?? Date.now;
  const fingerprint = opts.fingerprint ?? ratingFingerprint;
  const entries = new Map<string, { at: number; fp: string; value: Promise<unknown> }>();
  const cached = async (sql: Sql, o: { modelIds: readonly string[] }): Promise<unknown> => {
    const fp = await fingerprint(sql).catch(() => '');
    const key = [...o.modelIds].sort().join('\u0000');
    const hit = entries.get(key);
    if (hit !== undefined && hit.fp === fp && now() - hit.at < ttl) return hit.value;
    const value = fn(sql, o);
    entries.delete(key);
    entries.set(key, { at: now(), fp, value });
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    value.catch(() => entries.get(key)?.value === value && entries.delete(key)); // failures are not cached
    return value;
  };
  return Object.assign(cached, { invalidate: () => entries.clear() });
}
