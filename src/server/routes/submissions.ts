import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { getModel } from '../../store/models.js';
import { getSubmission } from '../../store/submissions.js';
import type { AppDeps } from '../app.js';
import { requireToken, tokenInfo } from '../auth.js';
import { HttpError } from '../../errors.js';
import { receiveMultipart, type ReceivedUpload } from '../multipart.js';
import { DEFAULT_QUOTAS, quotaGate } from '../quotas.js';
import { acceptSubmission } from '../submit.js';
import { DEFAULT_UPLOAD_LIMITS, maxRequestBytes } from '../upload-limits.js';
import { statusBody, submitBody } from './submission-pages.js';
import { page } from '../../io/html.js';
import { scrubDeep, scrubPaths } from '../public-report.js';

/**
 * Submissions: the upload page `GET /submit`, `POST /api/submissions` (token required, within its quotas:
 * quotas.ts; multipart field `files` with the checkpoint files and genbench.json, optional field `dataset`: a dataset
 * for a generator, a translation task for a translator, upload.ts), and the status `GET /submissions/:id`
 * with its JSON twin `GET /api/submissions/:id`. Uploads stream into a fresh temp folder under server-chosen
 * names, each file part counted against its own cap as it streams (multipart.ts: a JSON file over maxJsonBytes or a
 * checkpoint file over maxFileBytes is refused with 413 the moment it passes the cap, before the rest of the body
 * arrives); a Content-Length over the request cap is refused with 413 before any of the body is read. Whatever
 * happens, that folder is removed before the response.
 *
 * @example
 * const form = new FormData();
 * form.append('files', new Blob([onnx]), 'g.onnx');
 * form.append('files', new Blob([manifest]), 'g.genbench.json');
 * await fetch(`${base}/api/submissions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
 * // 202 { id, status: 'queued', links: { status: '/api/submissions/<id>', page: '/submissions/<id>', model: '/models/<id>' } }
 */
export function submissionRoutes(deps: AppDeps): Router {
  const router = Router();
  const limits = deps.limits ?? DEFAULT_UPLOAD_LIMITS;
  const { sql } = deps.store;

  router.get('/submit', (_req, res) => {
    res.type('html').send(page({ title: 'Submit', body: submitBody(limits), scripts: ['/static/submit.js'] }));
  });
  router.post('/api/submissions', checkRequestSize(maxRequestBytes(limits)), requireToken(sql), quotaGate(sql, deps.quotas ?? DEFAULT_QUOTAS), receiveFiles(deps), async (req, res) => {
    const tmp = res.locals['uploadDir'] as string;
    try {
      const got = res.locals['upload'] as ReceivedUpload;
      const files = got.files.map((f) => ({ name: f.name, path: f.path }));
      const dataset = got.fields['dataset'] !== undefined && got.fields['dataset'].length > 0 ? got.fields['dataset'] : undefined;
      const result = await acceptSubmission(deps, { files, tokenId: tokenInfo(res).id, ...(dataset === undefined ? {} : { dataset }) });
      res.status(202).json(result);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
  router.get('/api/submissions/:id', async (req, res) => {
    res.json(await statusJson(deps, req.params.id));
  });
  router.get('/submissions/:id', async (req, res) => {
    const status = await statusJson(deps, req.params.id);
    if (status.status === 'queued' || status.status === 'running') res.set('Refresh', '3');
    res.type('html').send(page({ title: 'Submission', body: statusBody(status) }));
  });
  return router;
}

export interface SubmissionStatusJson {
  id: string;
  status: string;
  error: string | null;
  /** Evaluation attempts started (the server gives up after its --max-attempts). */
  attempts: number;
  createdAt: string;
  updatedAt: string;
  model: { id: string; name: string };
  job: unknown;
  links: { page: string; model: string };
}

async function statusJson(deps: AppDeps, id: string): Promise<SubmissionStatusJson> {
  const s = await getSubmission(deps.store.sql, id);
  if (s === undefined) throw new HttpError(404, 'NOT_FOUND', `submission '${id}' not found`);
  const model = await getModel(deps.store.sql, s.modelId);
  const job = s.jobId === null ? null : ((await deps.queue.status(s.jobId)) ?? null);
  return {
    id: s.id,
    status: s.status,
    error: s.error === null ? null : scrubPaths(s.error),
    attempts: s.attempts,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    model: { id: s.modelId, name: model?.name ?? '' },
    job: scrubDeep(job),
    links: { page: `/submissions/${s.id}`, model: `/models/${s.modelId}` },
  };
}

/** 413 before the body is read when Content-Length is over `max` (the connection is closed: the body is not drained). */
function checkRequestSize(max: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.get('content-length') ?? NaN);
    if (!(length > max)) return next();
    res.set('Connection', 'close');
    next(new HttpError(413, 'INPUT', `request of ${length} bytes is larger than the ${max} bytes this server accepts per submission`));
  };
}

/**
 * The body into a per-request temp folder (receiveMultipart); a refused body is answered at once, its folder
 * removed, and its connection half-closed after the answer (cut shortly after: multipart.ts stopReading).
 */
function receiveFiles(deps: AppDeps) {
  const limits = deps.limits ?? DEFAULT_UPLOAD_LIMITS;
  return (req: Request, res: Response, next: NextFunction) => {
    const dir = mkdtempSync(join(deps.uploadDir ?? tmpdir(), 'genbench-upload-'));
    res.locals['uploadDir'] = dir;
    receiveMultipart(req, { dir, limits }).then(
      (got) => {
        res.locals['upload'] = got;
        next();
      },
      (err: unknown) => {
        res.once('finish', () => req.socket.end()); // no reuse of a connection whose body was left unread; still readable for the client's answer
        void rm(dir, { recursive: true, force: true }).finally(() => next(err));
      },
    );
  };
}
