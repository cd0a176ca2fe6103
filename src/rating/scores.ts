import type { Sql } from '../store/sql.js';
import { quantileSorted } from '../stats/quantile.js';
import { bootstrapRatersImages, type Interval } from './bootstrap.js';
import { DEFAULT_RATING_CONFIG, isCorrect, presentationMs, type Answer, type Protocol, type RatingConfig, type TrialKind } from './protocol.js';
import { raterQuality, type RaterQuality } from './quality.js';
import { screenRaters } from './screening.js';
import { hypeInfinity, hypeTime, softLabels, type HypeInfinityScore, type HypeTimeScore, type RaterTally, type SoftLabel } from './scoring.js';

/**
 * Scores from the database. A vote counts when it was cast in the scored phase (so after the rater qualified) by a
 * qualified rater with no failed vigilance trial whom screening (screening.ts) does not flag, on a real or fake
 * image, among the rater's first `raterTrialsInf` (HYPE-time: `raterTrialsTime`) trials on the model; HYPE-time votes
 * also need valid timing. A protocol's score is published only with at least `minRaters` such raters; the
 * HYPE-infinity interval resamples raters and images (bootstrapRatersImages), the HYPE-time one raters.
 */

/** The human scores of one model, as the leaderboard reads them. */
export interface ModelHumanScore {
  readonly modelId: string;
  /** HYPE-infinity error rate (higher = more realistic) and its 95% interval; null until published. */
  readonly value: number | null;
  readonly ci95: readonly [number, number] | null;
  /** Raters and votes that count (both protocols), published or not. */
  readonly raters: number;
  readonly votes: number;
  readonly label: 'HYPE∞ error rate';
  /** Null until the protocol has `minRaters` counted raters. */
  readonly inf: HypeInfinityScore | null;
  readonly time: HypeTimeScore | null;
  /** Counted raters per protocol, and the number a score needs. */
  readonly ratersBy: { readonly inf: number; readonly time: number };
  readonly minRaters: number;
}

export interface HumanScoresOptions {
  /** Only these models (default: every model with counted votes). */
  readonly modelIds?: readonly string[];
  /** Bootstrap and HYPE-time settings (default DEFAULT_RATING_CONFIG: 10,000 resamples, seed 0). */
  readonly cfg?: RatingConfig;
}

const COUNTED = `t.status = 'voted' AND t.phase = 'scored' AND t.kind IN ('real', 'fake')
  AND r.status = 'qualified' AND r.flagged = 0`;

interface VoteRow {
  readonly modelId: string;
  readonly raterId: string;
  readonly protocol: Protocol;
  readonly kind: TrialKind;
  readonly answer: Answer;
  readonly imageKey: string;
  readonly exposureMs: number | null;
  readonly serverMs: number;
  readonly dropped: string | null;
}

/** Every scored real/fake vote of qualified raters without a vigilance flag, oldest first, and the screening flags. */
async function scoredVotes(sql: Sql, cfg: RatingConfig): Promise<{ votes: VoteRow[]; flags: Map<string, string> }> {
  const rows = await sql.all<Record<string, unknown>>(
    `SELECT t.model_id AS model_id, t.rater_id AS rater_id, t.protocol AS protocol, t.kind AS kind, t.answer AS answer, t.image_key AS image_key,
       t.exposure_ms AS exposure_ms, t.issued_at AS issued_at, t.voted_at AS voted_at, t.dropped AS dropped
     FROM rating_trials t JOIN rating_raters r ON r.id = t.rater_id WHERE ${COUNTED} ORDER BY t.voted_at, t.id`,
  );
  const votes = rows.map((r): VoteRow => {
    const exposureMs = r['exposure_ms'] === null ? null : Number(r['exposure_ms']);
    const protocol = r['protocol'] as Protocol;
    const elapsed = Number(r['voted_at']) - Number(r['issued_at']);
    return {
      modelId: String(r['model_id']),
      raterId: String(r['rater_id']),
      protocol,
      kind: r['kind'] as TrialKind,
      answer: r['answer'] as Answer,
      imageKey: String(r['image_key']),
      exposureMs,
      serverMs: protocol === 'time' ? elapsed - presentationMs() - (exposureMs ?? 0) : elapsed,
      dropped: (r['dropped'] as string | null) ?? null,
    };
  });
  const flags = screenRaters(votes.map((v) => ({ ...v, responseMs: v.serverMs })), cfg.screening);
  return { votes, flags };
}

