import type { Rng } from '../rng.js';
import type { Sql } from '../store/sql.js';
import { HttpError } from '../errors.js';
import { vigilanceImage, type RatingImageSource } from './images.js';
import { isCorrect, type Answer, type Phase, type Protocol, type RatingConfig, type TrialKind } from './protocol.js';
import { qualificationStatus, vigilanceStatus, type QualificationStatus } from './qualification.js';
import { imageKey, nextKind, parseImageKey, pickUnseen, type ImageRef } from './schedule.js';
import { serveImage } from './serve-image.js';
import { startStaircase, stepStaircase } from './staircase.js';
import * as db from './store.js';
import { checkVoteTiming, clippedResponseMs, clockDropReason, timingDropReason, type TrialTiming } from './timing.js';

/**
 * The rating flow on the server: issue a trial (phase, kind, unseen image, exposure), take its one vote (ownership,
 * one vote per trial, timing checks, rate limit), and update the rater's qualification, vigilance flag and
 * staircase. Everything a browser may not know before answering (the kind, the image key) stays here; after the
 * qualification round it does not learn it after answering either (no feedback on scored trials). Every image goes
 * through the same display path (serve-image.ts), whatever its source.
 */
export interface RatingServiceDeps {
  readonly sql: Sql;
  readonly images: RatingImageSource;
  readonly cfg: RatingConfig;
  /** Chooses kinds and images (seeded in tests; seeded from crypto by the route factory otherwise). */
  readonly rng: Rng;
  /** Clock, epoch ms (injected by tests). */
  readonly now: () => number;
}

/** What the browser gets for a trial: the image and how to show it, never whether it is real. */
export interface IssuedTrial {
  readonly trialId: string;
  readonly modelId: string;
  readonly protocol: Protocol;
  readonly phase: Phase;
  /** HYPE-time exposure in ms; null for untimed trials (HYPE-infinity and the qualification round). */
  readonly exposureMs: number | null;
  readonly image: string;
}

/** The answer to a vote: feedback (qualification trials only; null on scored trials), and where the rater stands now. */
export interface VoteResult {
  readonly correct: boolean | null;
  readonly truth: Answer | null;
  readonly vigilance: boolean | null;
  readonly dropped: string | null;
  readonly rater: RaterState;
}

export interface RaterState {
  readonly status: db.RaterStatus;
  readonly flagged: boolean;
  readonly qualification: QualificationStatus;
}

const VIGILANCE_POOL = 1_000_000;

