import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvaluations } from '../../src/store/evaluations.js';
import { openStore } from '../../src/store/index.js';
import { listModels } from '../../src/store/models.js';
import { listSubmissions } from '../../src/store/submissions.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { BIN, runCli } from '../helpers/cli.js';
import { withSharedFeatures } from '../helpers/feature-cache.js';

/**
 * `genbench demo` end to end with tiny settings: trains DCGAN and the VAE for a few seconds on MNIST test~0[:8000],
 * evaluates them and one shared ONNX baseline (200 samples, the small MobileNet), checks the database, then runs the
 * demo again with the server on a free port: nothing is trained or stored twice and /api/leaderboard shows them.
 */
const shared = optionalSharedAssets();
const TINY = ['--minutes', '0.2', '--n', '200', '--bootstrap', '4', '--extractor', 'mobilenet-v1-0.25', '--models', 'dcgan,vae,mnist-dcgan', '--quiet'];

describe.skipIf(!shared)('genbench demo', () => {
  let dir: string;
  let db: string;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'genbench-demo-'));
    db = join(dir, 'demo.db');
    env = { GENBENCH_ASSETS: shared!, GENBENCH_HOME: withSharedFeatures(join(dir, 'home')), GENBENCH_OFFLINE: '1' };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains, evaluates and fills the database with metrics, intervals, grids and curves (--no-serve)', async () => {
    const r = await runCli(['demo', '--db', db, '--no-serve', '--json', ...TINY], { env, timeoutMs: 150_000 });
    expect(r.stderr).not.toMatch(/Error|internal/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { db: string; url: null; models: Array<{ name: string; kind: string; status: string; fd: number }> };
    expect(out.url).toBeNull();
    expect(out.models.map((m) => [m.name, m.kind, m.status])).toEqual([
      ['dcgan-mnist', 'reference', 'evaluated'],
      ['vae-mnist', 'reference', 'evaluated'],
      ['mnist-dcgan', 'baseline', 'evaluated'],
    ]);
    const store = await openStore({ db });
    try {
      const models = await listModels(store.sql);
      expect(models.map((m) => m.name).sort()).toEqual(['dcgan-mnist', 'mnist-dcgan', 'vae-mnist']);
      for (const m of models) {
        const [e, ...more] = await listEvaluations(store.sql, { modelId: m.id });
        expect(more).toEqual([]);
        expect(e!.verified).toBe(true);
        expect(e!.extractor).toBe('mobilenet-v1-0.25');
        expect(e!.nGenerated).toBe(200);
        const fd = e!.report.metrics['fd']!;
        expect(fd.value).toBeGreaterThan(0);
        expect(fd.ci95![0]).toBeLessThanOrEqual(fd.ci95![1]);
        expect(e!.report.run['grid']).toBeUndefined(); // no local paths in the database
        expect(e!.gridSha256).toMatch(/^[0-9a-f]{64}$/);
        expect(existsSync(store.blobs.path(e!.gridSha256!))).toBe(true);
        expect(m.curveSha256 !== null).toBe(m.kind === 'reference');
      }
      // The trained GAN is far from the PyTorch baseline trained for 18 epochs.
      const fdOf = (name: string) => out.models.find((x) => x.name === name)!.fd;
      expect(fdOf('mnist-dcgan')).toBeLessThan(fdOf('dcgan-mnist'));
    } finally {
      await store.close();
    }
  }, 180_000);

  it('re-runs without duplicates and serves the leaderboard on a free port', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--db', db, '--port', '0', ...TINY], { env: { ...process.env, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /^(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`demo exited ${code} before serving: ${stderr}`)));
        setTimeout(() => reject(new Error(`no URL after 60 s: ${stderr}`)), 60_000);
      });
      expect(stderr.match(/already on the leaderboard with this recipe \(reused\)/g)).toHaveLength(3);
      const res = await fetch(`${url}/api/leaderboard`);
      expect(res.status).toBe(200);
      type Row = { modelName: string; evaluationId: string; rank: number | null; metrics: Record<string, { value: number }> };
      const { boards } = (await res.json()) as { boards: Array<{ dataset: string; extractor: string; rows: Row[]; otherProtocols: Array<{ protocol: { split: string }; rows: Row[] }> }> };
      expect(boards.map((b) => `${b.dataset}/${b.extractor}`)).toEqual(['mnist/mobilenet-v1-0.25']);
      // the server's MNIST protocol holds out test[8000:10000] (the baseline's held-out rows); the models trained on
      // test~0[:8000] were evaluated against test~0[8000:10000]: another protocol, listed apart, not ranked
      expect(boards[0]!.rows.map((r) => [r.modelName, r.rank])).toEqual([['mnist-dcgan', 1]]);
      expect(boards[0]!.otherProtocols.map((o) => [o.protocol.split, o.rows.map((r) => [r.modelName, r.rank]).sort()])).toEqual([['test~0[8000:10000]', [['dcgan-mnist', null], ['vae-mnist', null]]]]);
      const grid = await fetch(`${url}/api/evaluations/${boards[0]!.rows[0]!.evaluationId}/grid.png`);
      expect([grid.status, grid.headers.get('content-type')]).toEqual([200, 'image/png']);
      const page = await fetch(`${url}/`);
      expect(await page.text()).toContain('dcgan-mnist');
      // The ONNX baseline's checkpoint is stored, so /rate offers it (the trained TF.js run folders are not rateable).
      const rate = (await (await fetch(`${url}/api/rate`)).json()) as { models: Array<{ id: string; name: string }> };
      expect(rate.models.map((m) => m.name)).toEqual(['mnist-dcgan']);
      const trial = await fetch(`${url}/api/rate/trials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ modelId: rate.models[0]!.id, protocol: 'inf' }) });
      expect(trial.status).toBe(200);
      expect(((await trial.json()) as { image: string }).image).toMatch(/^data:image\/png;base64,/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const store = await openStore({ db });
    try {
      expect((await listModels(store.sql)).length).toBe(3);
      expect((await listEvaluations(store.sql)).length).toBe(3);
      expect((await listSubmissions(store.sql)).map((s) => [s.mainFile, s.status, s.tokenId])).toEqual([['mnist-dcgan.onnx', 'done', null]]); // stored once over two runs
    } finally {
      await store.close();
    }
  }, 90_000);
});

describe('genbench demo usage errors', () => {
  it.each([
    [['--models', 'stylegan'], /^genbench: --models: unknown 'stylegan' \(valid: dcgan, vae, cdcgan/],
    [['--minutes', 'soon'], /^genbench: --minutes: expected a number of minutes >= 0, got 'soon'/],
    [['--bootstrap', '1'], /^genbench: --bootstrap: give 0 \(none\) or at least 2 resamples/],
  ])('%j exits 2 with one line and creates nothing', async (args, message) => {
    const dir = await mkdtemp(join(tmpdir(), 'genbench-demo-usage-'));
    try {
      const r = await runCli(['demo', '--db', join(dir, 'x.db'), '--no-serve', ...args], { env: { GENBENCH_HOME: join(dir, 'home') } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(message);
      expect(r.stdout).toBe('');
      expect(existsSync(join(dir, 'x.db'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails at once on a busy --port, before any work', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'genbench-demo-port-'));
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', () => done()));
    try {
      const port = (busy.address() as AddressInfo).port;
      const r = await runCli(['demo', '--db', join(dir, 'x.db'), '--port', String(port)], { env: { GENBENCH_HOME: join(dir, 'home') } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n').at(-1)).toBe(`genbench: --port ${port}: address in use; pick another port (--port 0 for any free one) or stop the other server`);
      expect(existsSync(join(dir, 'x.db'))).toBe(false);
    } finally {
      await new Promise((done) => busy.close(done));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