/** The votes that count: unflagged raters, each rater's first `cap` trials per model and protocol. */
function countedVotes(votes: readonly VoteRow[], flags: ReadonlyMap<string, string>, cfg: RatingConfig): VoteRow[] {
  const used = new Map<string, number>();
  const out: VoteRow[] = [];
  for (const v of votes) {
    if (flags.has(v.raterId)) continue;
    const key = `${v.raterId}\u0000${v.modelId}\u0000${v.protocol}`;
    const n = (used.get(key) ?? 0) + 1;
    used.set(key, n);
    if (n > (v.protocol === 'time' ? cfg.raterTrialsTime : cfg.raterTrialsInf)) continue;
    if (v.protocol === 'time' && (v.dropped !== null || v.exposureMs === null)) continue;
    out.push(v);
  }
  return out;
}

/**
 * Per model: HYPE-infinity human error rate and HYPE-time converged exposure with 95% intervals, each published
 * once `minRaters` raters count. Models without counted votes are left out.
 *
 * @example
 * const [s] = await humanScores(sql, { modelIds: ['m1'] });
 * s.value;            // 0.31 (HYPE∞ error rate), null with fewer than 5 counted raters
 * s.ci95;             // [0.22, 0.40]
 * s.time?.exposureMs; // { estimate: 310, lo: 280, hi: 350 }
 */
export async function humanScores(sql: Sql, opts: HumanScoresOptions = {}): Promise<ModelHumanScore[]> {
  const cfg = opts.cfg ?? DEFAULT_RATING_CONFIG;
  if (opts.modelIds !== undefined && opts.modelIds.length === 0) return [];
  const wanted = opts.modelIds === undefined ? undefined : new Set(opts.modelIds);
  const { votes, flags } = await scoredVotes(sql, cfg);
  const counted = countedVotes(votes, flags, cfg).filter((v) => wanted === undefined || wanted.has(v.modelId));
  const byModel = new Map<string, VoteRow[]>();
  for (const v of counted) {
    const list = byModel.get(v.modelId);
    if (list === undefined) byModel.set(v.modelId, [v]);
    else list.push(v);
  }
  const boot = { iterations: cfg.bootstrapIterations, seed: cfg.bootstrapSeed };
  return [...byModel.keys()].sort().map((modelId) => {
    const mine = byModel.get(modelId)!;
    const infVotes = mine.filter((v) => v.protocol === 'inf');
    const exposures = groupExposures(mine.filter((v) => v.protocol === 'time'));
    const infRaters = new Set(infVotes.map((v) => v.raterId)).size;
    const t = hypeTime(exposures, cfg.staircase, cfg.minTimeTrials, boot) ?? null;
    const i = infRaters >= cfg.minRaters ? hypeInfinityWithImages(infVotes, boot) : null;
    return {
      modelId,
      value: i?.errorRate.estimate ?? null,
      ci95: i === null ? null : ([i.errorRate.lo, i.errorRate.hi] as const),
      raters: new Set(mine.map((v) => v.raterId)).size,
      votes: mine.length,
      label: 'HYPE∞ error rate',
      inf: i,
      time: t !== null && t.raters >= cfg.minRaters ? t : null,
      ratersBy: { inf: infRaters, time: t?.raters ?? 0 },
      minRaters: cfg.minRaters,
    };
  });
}

/** HYPE-infinity from single votes: the pooled tallies of hypeInfinity, the interval over raters and images. */
function hypeInfinityWithImages(votes: readonly VoteRow[], boot: { iterations: number; seed: number }): HypeInfinityScore | null {
  const tallies = new Map<string, RaterTally>();
  for (const v of votes) {
    const t = tallies.get(v.raterId) ?? { raterId: v.raterId, realVotes: 0, realErrors: 0, fakeVotes: 0, fakeErrors: 0 };
    const wrong = isCorrect(v.kind, v.answer) ? 0 : 1;
    tallies.set(
      v.raterId,
      v.kind === 'real'
        ? { ...t, realVotes: t.realVotes + 1, realErrors: t.realErrors + wrong }
        : { ...t, fakeVotes: t.fakeVotes + 1, fakeErrors: t.fakeErrors + wrong },
    );
  }
  const base = hypeInfinity([...tallies.values()], { iterations: 0, seed: boot.seed });
  if (base === undefined) return null;
  const errorRate = bootstrapRatersImages(
    votes.map((v) => ({ rater: v.raterId, image: v.imageKey, stratum: v.kind, error: isCorrect(v.kind, v.answer) ? 0 : 1 })),
    boot,
  );
  return { ...base, errorRate };
}