/** Issues the next trial for a rater on a model (closing any trial the rater left open). */
export async function issueTrial(d: RatingServiceDeps, raterId: string, req: { modelId: string; protocol: Protocol }): Promise<IssuedTrial | { done: true; reason: string }> {
  const rater = await mustRater(d.sql, raterId);
  if (rater.status === 'failed') throw new HttpError(403, 'CHECK_FAILED', 'you did not pass the qualification round (65% on real and on fake images), so this session cannot rate');
  if (rater.flagged) throw new HttpError(403, 'CHECK_FAILED', 'this session is flagged: it called an obviously broken image real');
  const ratable = await d.sql.get(
    "SELECT 1 AS ok FROM models m WHERE m.id = ? AND EXISTS (SELECT 1 FROM submissions s WHERE s.model_id = m.id AND s.status = 'done')",
    [req.modelId],
  );
  if (ratable === undefined) throw new HttpError(404, 'NOT_FOUND', `model '${req.modelId}' does not exist or has no finished evaluation; pick one from /api/rate`);
  const [real, fakes] = await Promise.all([d.images.real(req.modelId), d.images.fakes(req.modelId)]);
  if (fakes === undefined) throw new HttpError(409, 'UNSUPPORTED', `the rating pool of model '${req.modelId}' is not ready: its images are sampled by the model's evaluation job; try again later or pick another model`);
  const phase: Phase = rater.status === 'qualified' ? 'scored' : 'qualification';
  const timed = req.protocol === 'time' && phase === 'scored';
  if (phase === 'scored') {
    const cap = timed ? d.cfg.raterTrialsTime : d.cfg.raterTrialsInf;
    if ((await db.scoredTrialCount(d.sql, raterId, req.modelId, timed ? 'time' : 'inf')) >= cap) {
      return { done: true, reason: `you have rated ${cap} images of this model with this protocol, as many as one rater's score takes; thank you` };
    }
  }
  const answered = await db.answeredTrials(d.sql, raterId, phase === 'qualification' ? { phase } : { phase, modelId: req.modelId, protocol: req.protocol });
  const shown = { real: answered.filter((t) => t.kind === 'real').length, fake: answered.filter((t) => t.kind === 'fake').length };
  const kind = nextKind({ phase, shown, cfg: d.cfg, rng: d.rng });
  const ref = pickImage(kind, new Set(await db.seenImageKeys(d.sql, raterId)), { dataset: real.dataset, realN: real.images.n, modelId: req.modelId, fakeN: fakes.n }, d);
  if (ref === undefined) return { done: true, reason: `you have seen every ${kind} image available for this model` };
  const staircase = timed ? ((await db.getStaircase(d.sql, raterId, req.modelId)) ?? startStaircase(d.cfg.staircase)) : undefined;
  const exposureMs = staircase?.exposureMs ?? null;
  const trialId = await d.sql
    .transaction(async (tx) => {
      await db.abandonOpenTrials(tx, raterId);
      return db.insertTrial(tx, {
        raterId,
        modelId: req.modelId,
        protocol: timed ? 'time' : 'inf',
        phase,
        kind,
        imageKey: imageKey(ref),
        exposureMs,
        issuedAt: d.now(),
      });
    })
    .catch((e: unknown) => {
      // two trial requests of one session raced for the same image: the unique (rater, image) index refused one
      if (/unique|23505/i.test(String((e as { code?: unknown }).code ?? '') + String((e as Error).message))) {
        throw new HttpError(409, 'INPUT', 'another trial was issued to this session at the same moment; ask for a new trial');
      }
      throw e;
    });
  const display = { height: real.images.height, width: real.images.width, channels: real.images.channels };
  const batch = ref.kind === 'real' ? real.images : ref.kind === 'fake' ? fakes : vigilanceImage(ref.index, display);
  const image = serveImage(batch, ref.kind === 'vigilance' ? 0 : ref.index, display, d.rng);
  return { trialId, modelId: req.modelId, protocol: timed ? 'time' : 'inf', phase, exposureMs, image };
}

function pickImage(
  kind: TrialKind,
  seenKeys: ReadonlySet<string>,
  pools: { dataset: string; realN: number; modelId: string; fakeN: number },
  d: RatingServiceDeps,
): ImageRef | undefined {
  const seen = new Set<number>();
  for (const key of seenKeys) {
    const r = parseImageKey(key);
    if (r.kind !== kind) continue;
    if (r.kind === 'real' && r.dataset !== pools.dataset) continue;
    if (r.kind === 'fake' && (r.modelId !== pools.modelId || r.seed !== d.cfg.fakeSeed)) continue;
    seen.add(r.index);
  }
  const size = kind === 'real' ? pools.realN : kind === 'fake' ? pools.fakeN : VIGILANCE_POOL;
  const index = pickUnseen(size, seen, d.rng);
  if (index === undefined) return undefined;
  if (kind === 'real') return { kind, dataset: pools.dataset, index };
  if (kind === 'fake') return { kind, modelId: pools.modelId, seed: d.cfg.fakeSeed, index };
  return { kind, index };
}

