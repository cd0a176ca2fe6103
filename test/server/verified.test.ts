import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/io/report.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createModel, createToken, listEvaluations, putEvaluation } from '../../src/store/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { fakeReport } from '../store/conformance.js';
import { upload, waitForSubmission, type Part } from './helpers.js';

/**
 * Only verified results rank: a 4 KB "ONNX" of noise with a report claiming FD 0.01 is listed apart as self-reported,
 * below the verified board, and disappears when the server's own evaluation of it fails; a report naming an unknown
 * metric, extractor or dataset, or other bytes than the upload, is refused with a 400 naming the field.
 */
const shared = optionalSharedAssets();
const noise = Uint8Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 255);
const sha = createHash('sha256').update(noise).digest('hex');
const manifest: Part = {
  name: 'noise.genbench.json',
  data: JSON.stringify({ name: 'noise', format: 'onnx', file: 'noise.onnx', input: 'z', latent_dim: 8, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], dataset: 'mnist', sha256: sha }),
};
const claim = (edit: (r: Report) => Report = (r) => r): Part => {
  const r = fakeReport(0.01, { name: 'noise' });
  return { name: 'report.json', data: JSON.stringify(edit({ ...r, model: { ...r.model, path: 'noise.onnx', files: { 'noise.onnx': sha } } })) };
};

interface Board {
  dataset: string;
  extractor: string;
  metrics: string[];
  rows: Array<{ modelName: string; rank: number | null; verified: boolean }>;
  selfReported: Array<{ modelName: string; rank: number | null; metrics: Record<string, { value: number }> }>;
}

describe.skipIf(!shared)('verified ranks only', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-verified-'));
  let server: RunningServer;
  let token: string;
  beforeAll(async () => {
    server = await startServer({ db: join(tmp, 'gb.db'), port: 0, evaluation: { n: 100, bootstrap: 0, memorization: false, extractor: 'mobilenet-v1-0.75' }, evaluationLimits: { timeoutMs: 60_000, memoryMb: 2048, maxSamples: 2000, maxAttempts: 1 } });
    token = (await createToken(server.store.sql, { name: 't' })).token;
    const m = await createModel(server.store.sql, { name: 'honest', kind: 'reference', format: 'onnx', manifest: {} });
    await putEvaluation(server.store.sql, { modelId: m.id, report: fakeReport(30, { name: 'honest' }), verified: true });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const boards = async () => ((await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: Board[] }).boards;

  it('refuses a report naming an unknown metric, extractor or dataset, or other bytes, naming the field', async () => {
    const bad = async (report: Part, status: number, pattern: RegExp) => {
      const res = await upload(server.url, token, [{ name: 'noise.onnx', data: noise }, manifest, report]);
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(pattern);
    };
    await bad(claim((r) => ({ ...r, metrics: { ...r.metrics, fd_fake: { value: 0 } } })), 400, /^report\.json: field 'metrics\.fd_fake' is not a metric this server knows/);
    await bad(claim((r) => ({ ...r, recipe: { ...r.recipe, extractor: { ...r.recipe.extractor, id: 'inception-v3' } } })), 400, /^report\.json: field 'recipe\.extractor\.id' is 'inception-v3'/);
    await bad(claim((r) => ({ ...r, dataset: { ...r.dataset, name: 'cifar10' } })), 400, /^report\.json: field 'dataset\.name' is 'cifar10'/);
    await bad(claim((r) => ({ ...r, model: { ...r.model, files: { 'noise.onnx': 'f'.repeat(64) } } })), 400, /^report\.json: field 'model\.files\.noise\.onnx' is f{64} but the uploaded noise\.onnx has sha256/);
    await bad(claim((r) => ({ ...r, model: { ...r.model, files: {} } })), 400, /^report\.json: field 'model\.files' does not give the sha256 of noise\.onnx/);
    expect(await server.store.sql.all('SELECT id FROM submissions')).toEqual([]);
  });

  it('lists a self-reported claim apart, never ranked, and removes it when verification fails', async () => {
    const res = await upload(server.url, token, [{ name: 'noise.onnx', data: noise }, manifest, claim()]);
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const [board] = await boards();
    expect(board!.rows.map((r) => [r.modelName, r.rank, r.verified])).toEqual([['honest', 1, true]]);
    expect(board!.metrics).toEqual(['fd', 'precision']);
    // read at once: the evaluation process has not even started node yet
    expect(board!.selfReported).toMatchObject([{ modelName: 'noise', rank: null, metrics: { fd: { value: 0.01 } } }]);
    const final = await waitForSubmission(server.url, id, 30_000);
    expect(final.status).toBe('failed');
    expect(final.error).toMatch(/^noise\.onnx: onnxruntime cannot load this model: Load model from noise\.onnx failed/); // one line, no server paths
    const after = await boards();
    expect(after.map((b) => [b.dataset, b.extractor])).toEqual([['mnist', 'mobilenet-v1-0.75']]);
    expect(after[0]!.rows.map((r) => r.modelName)).toEqual(['honest']);
    expect(after[0]!.selfReported).toEqual([]);
    expect((await listEvaluations(server.store.sql)).map((e) => e.report.model.name)).toEqual(['honest']);
    const page = await (await fetch(`${server.url}/`)).text();
    expect(page).not.toContain('noise');
  });
});
