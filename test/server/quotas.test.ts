import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer, type ServeOptions } from '../../src/server/serve.js';
import { createToken } from '../../src/store/index.js';
import { fakeReport } from '../store/conformance.js';
import { upload, waitForSubmission, type Part } from './helpers.js';

/**
 * Per-token quotas (storage and submission rate, counted in the store, so they survive a restart) and the
 * per-field caps enforced while the multipart body streams: a file or a manifest over its cap gets its 413 while the
 * client is still sending, and three concurrent oversized manifests leave the server's memory where it was. The
 * evaluation is a stub run in-process (no model runs here).
 */
const tmp = mkdtempSync(join(tmpdir(), 'genbench-quotas-'));
const uploads = join(tmp, 'uploads');
mkdirSync(uploads);
const MIB = 2 ** 20;
const options: ServeOptions = {
  db: join(tmp, 'gb.db'),
  port: 0,
  evaluation: { n: 8, bootstrap: 0 },
  evaluate: async () => fakeReport(20),
  app: { uploadDir: uploads, limits: { maxFileBytes: 4 * MIB, maxFiles: 4, maxJsonBytes: 64 * 1024, maxRequestBytes: 256 * MIB }, quotas: { maxBytesPerToken: 4000, submissionsPerHour: 3 } },
};
let server: RunningServer;

/** `g.onnx` (2 KB of bytes made from `seed`, never run) and a manifest named `name`. */
function checkpoint(name: string, seed: number): Part[] {
  const bytes = Uint8Array.from({ length: 2048 }, (_, i) => (i * 31 + seed) & 255);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const manifest = { name, format: 'onnx', file: 'g.onnx', input: 'z', latent_dim: 8, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], dataset: 'mnist', sha256: sha };
  return [{ name: 'g.onnx', data: bytes }, { name: 'g.genbench.json', data: JSON.stringify(manifest) }];
}

async function send(token: string, parts: Part[]): Promise<{ status: number; message: string; retryAfter: string | null }> {
  const res = await upload(server.url, token, parts);
  const body = (await res.json()) as { id: string; error?: { message: string } };
  if (res.status === 202) await waitForSubmission(server.url, body.id, 10_000);
  return { status: res.status, message: body.error?.message ?? '', retryAfter: res.headers.get('retry-after') };
}

/**
 * Streams one multipart file part of `total` bytes named `name` (a repeated 64 KiB chunk, so the client allocates
 * nothing more), stopping when the answer arrives. Resolves with the status, the message and the bytes sent by then.
 */
function streamPart(token: string, name: string, total: number): Promise<{ status: number; message: string; sent: number }> {
  const boundary = 'genbench-test-boundary';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: '/api/submissions', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + total + tail.length), 'authorization': `Bearer ${token}` } },
      (res) => {
        answered = true;
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, message: (JSON.parse(text) as { error: { message: string } }).error.message, sent });
        });
      },
    );
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    req.write(head);
    const pump = () => {
      while (!answered && sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      if (!answered) req.end(tail);
    };
    pump();
  });
}

beforeAll(async () => {
  server = await startServer(options);
});
afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('upload caps while streaming', () => {
  it('answers 413 as soon as a file passes its cap, while the client is still sending, and keeps nothing', async () => {
    const { token } = await createToken(server.store.sql, { name: 'big-file' });
    const r = await streamPart(token, 'g.onnx', 64 * MIB);
    expect(r.status).toBe(413);
    expect(r.message).toBe('g.onnx: larger than 4194304 bytes, the cap of this server for a file');
    expect(r.sent).toBeLessThan(16 * MIB);
    expect(readdirSync(uploads)).toEqual([]);
  });

  it('refuses three concurrent oversized manifests at the JSON cap without growing the server memory', async () => {
    const { token } = await createToken(server.store.sql, { name: 'big-manifest' });
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const all = await Promise.all([0, 1, 2].map(() => streamPart(token, 'g.genbench.json', 64 * MIB)));
    clearInterval(sampler);
    for (const r of all) {
      expect(r.status).toBe(413);
      expect(r.message).toBe('g.genbench.json: larger than 65536 bytes, the cap of this server for a JSON file');
      expect(r.sent).toBeLessThan(16 * MIB);
    }
    expect(peak - before).toBeLessThan(32 * MIB);
  });
});

describe('per-token quotas', () => {
  it('refuses an upload over the storage quota with 413 (bytes already stored count once) and leaves no blob', async () => {
    const { token } = await createToken(server.store.sql, { name: 'storage' });
    expect((await send(token, checkpoint('one', 1))).status).toBe(202);
    const over = await send(token, checkpoint('two', 2));
    expect(over.status).toBe(413);
    expect(over.message).toMatch(/^storage quota: this submission adds \d+ bytes to the \d+ this token stores, over its quota of 4000 bytes; ask the server's operator for more room$/);
    const twoSha = createHash('sha256').update(checkpoint('two', 2)[0]!.data).digest('hex');
    expect(await server.store.blobs.has(twoSha)).toBe(false);
    // the same checkpoint bytes under another name add only the manifest's bytes
    expect((await send(token, checkpoint('one again', 1))).status).toBe(202);
  });

  it('refuses a token over its submission rate with 429 and Retry-After before the body, also after a restart', async () => {
    const { token } = await createToken(server.store.sql, { name: 'rate' });
    for (const name of ['r1', 'r2', 'r3']) expect((await send(token, checkpoint(name, 7))).status).toBe(202);
    const over = await send(token, checkpoint('r4', 7));
    expect(over.status).toBe(429);
    expect(over.message).toMatch(/^submission rate: this token made 3 submissions in the last hour, the most this server accepts; try again in \d+ s$/);
    expect(Number(over.retryAfter)).toBeGreaterThan(3500);
    await server.close();
    server = await startServer(options);
    expect((await send(token, checkpoint('r5', 7))).status).toBe(429);
  });
});
