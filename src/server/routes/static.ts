import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { AppDeps } from '../app.js';

/**
 * Static files: Chart.js from node_modules at /static/chart.js and the site's own scripts and stylesheet from
 * src/server/public at /static/* (found from this module's location, so the same code serves from src/ under
 * vitest and from dist/ when built). Long cache for chart.js, revalidation for the site files.
 *
 * @example
 * app.use(staticRoutes(deps)); // GET /static/chart.js, /static/leaderboard.js, /static/site.css
 */
export function staticRoutes(_deps: AppDeps): Router {
  const router = Router();
  const chart = chartJsPath();
  router.get('/static/chart.js', (_req, res) => {
    res.sendFile(chart, { maxAge: '7d', headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
  });
  router.get('/favicon.ico', (_req, res) => void res.status(204).end());
  router.use('/static', express.static(publicDir(), { index: false, dotfiles: 'deny', fallthrough: true, maxAge: 0 }));
  return router;
}

/** node_modules/chart.js/dist/chart.umd.min.js (the package exports only its module entries, so go via '.'). */
export function chartJsPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return join(dirname(entry), 'chart.umd.min.js');
}

/** src/server/public of the package root (walks up from this file: src/server/routes or dist/src/server/routes). */
export function publicDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'src', 'server', 'public');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('internal: src/server/public not found above ' + fileURLToPath(import.meta.url));
}
