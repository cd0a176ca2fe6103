import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { writeFileSync } from 'node:fs';
import { createModel, createToken, putEvaluation, registerEvaluatedModel } from '../../src/store/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { sharedFeatureCache } from '../helpers/feature-cache.js';
import { fakeReport } from '../store/conformance.js';
import { dcganParts, upload, waitForSubmission } from './helpers.js';

const shared = optionalSharedAssets();
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';

describe.skipIf(!shared)('genbench server (port 0, fetch)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-server-'));
  const uploads = join(tmp, 'uploads');
  let server: RunningServer;
  let base: string;
  let token: string;
  let adminToken: string;

  beforeAll(async () => {
    mkdirSync(uploads);
    server = await startServer({
      db: join(tmp, 'gb.db'),
      port: 0,
      evaluation: { n: 100, bootstrap: 0, extractor: 'mobilenet-v1-0.25' },
      cacheDir: sharedFeatureCache(), // the memorisation checks' training-row features: extracted once per run
      app: { uploadDir: uploads, limits: { maxFileBytes: 3 * 2 ** 20, maxFiles: 8, maxJsonBytes: 64 * 1024 } },
    });
    base = server.url;
    token = (await createToken(server.store.sql, { name: 'tester' })).token;
    adminToken = (await createToken(server.store.sql, { name: 'root', admin: true })).token;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const blobCount = () => (existsSync(server.store.blobs.dir) ? readdirSync(server.store.blobs.dir, { recursive: true }).filter((p) => String(p).length > 3).length : 0);
  const submissionCount = async () => Number((await server.store.sql.get<{ n: number }>('SELECT COUNT(*) AS n FROM submissions'))!.n);
  const expectNothingLeft = async (blobsBefore: number) => {
    expect(readdirSync(uploads)).toEqual([]);
    expect(blobCount()).toBe(blobsBefore);
    expect(await submissionCount()).toBe(0);
  };

  it('accepts an ONNX submission, evaluates it, and lists it as verified on the leaderboard', async () => {
    const { onnx, manifest } = await dcganParts(shared!);
    const res = await upload(base, token, [onnx, manifest]);
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; status: string; modelId: string; links: { status: string } };
    expect(accepted.status).toBe('queued');
    const final = await waitForSubmission(base, accepted.id);
    expect(final.error).toBeNull();
    expect(final.status).toBe('done');
    expect(readdirSync(uploads)).toEqual([]);

    const { boards } = (await (await fetch(`${base}/api/leaderboard`)).json()) as { boards: Array<{ dataset: string; extractor: string; metrics: string[]; rows: Array<Record<string, any>> }> };
    const board = boards.find((b) => b.dataset === 'mnist' && b.extractor === 'mobilenet-v1-0.25')!;
    const row = board.rows.find((r) => r.modelId === accepted.modelId)!;
    expect(row).toMatchObject({ modelName: 'mnist-dcgan', verified: true, samples: 100, licence: 'CC0-1.0', rank: 1 });
    expect(row.metrics.fd.value).toBeGreaterThan(0);
    expect(row.recipe.extractor).toBe('mobilenet-v1-0.25');

    expect(row.memorisation).toMatch(/^memorisation: no copying detected \(copy_rate /);
    expect(board.metrics).not.toContain('copy_rate');
    const page = await (await fetch(`${base}/`)).text();
    expect(page).toContain('mnist-dcgan');
    expect(page).toContain('>Memorisation</th>');
    expect(page).toMatch(/<span class="no-copying">no copying/);
    const model = (await (await fetch(`${base}/api/models/${accepted.modelId}`)).json()) as {
      evaluations: Array<{ split: string; recipe: Record<string, any>; links: { grid: string; report: string; nn?: string }; memorisation: { verdict: string; details: Record<string, any> } | null; warnings: string[] }>;
    };
    const ev = model.evaluations[0]!;
    // the whole held-out split, 100 seeded random rows of it as the reference; the server's bootstrap setting (0) kept
    expect(ev.split).toBe('test[8000:10000]');
    expect(ev.recipe['reference']).toMatchObject({ split: 'test[8000:10000]', count: 100, of: 2000, seed: 0 });
    expect(ev.recipe['bootstrap']).toBeNull();
    // the report's own verdict line (the leaderboard's), with the four checks and their recipe as details
    expect(ev.memorisation?.verdict).toBe(row.memorisation);
    for (const k of ['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']) expect(ev.memorisation!.details[k]).toMatchObject({ copying: false });
    expect(ev.memorisation!.details['recipe']).toMatchObject({ train_split: 'test[0:8000]', train_count: 8000 });
    expect(ev.warnings.filter((w) => /memorisation|panel/.test(w))).toEqual([]);
    expect(ev.links.nn).toMatch(/\/nn\.png$/);
    const nn = await fetch(`${base}${ev.links.nn!}`);
    expect(nn.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await nn.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const html = await (await fetch(`${base}/models/${accepted.modelId}`)).text();
    expect(html).toContain(`Memorisation: <b>${row.memorisation}</b>`);
    expect(html).toContain('/nn.png');
    const grid = await fetch(`${base}${model.evaluations[0]!.links.grid}`);
    expect(grid.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await grid.arrayBuffer()).slice(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const report = await fetch(`${base}${model.evaluations[0]!.links.report}`);
    expect(report.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(((await report.json()) as { schema: string }).schema).toBe('genbench.report/v1');
    expect(await (await fetch(`${base}/models/${accepted.modelId}`)).text()).toContain('/grid.png');
  }, 180_000);

  describe('bad uploads get one line and leave nothing behind', () => {
    let blobsBefore = 0;
    let subsBefore = 0;
    beforeAll(async () => {
      await server.store.sql.run('DELETE FROM evaluations');
      await server.store.sql.run('DELETE FROM submission_files');
      await server.store.sql.run('DELETE FROM submissions');
      blobsBefore = blobCount();
      subsBefore = await submissionCount();
      expect(subsBefore).toBe(0);
    });

    const bad = async (res: Response, status: number, pattern: RegExp) => {
      expect(res.status).toBe(status);
      const body = (await res.json()) as { error: { message: string } };
      expect(body.error.message).toMatch(pattern);
      expect(body.error.message).not.toContain('\n');
      await expectNothingLeft(blobsBefore);
    };

    it('refuses a wrong sha256', async () => {
      const { onnx, manifestJson } = await dcganParts(shared!);
      await bad(await upload(base, token, [onnx, { name: 'mnist-dcgan.genbench.json', data: JSON.stringify({ ...manifestJson, sha256: 'f'.repeat(64) }) }]), 400, /sha256 is [0-9a-f]{64} but .* says f{64}/);
    });
    it('refuses a file type that is not a checkpoint part', async () => {
      const { onnx, manifest } = await dcganParts(shared!);
      await bad(await upload(base, token, [onnx, manifest, { name: 'run.sh', data: 'rm -rf /' }]), 400, /run\.sh: file type not accepted/);
    });
    it('refuses a manifest the schema rejects, naming the field', async () => {
      const { onnx, manifestJson } = await dcganParts(shared!);
      await bad(await upload(base, token, [onnx, { name: 'genbench.json', data: JSON.stringify({ ...manifestJson, latent_dim: -1 }) }]), 400, /field 'latent_dim'/);
    });
    it('refuses a file over the size cap with 413', async () => {
      const { manifest } = await dcganParts(shared!);
      await bad(await upload(base, token, [manifest, { name: 'mnist-dcgan.onnx', data: new Uint8Array(4 * 2 ** 20) }]), 413, /larger than 3145728 bytes/);
    });
    it('keeps path-traversal names from reaching the filesystem', async () => {
      const { onnx, manifest } = await dcganParts(shared!);
      const res = await upload(base, token, [{ ...onnx, name: '../../../evil.onnx' }, manifest]);
      expect(res.status).toBe(400); // the name is reduced to 'evil.onnx', which the manifest does not name
      expect(existsSync(join(tmp, 'evil.onnx'))).toBe(false);
      expect(existsSync(join(tmpdir(), 'evil.onnx'))).toBe(false);
      await expectNothingLeft(blobsBefore);
    });
    it('refuses an unknown dataset', async () => {
      const { onnx, manifest } = await dcganParts(shared!);
      await bad(await upload(base, token, [onnx, manifest], { dataset: '/etc' }), 400, /dataset '\/etc' is not served here/);
    });
    it('needs a valid token', async () => {
      const { onnx, manifest } = await dcganParts(shared!);
      await bad(await upload(base, undefined, [onnx, manifest]), 401, /missing token/);
      await bad(await upload(base, `${token.slice(0, -2)}xx`, [onnx, manifest]), 401, /invalid or revoked token/);
    });
  });

  it('renders a model name with HTML in it as text, on the leaderboard and the model page', async () => {
    const m = await createModel(server.store.sql, { name: XSS, kind: 'submission', format: 'onnx', manifest: { name: XSS, license: '<b>MIT</b>' } });
    await putEvaluation(server.store.sql, { modelId: m.id, report: fakeReport(12, { name: XSS }), verified: true });
    for (const path of ['/', `/models/${m.id}`]) {
      const text = await (await fetch(`${base}${path}`)).text();
      expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
      expect(text).not.toContain('<script>alert');
      expect(text).not.toContain('<img src=x');
      expect(text).not.toContain('<b>MIT</b>');
    }
    // a report under another protocol than the server's (mobilenet-v1-0.75): listed apart, unranked
    const api = (await (await fetch(`${base}/api/leaderboard`)).json()) as { boards: Array<{ rows: Array<{ modelName: string }>; otherProtocols: Array<{ rows: Array<{ modelName: string; rank: number | null }> }> }> };
    expect(api.boards.flatMap((b) => b.rows).some((r) => r.modelName === XSS)).toBe(false);
    expect(api.boards.flatMap((b) => b.otherProtocols.flatMap((o) => o.rows)).filter((r) => r.modelName === XSS)).toEqual([expect.objectContaining({ rank: null })]);
  });

  it('shows a reference model with its training curve, sample grid and recipe', async () => {
    const curvePath = join(tmp, 'loss-curve.json');
    writeFileSync(curvePath, JSON.stringify({ step: [0, 1, 2], epoch: [0, 0, 0], losses: { d_loss: [1.4, 1.2, 1.1], g_loss: [0.7, 0.9, 1.0] }, epochs: [] }));
    const gridPath = join(shared!, 'fixtures', 'submissions', 'mnist-vae.grid.png');
    const first = await registerEvaluatedModel(server.store, { name: 'vae-mnist', kind: 'reference', manifest: { name: 'vae-mnist', license: 'Apache-2.0' }, report: fakeReport(50, { name: 'vae-mnist' }), verified: true, gridPath, curvePath });
    const again = await registerEvaluatedModel(server.store, { name: 'vae-mnist', kind: 'reference', manifest: {}, report: fakeReport(49, { name: 'vae-mnist' }), verified: true, curvePath });
    expect(again.model.id).toBe(first.model.id);
    expect(again.evaluation.id).toBe(first.evaluation.id); // same recipe: replaced
    expect(existsSync(gridPath)).toBe(true); // the source files are copied, not moved
    const curve = (await (await fetch(`${base}/api/models/${first.model.id}/curve.json`)).json()) as { losses: Record<string, number[]> };
    expect(curve.losses['g_loss']).toEqual([0.7, 0.9, 1.0]);
    const page = await (await fetch(`${base}/models/${first.model.id}`)).text();
    expect(page).toContain(`data-src="/api/models/${first.model.id}/curve.json"`);
    expect(page).toContain('Recipe');
    const json = (await (await fetch(`${base}/api/models/${first.model.id}`)).json()) as { evaluations: Array<{ metrics: { fd: { value: number; ci95: number[] } }; verified: boolean }> };
    expect(json.evaluations[0]).toMatchObject({ verified: true, metrics: { fd: { value: 49, ci95: [47, 51] } } });
    const noCurve = await fetch(`${base}/api/models/${(await createModel(server.store.sql, { name: 'x', kind: 'baseline', format: 'onnx', manifest: {} })).id}/curve.json`);
    expect(noCurve.status).toBe(404);
  });

  it('sends helmet security headers and a CSP without inline scripts', async () => {
    const res = await fetch(`${base}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline\'; script');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    const chart = await fetch(`${base}/static/chart.js`);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toMatch(/javascript/);
    expect(await chart.text()).toContain('Chart');
    expect((await fetch(`${base}/static/../package.json`)).status).toBe(404);
  });

  it('protects admin routes: 401 without a token, 403 with a non-admin one', async () => {
    expect((await fetch(`${base}/api/admin/tokens`)).status).toBe(401);
    expect((await fetch(`${base}/api/admin/tokens`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const ok = await fetch(`${base}/api/admin/tokens`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(ok.status).toBe(200);
    const body = JSON.stringify(await ok.json());
    expect(body).toContain('tester');
    expect(body).not.toContain(token.split('_')[2]!);
    const created = await fetch(`${base}/api/admin/tokens`, { method: 'POST', headers: { 'authorization': `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: '{"name":"bob"}' });
    expect(created.status).toBe(201);
    const bob = (await created.json()) as { token: string; id: string };
    expect((await fetch(`${base}/api/submissions/nope`, { headers: { authorization: `Bearer ${bob.token}` } })).status).toBe(404);
    expect((await fetch(`${base}/api/admin/tokens/${bob.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminToken}` } })).status).toBe(200);
  });

  it('answers unknown paths with 404: JSON under /api, HTML elsewhere', async () => {
    const api = await fetch(`${base}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const html = await fetch(`${base}/nope`);
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect((await fetch(`${base}/models/does-not-exist`)).status).toBe(404);
  });
});
