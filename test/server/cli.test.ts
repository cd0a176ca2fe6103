import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/serve.js';
import { createToken, openStore, verifyToken } from '../../src/store/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { BIN, runCli } from '../helpers/cli.js';
import { fakeReport } from '../store/conformance.js';

const shared = optionalSharedAssets();
const tmp = mkdtempSync(join(tmpdir(), 'genbench-cli-server-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('genbench admin token', () => {
  it('prints a new token whose sha256 alone is stored', async () => {
    const db = join(tmp, 'admin.db');
    const r = await runCli(['admin', 'token', '--db', db, '--name', 'alice']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^gb_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const store = await openStore({ db });
    expect((await verifyToken(store.sql, token))?.name).toBe('alice');
    const rows = await store.sql.all<{ hash: string }>('SELECT hash FROM tokens');
    expect(rows.map((x) => x.hash)).not.toContain(token.split('_')[2]);
    await store.close();
    const bad = await runCli(['admin', 'token', '--db', db, '--name', '<x>']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('genbench serve', () => {
  it('serves the leaderboard on the port it prints and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', join(tmp, 'serve.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early (${code})`)));
      setTimeout(() => reject(new Error('serve did not print its URL')), 30_000);
    });
    const res = await fetch(`${url}/api/leaderboard`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { boards: unknown[] }).boards).toEqual([]);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  });
});

describe.skipIf(!shared)('genbench submit', () => {
  it('uploads the ONNX fixture with its manifest and waits for the evaluation', async () => {
    const server = await startServer({
      db: join(tmp, 'submit.db'),
      port: 0,
      evaluation: { n: 8, bootstrap: 0 },
      evaluate: async (o) => ({ ...fakeReport(21, { name: 'mnist-dcgan' }), recipe: { ...fakeReport(21).recipe, n: { generated: o.n, reference: o.n } } }),
    });
    try {
      const { token } = await createToken(server.store.sql, { name: 'cli' });
      const onnx = join(shared!, 'fixtures', 'submissions', 'mnist-dcgan.onnx');
      const r = await runCli(['submit', '--server', server.url, '--token', token, '--wait', onnx]);
      expect(r.stderr).toMatch(/queued http:\/\/127\.0\.0\.1:\d+\/submissions\//);
      expect(r.stdout).toMatch(/^done: http:\/\/127\.0\.0\.1:\d+\/models\/[0-9a-f-]{36}\n$/);
      expect(r.code).toBe(0);
      const files = await server.store.sql.all<{ name: string }>('SELECT name FROM submission_files ORDER BY name');
      expect(files.map((f) => f.name)).toEqual(['mnist-dcgan.genbench.json', 'mnist-dcgan.onnx']);
      const refused = await runCli(['submit', '--server', server.url, '--token', 'gb_0000000000000000_' + 'a'.repeat(43), onnx]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe('genbench: server refused the submission: invalid or revoked token: check it, or create a new one with genbench admin token\n');
    } finally {
      await server.close();
    }
  });
});
