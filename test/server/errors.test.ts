import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { errorMiddleware, type InternalErrorLog } from '../../src/server/errors.js';

/** An app whose /boom throws a plain Error (a bug) and /bad a GenbenchError (the client's fault). */
async function serve(log?: InternalErrorLog): Promise<{ base: string; close: () => void }> {
  const app = express();
  app.get(['/boom', '/api/boom'], () => {
    throw new Error('disk on fire');
  });
  app.get('/api/bad', () => {
    throw new GenbenchError('INPUT', 'field n: must be positive');
  });
  app.use(errorMiddleware(log));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

let close: (() => void) | undefined;
afterEach(() => close?.());

describe('errorMiddleware', () => {
  it('logs a 500 under the request id that the JSON answer, the page and the header show', async () => {
    const logged: string[] = [];
    const s = await serve((e, r) => logged.push(`${r.id} ${r.method} ${r.path} ${(e as Error).message}`));
    close = s.close;
    const res = await fetch(`${s.base}/api/boom`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.requestId).toMatch(/^[0-9a-f]{12}$/);
    expect(res.headers.get('x-request-id')).toBe(body.error.requestId);
    expect(body.error.message).toContain(`under request ${body.error.requestId}`);
    expect(body.error.message).not.toContain('disk on fire');
    const page = await fetch(`${s.base}/boom`);
    const id = page.headers.get('x-request-id')!;
    expect(await page.text()).toContain(`under request ${id}`);
    expect(logged).toEqual([`${body.error.requestId} GET /api/boom disk on fire`, `${id} GET /boom disk on fire`]);
  });

  it('writes the line to stderr by default, and gives a client error no request id', async () => {
    const s = await serve();
    close = s.close;
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
    let id: string | null;
    try {
      id = (await fetch(`${s.base}/api/boom`)).headers.get('x-request-id');
    } finally {
      process.stderr.write = write;
    }
    expect(lines.join('')).toMatch(new RegExp(`^genbench: internal error \\(request ${id}, GET /api/boom\\): Error: disk on fire\\n    at `));
    const bad = await fetch(`${s.base}/api/bad`);
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-request-id')).toBeNull();
    expect(await bad.json()).toEqual({ error: { code: 'INPUT', message: 'field n: must be positive' } });
  });
});