/** Records the one vote of a trial and updates the rater (see the module comment). */
export async function castVote(d: RatingServiceDeps, raterId: string, trialId: string, vote: { answer: Answer; timing?: TrialTiming }): Promise<VoteResult> {
  const now = d.now();
  const trial = await db.getTrial(d.sql, trialId);
  if (trial === undefined || trial.raterId !== raterId) throw new HttpError(404, 'NOT_FOUND', `trial '${trialId}' does not exist in this session; ask for a new trial`);
  if (trial.status !== 'open') throw new HttpError(409, 'INPUT', `trial '${trialId}' is closed (${trial.status}): each trial takes one vote; ask for a new trial`);
  const recent = await db.votesSince(d.sql, raterId, now - 60_000);
  if (recent >= d.cfg.limits.votesPerMinute) {
    throw new HttpError(429, 'INPUT', `too many votes: at most ${d.cfg.limits.votesPerMinute} a minute per session; wait a moment`);
  }
  const verdict = checkVoteTiming({ protocol: trial.protocol, elapsedMs: now - trial.issuedAt, targetExposureMs: trial.exposureMs, limits: d.cfg.limits });
  if (!verdict.ok) {
    await db.closeTrial(d.sql, trialId, { status: verdict.reason === 'too-fast' ? 'rejected' : 'expired', answer: vote.answer, correct: null, votedAt: now, dropped: verdict.reason });
    throw new HttpError(verdict.reason === 'too-fast' ? 422 : 410, 'INPUT', verdict.message);
  }
  const correct = isCorrect(trial.kind, vote.answer);
  const t = vote.timing;
  const elapsedMs = now - trial.issuedAt;
  const dropped =
    trial.protocol === 'time' && trial.exposureMs !== null
      ? (timingDropReason(t, trial.exposureMs, d.cfg.limits.exposureToleranceMs) ?? clockDropReason(t, elapsedMs, d.cfg.limits.clockSlackMs))
      : null;
  const closed = await d.sql.transaction(async (tx) => {
    const ok = await db.closeTrial(tx, trialId, {
      status: 'voted',
      answer: vote.answer,
      correct,
      votedAt: now,
      responseMs: clippedResponseMs(t?.responseMs, { protocol: trial.protocol, elapsedMs, exposureMs: trial.exposureMs }),
      measuredMs: t?.exposureMs,
      frameMs: t?.frameMs,
      missedFrames: t?.missedFrames,
      hidden: t?.hidden,
      dropped,
    });
    if (ok && trial.protocol === 'time' && trial.exposureMs !== null && trial.kind !== 'vigilance' && dropped === null) {
      const s = (await db.getStaircase(tx, raterId, trial.modelId)) ?? startStaircase(d.cfg.staircase);
      await db.putStaircase(tx, raterId, trial.modelId, stepStaircase(s, correct, d.cfg.staircase));
    }
    return ok;
  });
  if (!closed) throw new HttpError(409, 'INPUT', `trial '${trialId}' is closed: each trial takes one vote; ask for a new trial`);
  const rater = await updateRater(d, raterId);
  if (trial.phase === 'scored') return { correct: null, truth: null, vigilance: null, dropped, rater };
  return { correct, truth: trial.kind === 'real' ? 'real' : 'fake', vigilance: trial.kind === 'vigilance', dropped, rater };
}

/** Re-evaluates qualification and vigilance from the rater's answers; returns the new state. */
export async function updateRater(d: Pick<RatingServiceDeps, 'sql' | 'cfg'>, raterId: string): Promise<RaterState> {
  const rater = await mustRater(d.sql, raterId);
  const all = await db.answeredTrials(d.sql, raterId);
  const qualification = qualificationStatus(await db.answeredTrials(d.sql, raterId, { phase: 'qualification' }), d.cfg);
  let status = rater.status;
  if (status === 'qualifying' && qualification.state !== 'pending') {
    status = qualification.state === 'qualified' ? 'qualified' : 'failed';
    await db.setRaterStatus(d.sql, raterId, status);
  }
  const vigilance = vigilanceStatus(all, d.cfg);
  if (vigilance.flagged && !rater.flagged) await db.flagRater(d.sql, raterId, `called ${vigilance.missed} of ${vigilance.answered} vigilance images real`);
  return { status, flagged: rater.flagged || vigilance.flagged, qualification };
}

async function mustRater(sql: Sql, raterId: string): Promise<db.Rater> {
  const r = await db.getRater(sql, raterId);
  if (r === undefined) throw new HttpError(401, 'USAGE', 'unknown rater session; reload /rate to start a new one');
  return r;
}
