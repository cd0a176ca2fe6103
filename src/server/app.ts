import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { JobQueue } from '../queue/job-queue.js';
import type { Store } from '../store/index.js';
import { errorMiddleware, notFound, type InternalErrorLog } from './errors.js';
import { DEFAULT_EVALUATION, type EvaluationSettings } from './evaluate-job.js';
import { cachedHumanScores, type HumanScoresFn } from './human.js';
import { humanScores } from '../rating/scores.js';
import { ratingConfig } from '../rating/protocol.js';
import { adminRoutes } from './routes/admin.js';
import { leaderboardRoutes } from './routes/leaderboard.js';
import { modelRoutes } from './routes/models.js';
import { rateRoutes, type RatingOptions } from './routes/rate.js';
import { staticRoutes } from './routes/static.js';
import { submissionRoutes } from './routes/submissions.js';
import { DEFAULT_UPLOAD_LIMITS, type UploadLimits } from './upload-limits.js';
import { DEFAULT_QUOTAS, type SubmissionQuotas } from './quotas.js';

/**
 * The genbench web app: leaderboard, model pages, submissions, admin, static files, and the routes other modules
 * add (human rating). Every route file exports a factory `xRoutes(deps): Router`; dependencies are injected, there
 * is no module-level state. One error middleware turns GenbenchErrors into 400 responses with one line (JSON under
 * /api, HTML elsewhere) and anything else into a 500. helmet sets the security headers (CSP 'self': pages load
 * scripts only from /static, data reaches them through JSON data islands; HSTS only over HTTPS).
 *
 * @example
 * const store = await openStore({ db: 'genbench.db' });
 * const queue = new InProcessQueue();
 * const app = createApp({ store, queue });
 * app.listen(8080, '127.0.0.1');
 */
export interface AppDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  /** Evaluation settings of this server (what "verified" means here). */
  readonly evaluation?: EvaluationSettings;
  /** Upload caps (bytes and counts). */
  readonly limits?: UploadLimits;
  /** Per-token storage quota and submission rate (default DEFAULT_QUOTAS: 2 GiB, 20 an hour). */
  readonly quotas?: SubmissionQuotas;
  /** Folder for in-flight uploads (default: the OS temp folder). */
  readonly uploadDir?: string;
  /** Human scores per model for the leaderboard; default src/rating's humanScores behind cachedHumanScores (human.ts); null: none (the column shows 'n/a'). */
  readonly humanScores?: HumanScoresFn | null;
  /** Settings of human rating (/rate). */
  readonly rating?: RatingOptions;
  /** More routers mounted before the 404 handler (e.g. a plugin's pages). */
  readonly extraRoutes?: readonly Router[];
  /** Called with unexpected errors (500s) and the request id the answer shows; default: one line on stderr (errors.ts logInternalError). */
  readonly onInternalError?: InternalErrorLog;
  /** Behind a reverse proxy (`serve --trust-proxy`): X-Forwarded-Proto/-For of the nearest hop count as the request's own. */
  readonly trustProxy?: boolean;
}

/**
 * helmet's headers, with Strict-Transport-Security and CSP upgrade-insecure-requests only on requests that came over
 * HTTPS (req.secure: TLS, or X-Forwarded-Proto https from a trusted proxy), so a plain-HTTP server on a LAN or
 * localhost is not pinned to an HTTPS it does not have.
 */
function securityHeaders(): RequestHandler {
  const directives = { 'img-src': ["'self'", 'data:', 'blob:'] };
  const secure = helmet({ contentSecurityPolicy: { directives } });
  const plain = helmet({ strictTransportSecurity: false, contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': null } } });
  return (req, res, next) => (req.secure ? secure : plain)(req, res, next);
}

/** Route factories mounted by every app, in order (rateRoutes: human rating, src/server/routes/rate.ts). */
const ROUTES: ReadonlyArray<(deps: AppDeps) => Router> = [staticRoutes, leaderboardRoutes, modelRoutes, submissionRoutes, rateRoutes, adminRoutes];

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy === true ? 1 : false);
  app.use(securityHeaders());
  const full: AppDeps = {
    ...deps,
    limits: deps.limits ?? DEFAULT_UPLOAD_LIMITS,
    quotas: deps.quotas ?? DEFAULT_QUOTAS,
    evaluation: deps.evaluation ?? DEFAULT_EVALUATION,
    humanScores: deps.humanScores === undefined ? cachedHumanScores((sql, opts) => humanScores(sql, { ...opts, cfg: ratingConfig(deps.rating?.config ?? {}) })) : deps.humanScores,
  };
  for (const make of ROUTES) app.use(make(full));
  for (const r of deps.extraRoutes ?? []) app.use(r);
  app.use(notFound());
  app.use(errorMiddleware(deps.onInternalError));
  return app;
}