function groupExposures(rows: readonly VoteRow[]): Array<{ raterId: string; exposures: number[] }> {
  const by = new Map<string, number[]>();
  for (const r of rows) {
    const list = by.get(r.raterId) ?? [];
    by.set(r.raterId, list);
    list.push(r.exposureMs!);
  }
  return [...by].map(([raterId, exposures]) => ({ raterId, exposures }));
}

/**
 * The screening flag of each rater with scored votes (screening.ts), by rater id.
 *
 * @example
 * (await screeningFlags(sql, cfg)).get(botId); // 'too accurate: wrong on 0 of 100 inf trials of model m1 where ...'
 */
export async function screeningFlags(sql: Sql, cfg: RatingConfig = DEFAULT_RATING_CONFIG): Promise<Map<string, string>> {
  return (await scoredVotes(sql, cfg)).flags;
}

/**
 * Soft labels of a model's images (counted votes of both protocols, as the scores count them; real images are
 * those shown next to it).
 *
 * @example
 * (await modelSoftLabels(sql, 'm1'))[0]; // { imageKey: 'fake:m1:0:17', kind: 'fake', votes: 4, realVotes: 3, pReal: 0.75 }
 */
export async function modelSoftLabels(sql: Sql, modelId: string, cfg: RatingConfig = DEFAULT_RATING_CONFIG): Promise<SoftLabel[]> {
  const { votes, flags } = await scoredVotes(sql, cfg);
  const counted = countedVotes(votes, flags, cfg).filter((v) => v.modelId === modelId);
  return softLabels(counted.map((v) => ({ imageKey: v.imageKey, kind: v.kind, answer: v.answer })));
}

/**
 * Quality statistics of every rater with an answered trial (qualification included), with status and flag: a failed
 * vigilance trial or a screening rule (screening.ts), and why.
 */
export interface RaterReport extends RaterQuality {
  readonly raterId: string;
  readonly status: string;
  readonly flagged: boolean;
  readonly flagReason: string | null;
  /** Median issue -> vote time of the scored trials on the server's clock (HYPE-time: less the presentation), ms. */
  readonly medianServerMs: number | null;
}

/**
 * Rater quality statistics, newest raters first.
 *
 * @example
 * (await raterReports(sql))[0]; // { raterId: '...', status: 'qualified', flagged: false, votes: 40, accuracy: 0.8, ... }
 */
export async function raterReports(sql: Sql, opts: { limit?: number; cfg?: RatingConfig } = {}): Promise<RaterReport[]> {
  const raters = await sql.all<{ id: string; status: string; flagged: number | string; flag_reason: string | null }>(
    'SELECT id, status, flagged, flag_reason FROM rating_raters ORDER BY created_at DESC, id LIMIT ?',
    [opts.limit ?? 500],
  );
  const { votes, flags } = await scoredVotes(sql, opts.cfg ?? DEFAULT_RATING_CONFIG);
  const serverMs = new Map<string, number[]>();
  for (const v of votes) {
    const list = serverMs.get(v.raterId);
    if (list === undefined) serverMs.set(v.raterId, [v.serverMs]);
    else list.push(v.serverMs);
  }
  const out: RaterReport[] = [];
  for (const r of raters) {
    const trials = await sql.all<{ kind: TrialKind; answer: Answer; response_ms: number | null }>(
      "SELECT kind, answer, response_ms FROM rating_trials WHERE rater_id = ? AND status = 'voted' ORDER BY voted_at, id",
      [r.id],
    );
    if (trials.length === 0) continue;
    const q = raterQuality(trials.map((t) => ({ kind: t.kind, answer: t.answer, responseMs: t.response_ms === null ? null : Number(t.response_ms) })));
    const vigilance = Number(r.flagged) === 1;
    const ms = serverMs.get(r.id);
    out.push({
      raterId: r.id,
      status: r.status,
      flagged: vigilance || flags.has(r.id),
      flagReason: vigilance ? r.flag_reason : (flags.get(r.id) ?? null),
      medianServerMs: ms === undefined ? null : quantileSorted(Float64Array.from(ms).sort(), 0.5),
      ...q,
    });
  }
  return out;
}

export type { Interval };
