import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createToken } from '../../src/store/index.js';
import { fakeReport } from '../store/conformance.js';
import { upload, waitForSubmission, type Part } from './helpers.js';

/**
 * Quotas and hardening of the site, on a server whose evaluation is a stub run in-process (no model runs here): the
 * request cap from Content-Length, model-name length, identical uploads deduplicated, blobs of failed submissions
 * deleted, stale work folders swept at start, a malformed rater cookie ignored, HSTS only over HTTPS.
 */
const tmp = mkdtempSync(join(tmpdir(), 'genbench-limits-'));
const uploads = join(tmp, 'uploads');
mkdirSync(uploads);
const stale = join(uploads, 'genbench-upload-stale');
const fresh = join(uploads, 'genbench-upload-fresh');
const servers: RunningServer[] = [];
let server: RunningServer;
let token: string;

/** An upload of `stem`.onnx (2 KB of bytes, never run: the evaluation is a stub) and its manifest. */
function checkpoint(name: string, seed: number, stem = 'g'): Part[] {
  const bytes = Uint8Array.from({ length: 2048 }, (_, i) => (i * 31 + seed) & 255);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const manifest = { name, format: 'onnx', file: `${stem}.onnx`, input: 'z', latent_dim: 8, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], dataset: 'mnist', sha256: sha };
  return [{ name: `${stem}.onnx`, data: bytes }, { name: `${stem}.genbench.json`, data: JSON.stringify(manifest) }];
}

beforeAll(async () => {
  for (const d of [stale, fresh]) mkdirSync(d);
  const dayAgo = new Date(Date.now() - 24 * 3600_000);
  utimesSync(stale, dayAgo, dayAgo);
  server = await startServer({
    db: join(tmp, 'gb.db'),
    port: 0,
    evaluation: { n: 8, bootstrap: 0 },
    evaluate: async (o) => {
      if (String(o.generator).includes('fail')) throw new GenbenchError('INPUT', 'g.onnx: not a generator');
      return fakeReport(20);
    },
    app: { uploadDir: uploads, limits: { maxFileBytes: 2 ** 20, maxFiles: 4, maxJsonBytes: 64 * 1024, maxRequestBytes: 2 ** 20 } },
  });
  servers.push(server);
  token = (await createToken(server.store.sql, { name: 't' })).token;
});
afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('server limits', () => {
  it('sweeps work folders a stopped server left, older than the stale age, at start', () => {
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });

  it('answers 413 from Content-Length before reading the body', async () => {
    const { port } = server;
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/submissions', headers: { 'content-length': String(10 * 2 ** 30), 'content-type': 'multipart/form-data; boundary=x', 'authorization': `Bearer ${token}` } }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.flushHeaders(); // headers only: not one byte of the 10 GiB body is sent
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toBe('request of 10737418240 bytes is larger than the 1048576 bytes this server accepts per submission');
  });

  it('refuses a model name over 100 characters, naming the field', async () => {
    const res = await upload(server.url, token, checkpoint('x'.repeat(101), 1));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("g.genbench.json: field 'name' has 101 characters, more than the 100 allowed; shorten it");
  });

  it('deduplicates an identical upload and deletes the blobs of a failed submission', async () => {
    const first = (await (await upload(server.url, token, checkpoint('twice', 2))).json()) as { id: string; deduplicated: boolean };
    expect(first.deduplicated).toBe(false);
    expect((await waitForSubmission(server.url, first.id, 10_000)).status).toBe('done');
    const again = (await (await upload(server.url, token, checkpoint('twice', 2))).json()) as { id: string; status: string; deduplicated: boolean };
    expect(again).toMatchObject({ id: first.id, status: 'done', deduplicated: true });
    expect(Number((await server.store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM models WHERE name = 'twice'"))!.n)).toBe(1);

    const bad = (await (await upload(server.url, token, checkpoint('broken', 3, 'fail'))).json()) as { id: string };
    expect((await waitForSubmission(server.url, bad.id, 10_000)).status).toBe('failed');
    const sha = (id: string) => server.store.sql.all<{ sha256: string; name: string }>('SELECT sha256, name FROM submission_files WHERE submission_id = ?', [id]);
    for (const f of await sha(bad.id)) expect(await server.store.blobs.has(f.sha256), f.name).toBe(false);
    for (const f of await sha(first.id)) expect(await server.store.blobs.has(f.sha256), f.name).toBe(true);
  });

  it('ignores a malformed rater cookie instead of failing', async () => {
    const res = await fetch(`${server.url}/api/rate`, { headers: { cookie: 'genbench_rater=%E0%A4%A' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rater: unknown }).rater).toBeNull();
  });

  it('sends HSTS and upgrade-insecure-requests only over HTTPS (X-Forwarded-Proto counts with --trust-proxy)', async () => {
    const headers = async (url: string, proto?: string) => {
      const r = await fetch(`${url}/`, { headers: proto === undefined ? {} : { 'x-forwarded-proto': proto } });
      return { hsts: r.headers.get('strict-transport-security'), csp: r.headers.get('content-security-policy') ?? '' };
    };
    for (const h of [await headers(server.url), await headers(server.url, 'https')]) {
      expect(h.hsts).toBeNull();
      expect(h.csp).not.toContain('upgrade-insecure-requests');
      expect(h.csp).toContain("script-src 'self'");
    }
    const proxied = await startServer({ db: join(tmp, 'proxied.db'), port: 0, evaluate: async () => fakeReport(1), app: { trustProxy: true } });
    servers.push(proxied);
    expect((await headers(proxied.url)).hsts).toBeNull();
    const https = await headers(proxied.url, 'https');
    expect(https.hsts).toMatch(/max-age=\d+/);
    expect(https.csp).toContain('upgrade-insecure-requests');
  });
});
