import type { Request, RequestHandler } from 'express';
import { verifyToken, type TokenInfo } from '../store/tokens.js';
import type { Sql } from '../store/sql.js';
import { HttpError } from '../errors.js';

/**
 * Token check for write and admin routes. The token comes in `Authorization: Bearer <token>` (or `X-Genbench-Token`);
 * it is checked with a constant-time comparison of sha256 digests (store/tokens.ts). The owner is put on
 * `res.locals.token` for the route.
 *
 * @example
 * router.post('/api/submissions', requireToken(sql), upload);
 * router.get('/api/admin/tokens', requireToken(sql, { admin: true }), list);
 */
export function requireToken(sql: Sql, opts: { admin?: boolean } = {}): RequestHandler {
  return async (req, res, next) => {
    const token = tokenOf(req);
    if (token === undefined) {
      next(new HttpError(401, 'USAGE', 'missing token: send "Authorization: Bearer <token>" (create one with genbench admin token)'));
      return;
    }
    const info = await verifyToken(sql, token);
    if (info === undefined) {
      next(new HttpError(401, 'USAGE', 'invalid or revoked token: check it, or create a new one with genbench admin token'));
      return;
    }
    if (opts.admin === true && !info.admin) {
      next(new HttpError(403, 'USAGE', 'this route needs an admin token (genbench admin token --admin)'));
      return;
    }
    res.locals['token'] = info;
    next();
  };
}

export function tokenOf(req: Request): string | undefined {
  const auth = req.get('authorization');
  const m = auth === undefined ? null : /^Bearer\s+(\S+)$/i.exec(auth.trim());
  return m?.[1] ?? req.get('x-genbench-token') ?? undefined;
}

/** The token owner put there by requireToken. */
export function tokenInfo(res: { locals: Record<string, unknown> }): TokenInfo {
  return res.locals['token'] as TokenInfo;
}
