import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Sql } from '../store/sql.js';
import type { Answer, Phase, Protocol, TrialKind } from './protocol.js';
import type { StaircaseState } from './staircase.js';

/**
 * Queries on the rating tables (see migrations.ts). Plain functions over the `Sql` handle, portable SQL.
 */

export type RaterStatus = 'qualifying' | 'qualified' | 'failed';

export interface Rater {
  readonly id: string;
  readonly status: RaterStatus;
  readonly flagged: boolean;
  readonly flagReason: string | null;
  readonly createdAt: string;
}

/** A stored trial: its fields as issued (NewTrial), its id, and what became of it. */
export interface TrialRow extends NewTrial {
  readonly id: string;
  readonly status: 'open' | 'voted' | 'rejected' | 'expired' | 'abandoned';
  readonly answer: Answer | null;
}

/** sha256 (hex) of a session token: what the database keeps instead of the token. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A new anonymous rater and the cookie token that names it (32 random bytes, base64url; only its hash is stored),
 * with the sha256 of the client address that opened it and the time (for the sessions-per-address limit).
 *
 * @example
 * const { rater, token } = await createRater(sql, { client: '127.0.0.1', now: Date.now() }); // rater.status === 'qualifying'
 * (await raterByToken(sql, token))?.id === rater.id; // true
 */
export async function createRater(sql: Sql, origin: { client: string; now: number } = { client: 'unknown', now: Date.now() }): Promise<{ rater: Rater; token: string }> {
  const token = randomBytes(32).toString('base64url');
  const rater: Rater = { id: randomUUID(), status: 'qualifying', flagged: false, flagReason: null, createdAt: new Date(origin.now).toISOString() };
  await sql.run('INSERT INTO rating_raters (id, token_hash, status, flagged, created_at, client_hash, created_ms) VALUES (?, ?, ?, 0, ?, ?, ?)', [
    rater.id,
    tokenHash(token),
    rater.status,
    rater.createdAt,
    clientHash(origin.client),
    origin.now,
  ]);
  return { rater, token };
}

/** sha256 (hex) of a client address: what the database keeps instead of the address. */
export function clientHash(address: string): string {
  return createHash('sha256').update(`genbench-rater-client:${address}`).digest('hex');
}

/** Rater sessions opened from a client address since `sinceMs` (epoch ms). */
export async function sessionsSince(sql: Sql, address: string, sinceMs: number): Promise<number> {
  const r = await sql.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM rating_raters WHERE client_hash = ? AND created_ms > ?', [clientHash(address), sinceMs]);
  return Number(r?.n ?? 0);
}

interface RaterDbRow {
  id: string;
  status: string;
  flagged: number | string;
  flag_reason: string | null;
  created_at: string;
}

const RATER_COLUMNS = 'id, status, flagged, flag_reason, created_at';

/** The rater a cookie token names, or undefined. */
export async function raterByToken(sql: Sql, token: string): Promise<Rater | undefined> {
  const r = await sql.get<RaterDbRow>(`SELECT ${RATER_COLUMNS} FROM rating_raters WHERE token_hash = ?`, [tokenHash(token)]);
  return r === undefined ? undefined : raterFromRow(r);
}

export async function getRater(sql: Sql, id: string): Promise<Rater | undefined> {
  const r = await sql.get<RaterDbRow>(`SELECT ${RATER_COLUMNS} FROM rating_raters WHERE id = ?`, [id]);
  return r === undefined ? undefined : raterFromRow(r);
}

export async function setRaterStatus(sql: Sql, id: string, status: RaterStatus): Promise<void> {
  await sql.run('UPDATE rating_raters SET status = ? WHERE id = ?', [status, id]);
}

export async function flagRater(sql: Sql, id: string, reason: string): Promise<void> {
  await sql.run('UPDATE rating_raters SET flagged = 1, flag_reason = ? WHERE id = ? AND flagged = 0', [reason, id]);
}

function raterFromRow(r: RaterDbRow): Rater {
  return { id: r.id, status: r.status as RaterStatus, flagged: Number(r.flagged) === 1, flagReason: r.flag_reason, createdAt: r.created_at };
}

/** A new trial's fields; the id is made here (16 random bytes, base64url: not guessable, used once). */
export interface NewTrial {
  readonly raterId: string;
  readonly modelId: string;
  readonly protocol: Protocol;
  readonly phase: Phase;
  readonly kind: TrialKind;
  readonly imageKey: string;
  readonly exposureMs: number | null;
  readonly issuedAt: number;
}

