import type { Sql, SqlParam } from '../store/sql.js';
import type { Interval } from './bootstrap.js';
import { DEFAULT_RATING_CONFIG, type Answer, type RatingConfig, type TrialKind } from './protocol.js';
import { raterQuality, type RaterQuality } from './quality.js';
import { hypeInfinity, hypeTime, softLabels, type HypeInfinityScore, type HypeTimeScore, type RaterTally, type SoftLabel } from './scoring.js';

/**
 * Scores from the database. A vote counts when it was cast in the scored phase (so after the rater qualified) by a
 * rater who is qualified and not flagged, on a real or fake image; HYPE-time votes also need valid timing.
 */

/** The human scores of one model, as the leaderboard reads them. */
export interface ModelHumanScore {
  readonly modelId: string;
  /** HYPE-infinity error rate (higher = more realistic), its 95% interval, raters and votes behind it. */
  readonly value: number | null;
  readonly ci95: readonly [number, number] | null;
  readonly raters: number;
  readonly votes: number;
  readonly label: 'HYPE∞ error rate';
  readonly inf: HypeInfinityScore | null;
  readonly time: HypeTimeScore | null;
}

export interface HumanScoresOptions {
  /** Only these models (default: every model with counted votes). */
  readonly modelIds?: readonly string[];
  /** Bootstrap and HYPE-time settings (default DEFAULT_RATING_CONFIG: 10,000 resamples, seed 0). */
  readonly cfg?: RatingConfig;
}

const COUNTED = `t.status = 'voted' AND t.phase = 'scored' AND t.kind IN ('real', 'fake')
  AND r.status = 'qualified' AND r.flagged = 0`;

/**
 * Per model: HYPE-infinity human error rate and HYPE-time converged exposure with 95% rater-bootstrap intervals.
 * Models without counted votes are left out.
 *
 * @example
 * const [s] = await humanScores(sql, { modelIds: ['m1'] });
 * s.value;            // 0.31 (HYPE∞ error rate)
 * s.ci95;             // [0.25, 0.37]
 * s.time?.exposureMs; // { estimate: 310, lo: 280, hi: 350 }
 */
export async function humanScores(sql: Sql, opts: HumanScoresOptions = {}): Promise<ModelHumanScore[]> {
  const cfg = opts.cfg ?? DEFAULT_RATING_CONFIG;
  if (opts.modelIds !== undefined && opts.modelIds.length === 0) return [];
  const [filter, params] = modelFilter(opts.modelIds);
  const tallies = await sql.all<{ model_id: string; rater_id: string; kind: TrialKind; n: number | string; errors: number | string }>(
    `SELECT t.model_id AS model_id, t.rater_id AS rater_id, t.kind AS kind, COUNT(*) AS n, SUM(1 - t.correct) AS errors
     FROM rating_trials t JOIN rating_raters r ON r.id = t.rater_id
     WHERE ${COUNTED} AND t.protocol = 'inf'${filter} GROUP BY t.model_id, t.rater_id, t.kind`,
    params,
  );
  const exposures = await sql.all<{ model_id: string; rater_id: string; exposure_ms: number | string }>(
    `SELECT t.model_id AS model_id, t.rater_id AS rater_id, t.exposure_ms AS exposure_ms
     FROM rating_trials t JOIN rating_raters r ON r.id = t.rater_id
     WHERE ${COUNTED} AND t.protocol = 'time' AND t.dropped IS NULL AND t.exposure_ms IS NOT NULL${filter}
     ORDER BY t.voted_at, t.id`,
    params,
  );
  const inf = groupTallies(tallies);
  const time = groupExposures(exposures);
  const ids = [...new Set([...inf.keys(), ...time.keys()])].sort();
  const boot = { iterations: cfg.bootstrapIterations, seed: cfg.bootstrapSeed };
  return ids.map((modelId) => {
    const i = hypeInfinity(inf.get(modelId) ?? [], boot) ?? null;
    const t = hypeTime(time.get(modelId) ?? [], cfg.staircase, cfg.minTimeTrials, boot) ?? null;
    const raters = new Set([...(inf.get(modelId) ?? []).map((r) => r.raterId), ...(time.get(modelId) ?? []).map((r) => r.raterId)]).size;
    return {
      modelId,
      value: i?.errorRate.estimate ?? null,
      ci95: i === null ? null : ([i.errorRate.lo, i.errorRate.hi] as const),
      raters,
      votes: (i?.votes ?? 0) + (time.get(modelId) ?? []).reduce((a, r) => a + r.exposures.length, 0),
      label: 'HYPE∞ error rate',
      inf: i,
      time: t,
    };
  });
}

