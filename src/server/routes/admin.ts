import express, { Router } from 'express';
import { GenbenchError } from '../../errors.js';
import { createToken, listTokens, revokeToken } from '../../store/tokens.js';
import type { AppDeps } from '../app.js';
import { requireToken } from '../auth.js';
import { HttpError } from '../../errors.js';

/**
 * Admin API, every route behind an *admin* token: list tokens (`GET /api/admin/tokens`, no secrets), create one
 * (`POST /api/admin/tokens {"name": "alice"}` -> the new token, shown once), revoke one
 * (`DELETE /api/admin/tokens/:id`). The first admin token comes from `genbench admin token --admin`.
 *
 * @example
 * await fetch(`${base}/api/admin/tokens`, { headers: { authorization: `Bearer ${adminToken}` } }); // [{ id, name, admin, revoked }]
 */
export function adminRoutes(deps: AppDeps): Router {
  const router = Router();
  const { sql } = deps.store;
  router.use('/api/admin', requireToken(sql, { admin: true }), express.json({ limit: '4kb' }));
  router.get('/api/admin/tokens', async (_req, res) => {
    res.json({ tokens: await listTokens(sql) });
  });
  router.post('/api/admin/tokens', async (req, res) => {
    const name = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || !/^[\w .@-]{1,64}$/.test(name)) throw new GenbenchError('INPUT', 'field "name": give 1-64 letters, digits, spaces or ._@- characters');
    const { token, info } = await createToken(sql, { name, admin: (req.body as { admin?: unknown }).admin === true });
    res.status(201).json({ token, ...info });
  });
  router.delete('/api/admin/tokens/:id', async (req, res) => {
    if (!(await revokeToken(sql, req.params.id))) throw new HttpError(404, 'NOT_FOUND', `token '${req.params.id}' not found or already revoked`);
    res.json({ revoked: req.params.id });
  });
  return router;
}