export async function insertTrial(sql: Sql, t: NewTrial): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  await sql.run(
    `INSERT INTO rating_trials (id, rater_id, model_id, protocol, phase, kind, image_key, exposure_ms, issued_at, status)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
    [id, t.raterId, t.modelId, t.protocol, t.phase, t.kind, t.imageKey, t.exposureMs, t.issuedAt],
  );
  return id;
}

/** Closes the rater's open trials as 'abandoned' (a rater has one open trial at a time). */
export async function abandonOpenTrials(sql: Sql, raterId: string): Promise<void> {
  await sql.run("UPDATE rating_trials SET status = 'abandoned' WHERE rater_id = ? AND status = 'open'", [raterId]);
}

export async function getTrial(sql: Sql, id: string): Promise<TrialRow | undefined> {
  const r = await sql.get<Record<string, unknown>>(
    'SELECT id, rater_id, model_id, protocol, phase, kind, image_key, exposure_ms, issued_at, status, answer FROM rating_trials WHERE id = ?',
    [id],
  );
  if (r === undefined) return undefined;
  return {
    id: String(r['id']),
    raterId: String(r['rater_id']),
    modelId: String(r['model_id']),
    protocol: r['protocol'] as Protocol,
    phase: r['phase'] as Phase,
    kind: r['kind'] as TrialKind,
    imageKey: String(r['image_key']),
    exposureMs: r['exposure_ms'] === null ? null : Number(r['exposure_ms']),
    issuedAt: Number(r['issued_at']),
    status: r['status'] as TrialRow['status'],
    answer: (r['answer'] as Answer | null) ?? null,
  };
}

/** What is recorded when a trial is closed. */
export interface TrialOutcome {
  readonly status: 'voted' | 'rejected' | 'expired';
  readonly answer: Answer | null;
  readonly correct: boolean | null;
  readonly votedAt: number;
  readonly responseMs?: number | undefined;
  readonly measuredMs?: number | undefined;
  readonly frameMs?: number | undefined;
  readonly missedFrames?: number | undefined;
  readonly hidden?: boolean | undefined;
  readonly dropped: string | null;
}

/** Closes an open trial; false when it was not open any more (someone voted first: one vote per trial). */
export async function closeTrial(sql: Sql, id: string, o: TrialOutcome): Promise<boolean> {
  const { changes } = await sql.run(
    `UPDATE rating_trials SET status = ?, answer = ?, correct = ?, voted_at = ?, response_ms = ?, measured_ms = ?, frame_ms = ?,
       missed_frames = ?, hidden = ?, dropped = ? WHERE id = ? AND status = 'open'`,
    [
      o.status,
      o.answer,
      o.correct === null ? null : o.correct ? 1 : 0,
      o.votedAt,
      o.responseMs ?? null,
      o.measuredMs ?? null,
      o.frameMs ?? null,
      o.missedFrames ?? null,
      o.hidden === undefined ? null : o.hidden ? 1 : 0,
      o.dropped,
      id,
    ],
  );
  return changes === 1;
}

/** Scored trials the rater was issued on a model under a protocol (every status: abandoned ones count too). */
export async function scoredTrialCount(sql: Sql, raterId: string, modelId: string, protocol: Protocol): Promise<number> {
  const r = await sql.get<{ n: number | string }>(
    "SELECT COUNT(*) AS n FROM rating_trials WHERE rater_id = ? AND model_id = ? AND protocol = ? AND phase = 'scored' AND kind <> 'vigilance'",
    [raterId, modelId, protocol],
  );
  return Number(r?.n ?? 0);
}

/** Votes the rater cast since `sinceMs` (epoch ms), for the rate limit. */
export async function votesSince(sql: Sql, raterId: string, sinceMs: number): Promise<number> {
  const r = await sql.get<{ n: number | string }>("SELECT COUNT(*) AS n FROM rating_trials WHERE rater_id = ? AND voted_at > ? AND status <> 'expired'", [raterId, sinceMs]);
  return Number(r?.n ?? 0);
}

/** Image keys the rater has been shown (every issued trial counts). */
export async function seenImageKeys(sql: Sql, raterId: string): Promise<string[]> {
  return (await sql.all<{ image_key: string }>('SELECT image_key FROM rating_trials WHERE rater_id = ?', [raterId])).map((r) => r.image_key);
}

/** The rater's answered trials of a phase (optionally on one model and protocol), oldest first. */
export async function answeredTrials(
  sql: Sql,
  raterId: string,
  filter: { phase?: Phase; modelId?: string; protocol?: Protocol } = {},
): Promise<Array<{ kind: TrialKind; answer: Answer; imageKey: string }>> {
  const where = ['rater_id = ?', "status = 'voted'"];
  const params: string[] = [raterId];
  for (const [col, v] of [['phase', filter.phase], ['model_id', filter.modelId], ['protocol', filter.protocol]] as const) {
    if (v === undefined) continue;
    where.push(`${col} = ?`);
    params.push(v);
  }
  const rows = await sql.all<{ kind: TrialKind; answer: Answer; image_key: string }>(
    `SELECT kind, answer, image_key FROM rating_trials WHERE ${where.join(' AND ')} ORDER BY voted_at, id`,
    params,
  );
  return rows.map((r) => ({ kind: r.kind, answer: r.answer, imageKey: r.image_key }));
}

/** The rater's staircase on a model, or undefined before the first HYPE-time trial. */
export async function getStaircase(sql: Sql, raterId: string, modelId: string): Promise<StaircaseState | undefined> {
  const r = await sql.get<{ exposure_ms: number | string; streak: number | string }>(
    'SELECT exposure_ms, streak FROM rating_staircases WHERE rater_id = ? AND model_id = ?',
    [raterId, modelId],
  );
  return r === undefined ? undefined : { exposureMs: Number(r.exposure_ms), streak: Number(r.streak) };
}

export async function putStaircase(sql: Sql, raterId: string, modelId: string, s: StaircaseState): Promise<void> {
  await sql.run(
    `INSERT INTO rating_staircases (rater_id, model_id, exposure_ms, streak) VALUES (?, ?, ?, ?)
     ON CONFLICT (rater_id, model_id) DO UPDATE SET exposure_ms = excluded.exposure_ms, streak = excluded.streak`,
    [raterId, modelId, s.exposureMs, s.streak],
  );
}
