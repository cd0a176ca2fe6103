import { randomInt } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { storeImageSource, type RatingImageSource } from '../../rating/images.js';
import { ratingConfig, TIME_PRESENTATION, type RatingConfig, type RatingConfigOverrides } from '../../rating/protocol.js';
import { humanScores, modelSoftLabels, raterReports } from '../../rating/scores.js';
import { castVote, issueTrial, updateRater, type RatingServiceDeps } from '../../rating/service.js';
import { createRater, raterByToken, sessionsSince, type Rater } from '../../rating/store.js';
import type { Sql } from '../../store/sql.js';
import { Rng } from '../../rng.js';
import type { AppDeps } from '../app.js';
import { requireToken } from '../auth.js';
import { HttpError } from '../../errors.js';
import { zodMessage } from '../../io/zod-message.js';
import { cachedHumanScores } from '../human.js';
import { ratePage, ratableModels, scoresPage } from '../../rating/pages.js';

/** Settings of human rating (AppDeps.rating). */
export interface RatingOptions {
  /** Protocol numbers (default: HYPE's, DEFAULT_RATING_CONFIG). */
  readonly config?: RatingConfigOverrides;
  /** Where images come from (default: the store's checkpoints and the dataset loaders). */
  readonly images?: RatingImageSource;
  /** Seed of the trial schedule (default: a random one from node:crypto). */
  readonly seed?: number;
  /** Clock in epoch ms (tests). */
  readonly now?: () => number;
  /** Mark the session cookie Secure (default: when the request came over HTTPS). */
  readonly secureCookie?: boolean;
  /** New rater sessions one client address may open per hour (default 30; 0: no limit); more get 429. Counted in the database. */
  readonly sessionsPerHour?: number;
}

export const RATER_COOKIE = 'genbench_rater';

const TrialRequest = z.object({ modelId: z.string().min(1).max(200), protocol: z.enum(['inf', 'time']).default('inf') });
const finite = z.number().finite();
const VoteRequest = z.object({
  answer: z.enum(['real', 'fake']),
  timing: z
    .object({
      shownAt: finite.optional(),
      hiddenAt: finite.optional(),
      exposureMs: finite.min(0).max(60_000).optional(),
      frameMs: finite.min(0).max(1000).optional(),
      missedFrames: z.number().int().min(0).max(100_000).optional(),
      hidden: z.boolean().optional(),
      responseMs: finite.min(0).max(3_600_000).optional(),
    })
    .optional(),
});

/**
 * Human rating: the /rate page (HYPE-infinity and HYPE-time, driven by /static/rate.js) and its JSON API.
 *
 * - `GET /rate`, twin `GET /api/rate`: the session's state (qualification, flag), the models to rate (each with a
 *   generator's dataset or a translator's task, the picker's label), the protocol numbers.
 * - `POST /api/rate/trials` `{ modelId, protocol: 'inf' | 'time' }`: the next trial (one-time id, image as a data URL,
 *   exposure for HYPE-time); creates the anonymous rater session (httpOnly cookie) on first use.
 * - `POST /api/rate/trials/:id/vote` `{ answer: 'real' | 'fake', timing? }`: the trial's one vote; feedback back.
 * - `GET /rate/scores`, twin `GET /api/rate/scores[?model=ID...]`: scores per model (cached until the next vote or
 *   rater change, at most 30 s; the bootstrap behind them is 10,000 resamples); `GET /api/rate/models/:id/labels`
 *   per-image soft labels; `GET /api/rate/raters` rater quality statistics (pseudonymous ids; admin token only).
 * - A client address may open `sessionsPerHour` new rater sessions per hour (default 30); beyond that, 429. The
 *   sessions are counted in the database (by a hash of the address), so a restart does not reset the limit.
 *
 * @example
 * app.use(rateRoutes({ ...deps, rating: { config: { qualificationTrials: 10 } } }));
 * const t = await (await fetch(`${base}/api/rate/trials`, { method: 'POST', headers, body: '{"modelId":"m1","protocol":"inf"}' })).json();
 * // { trialId: 'x3F...', phase: 'qualification', protocol: 'inf', exposureMs: null, image: 'data:image/png;base64,...' }
 */
