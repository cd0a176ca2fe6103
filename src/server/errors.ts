import { randomBytes } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { GenbenchError, HttpError } from '../errors.js';
import { html, page } from '../io/html.js';
import { scrubPaths } from './public-report.js';

/**
 * The app's one error middleware (HttpError, a GenbenchError with a status, is in src/errors.ts). A GenbenchError
 * is the client's fault: its one-line message goes back as `{"error": {"code", "message"}}` under /api (or to a
 * client asking for JSON), as a small HTML page otherwise, with status 400 (404 for NOT_FOUND, or the status of an
 * HttpError), absolute paths in the messages of errors other than HttpErrors reduced to their last component
 * (scrubPaths). Anything else is a bug: 500 with a generic message and a request id (also in the `X-Request-Id`
 * header and the JSON answer's `requestId`); the details go, under that id, to the `onInternalError` callback
 * (default: one line with the stack on stderr), never to the client.
 *
 * @example
 * statusOf(new HttpError(401, 'USAGE', 'missing token')); // 401
 */
export function statusOf(e: GenbenchError): number {
  if (e instanceof HttpError) return e.status;
  return e.code === 'NOT_FOUND' ? 404 : 400;
}

export function wantsJson(req: Request): boolean {
  return req.path.startsWith('/api/') || (req.get('accept') ?? '').includes('application/json');
}

/** Told each unexpected error with the id its 500 answer shows, and the request's method and path. */
export type InternalErrorLog = (e: unknown, request: { readonly id: string; readonly method: string; readonly path: string }) => void;

/** The default InternalErrorLog: `genbench: internal error (request <id>, GET /x): <stack>` on stderr. */
export const logInternalError: InternalErrorLog = (e, r) => {
  process.stderr.write(`${internalErrorLine(e, r)}\n`);
};

/** The log line of an unexpected error: the request id, method and path, then the stack. */
export function internalErrorLine(e: unknown, r: { readonly id: string; readonly method: string; readonly path: string }): string {
  return `genbench: internal error (request ${r.id}, ${r.method} ${r.path}): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
}

/** The last middleware: maps errors to responses (see the module comment). */
export function errorMiddleware(onInternalError: InternalErrorLog = logInternalError): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const known = err instanceof GenbenchError ? err : fromHttpLike(err);
    const status = known === undefined ? 500 : statusOf(known);
    const code = known?.code ?? 'INTERNAL';
    // an HttpError's text is the route's own; any other error may name the server's files: paths reduced to file names
    const requestId = known === undefined ? randomBytes(6).toString('hex') : undefined;
    const text = requestId !== undefined ? `internal server error (a bug in genbench; the server log has it under request ${requestId})` : known!.message.replace(/\s*\n\s*/g, ' ');
    const message = known === undefined || err instanceof HttpError ? text : scrubPaths(text);
    if (requestId !== undefined) {
      onInternalError(err, { id: requestId, method: req.method, path: req.path });
      res.set('X-Request-Id', requestId);
    }
    res.status(status);
    if (wantsJson(req)) res.json({ error: { code, message, ...(requestId === undefined ? {} : { requestId }) } });
    else res.type('html').send(page({ title: `Error ${status}`, body: html`<h1>Error ${status}</h1><p class="error">${message}</p>` }));
  };
}

/** Errors raised by Express/body parsers carry a 4xx `status` (e.g. malformed JSON, entity too large). */
function fromHttpLike(err: unknown): HttpError | undefined {
  const e = err as { status?: unknown; statusCode?: unknown; message?: unknown; type?: unknown };
  const status = typeof e?.status === 'number' ? e.status : typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const text = e.type === 'entity.too.large' ? 'request body too large' : typeof e.message === 'string' ? e.message.split('\n')[0]! : 'bad request';
  return new HttpError(status, 'INPUT', text);
}

/** 404 for any path no route answered. */
export function notFound(): RequestHandler {
  return (req, _res, next) => next(new HttpError(404, 'NOT_FOUND', `${req.method} ${req.path}: no such page`));
}