function modelFilter(ids: readonly string[] | undefined): [string, SqlParam[]] {
  if (ids === undefined) return ['', []];
  return [` AND t.model_id IN (${ids.map(() => '?').join(', ')})`, [...ids]];
}

function groupTallies(rows: ReadonlyArray<{ model_id: string; rater_id: string; kind: TrialKind; n: number | string; errors: number | string }>): Map<string, RaterTally[]> {
  const by = new Map<string, Map<string, { realVotes: number; realErrors: number; fakeVotes: number; fakeErrors: number }>>();
  for (const r of rows) {
    const m = by.get(r.model_id) ?? new Map();
    by.set(r.model_id, m);
    const t = m.get(r.rater_id) ?? { realVotes: 0, realErrors: 0, fakeVotes: 0, fakeErrors: 0 };
    m.set(r.rater_id, t);
    if (r.kind === 'real') {
      t.realVotes += Number(r.n);
      t.realErrors += Number(r.errors);
    } else {
      t.fakeVotes += Number(r.n);
      t.fakeErrors += Number(r.errors);
    }
  }
  return new Map([...by].map(([model, m]) => [model, [...m].map(([raterId, t]) => ({ raterId, ...t }))]));
}

function groupExposures(rows: ReadonlyArray<{ model_id: string; rater_id: string; exposure_ms: number | string }>): Map<string, Array<{ raterId: string; exposures: number[] }>> {
  const by = new Map<string, Map<string, number[]>>();
  for (const r of rows) {
    const m = by.get(r.model_id) ?? new Map<string, number[]>();
    by.set(r.model_id, m);
    const list = m.get(r.rater_id) ?? [];
    m.set(r.rater_id, list);
    list.push(Number(r.exposure_ms));
  }
  return new Map([...by].map(([model, m]) => [model, [...m].map(([raterId, exposures]) => ({ raterId, exposures }))]));
}

/**
 * Soft labels of a model's images (counted votes of both protocols; real images are those shown next to it).
 *
 * @example
 * (await modelSoftLabels(sql, 'm1'))[0]; // { imageKey: 'fake:m1:0:17', kind: 'fake', votes: 4, realVotes: 3, pReal: 0.75 }
 */
export async function modelSoftLabels(sql: Sql, modelId: string): Promise<SoftLabel[]> {
  const rows = await sql.all<{ image_key: string; kind: TrialKind; answer: Answer }>(
    `SELECT t.image_key AS image_key, t.kind AS kind, t.answer AS answer FROM rating_trials t JOIN rating_raters r ON r.id = t.rater_id
     WHERE ${COUNTED} AND t.model_id = ? AND (t.protocol = 'inf' OR t.dropped IS NULL)`,
    [modelId],
  );
  return softLabels(rows.map((r) => ({ imageKey: r.image_key, kind: r.kind, answer: r.answer })));
}

/** Quality statistics of every rater with an answered trial (qualification included), with status and flag. */
export interface RaterReport extends RaterQuality {
  readonly raterId: string;
  readonly status: string;
  readonly flagged: boolean;
}

/**
 * Rater quality statistics, newest raters first.
 *
 * @example
 * (await raterReports(sql))[0]; // { raterId: '...', status: 'qualified', flagged: false, votes: 40, accuracy: 0.8, ... }
 */
export async function raterReports(sql: Sql, opts: { limit?: number } = {}): Promise<RaterReport[]> {
  const raters = await sql.all<{ id: string; status: string; flagged: number | string }>(
    'SELECT id, status, flagged FROM rating_raters ORDER BY created_at DESC, id LIMIT ?',
    [opts.limit ?? 500],
  );
  const out: RaterReport[] = [];
  for (const r of raters) {
    const trials = await sql.all<{ kind: TrialKind; answer: Answer; response_ms: number | null }>(
      "SELECT kind, answer, response_ms FROM rating_trials WHERE rater_id = ? AND status = 'voted' ORDER BY voted_at, id",
      [r.id],
    );
    if (trials.length === 0) continue;
    const q = raterQuality(trials.map((t) => ({ kind: t.kind, answer: t.answer, responseMs: t.response_ms === null ? null : Number(t.response_ms) })));
    out.push({ raterId: r.id, status: r.status, flagged: Number(r.flagged) === 1, ...q });
  }
  return out;
}

export type { Interval };