export function rateRoutes(deps: AppDeps): Router {
  const opts = deps.rating ?? {};
  const cfg: RatingConfig = ratingConfig(opts.config ?? {});
  const service: RatingServiceDeps = {
    sql: deps.store.sql,
    images: opts.images ?? storeImageSource(deps.store, { poolSize: cfg.fakePoolSize, seed: cfg.fakeSeed }),
    cfg,
    rng: new Rng(opts.seed ?? randomInt(0, 2 ** 32 - 1)),
    now: opts.now ?? Date.now,
  };
  const sql = deps.store.sql;
  const router = Router();
  router.use('/api/rate', express.json({ limit: '16kb' }));

  const current = async (req: Request): Promise<Rater | undefined> => {
    const token = cookie(req, RATER_COOKIE);
    return token === undefined ? undefined : raterByToken(sql, token);
  };
  const perHour = opts.sessionsPerHour ?? 30;
  const currentOrNew = async (req: Request, res: Response): Promise<Rater> => {
    const found = await current(req);
    if (found !== undefined) return found;
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    await checkSessionLimit(sql, client, perHour, service.now());
    const { rater, token } = await createRater(sql, { client, now: service.now() });
    const secure = opts.secureCookie ?? req.secure;
    res.cookie(RATER_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure, maxAge: 365 * 24 * 3600 * 1000 });
    return rater;
  };
  const state = async (req: Request) => {
    const rater = await current(req);
    return {
      rater: rater === undefined ? null : await updateRater(service, rater.id),
      models: await ratableModels(sql),
      protocol: {
        qualificationTrials: cfg.qualificationTrials,
        qualificationAccuracy: cfg.qualificationAccuracy,
        vigilanceRate: cfg.vigilanceRate,
        staircase: cfg.staircase,
        presentation: TIME_PRESENTATION,
        minRaters: cfg.minRaters,
      },
    };
  };

  router.get('/api/rate', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await state(req));
  });
  router.get('/rate', async (req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(ratePage(await state(req), typeof req.query['model'] === 'string' ? req.query['model'] : undefined));
  });
  router.post('/api/rate/trials', async (req, res) => {
    const body = parse(TrialRequest, req.body);
    const rater = await currentOrNew(req, res);
    res.set('Cache-Control', 'no-store').json(await issueTrial(service, rater.id, body));
  });
  router.post('/api/rate/trials/:id/vote', async (req, res) => {
    const body = parse(VoteRequest, req.body);
    const rater = await current(req);
    if (rater === undefined) throw new HttpError(401, 'USAGE', 'no rater session: the vote needs the cookie set by POST /api/rate/trials');
    res.set('Cache-Control', 'no-store').json(await castVote(service, rater.id, String(req.params['id']), body.timing === undefined ? { answer: body.answer } : { answer: body.answer, timing: body.timing }));
  });
  const cachedScores = cachedHumanScores((s, o) => humanScores(s, { cfg, ...(o.modelIds.length === 0 ? {} : { modelIds: o.modelIds }) }));
  const scores = async (req: Request) => {
    const q = req.query['model'];
    const ids = q === undefined ? [] : (Array.isArray(q) ? q : [q]).map(String);
    return (await cachedScores(sql, { modelIds: ids })) as Awaited<ReturnType<typeof humanScores>>;
  };
  router.get('/api/rate/scores', async (req, res) => {
    res.json({ scores: await scores(req) });
  });
  router.get('/rate/scores', async (req, res) => {
    res.type('html').send(scoresPage(await scores(req), await ratableModels(sql), cfg.minRaters));
  });
  router.get('/api/rate/models/:id/labels', async (req, res) => {
    res.json({ modelId: req.params['id'], labels: await modelSoftLabels(sql, String(req.params['id']), cfg) });
  });
  router.get('/api/rate/raters', requireToken(sql, { admin: true }), async (_req, res) => {
    res.json({ raters: await raterReports(sql, { cfg }) });
  });
  return router;
}

/** Throws 429 when `client` opened `perHour` rater sessions in the last hour (0: no limit), counted in the database. */
async function checkSessionLimit(sql: Sql, client: string, perHour: number, now: number): Promise<void> {
  if (perHour === 0) return;
  if ((await sessionsSince(sql, client, now - 3_600_000)) >= perHour) {
    throw new HttpError(429, 'USAGE', `too many new rater sessions from this address (${perHour} per hour); keep the session cookie or try again later`);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw new HttpError(400, 'INPUT', zodMessage(r.error, 'request body', 'see "Leaderboard and human rating" in the README'));
}

/** A cookie's value from the Cookie header (no cookie-parser dependency); a malformed one counts as absent. */
export function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // bad %-escapes: ignored, the client gets a new session
      }
    }
  }
  return undefined;
}
