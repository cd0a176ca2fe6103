import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import type { Report } from '../../src/io/report.js';
import { publicReport, scrubPaths } from '../../src/server/public-report.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createToken } from '../../src/store/index.js';
import { fakeReport } from '../store/conformance.js';
import { upload, waitForSubmission, type Part } from './helpers.js';

/**
 * What the public sees of a server (its evaluation a stub that answers like a real run on this machine would, with
 * absolute paths of its dataset files, checkpoint, extractor and a warning): no server path on any page, API answer
 * or downloaded report; licences that are not SPDX ids refused; a submitter's model names unique (409); official
 * entries badged.
 */
const tmp = mkdtempSync(join(tmpdir(), 'genbench-public-'));
const ROOT = join(tmp, 'srv-assets');
let server: RunningServer;
let token: string;
let admin: string;

/** The report of a run on this machine under the server's protocol (n 8): paths under ROOT and the evaluation's work folder. */
function localReport(generator: string, fd = 20): Report {
  const r = fakeReport(fd);
  const file = (f: string) => ({ id: `datasets/mnist/${f}`, path: join(ROOT, 'datasets/mnist', f), sha256: 'a'.repeat(64) });
  return {
    ...r,
    model: { ...r.model, path: generator },
    recipe: { ...r.recipe, n: { generated: 8, reference: 8 }, reference: { ...r.recipe.reference!, count: 8 } },
    dataset: { ...r.dataset, files: [file('t10k-images-idx3-ubyte.gz'), file('t10k-labels-idx1-ubyte.gz')] },
    warnings: [`features cached in ${join(ROOT, 'cache', 'features')}/ab.npy`],
    run: { extractor: join(ROOT, 'models', 'extractor.onnx') },
  };
}

function checkpoint(name: string, seed: number, manifest: Record<string, unknown> = {}, stem = 'g'): Part[] {
  const bytes = Uint8Array.from({ length: 1024 }, (_, i) => (i * 17 + seed) & 255);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const m = { name, format: 'onnx', file: `${stem}.onnx`, input: 'z', latent_dim: 8, output: 'x', output_layout: 'NCHW', output_range: '[-1,1]', image_shape: [1, 28, 28], dataset: 'mnist', sha256: sha, license: 'CC0-1.0', ...manifest };
  return [{ name: `${stem}.onnx`, data: bytes }, { name: `${stem}.genbench.json`, data: JSON.stringify(m) }];
}
const message = async (res: Response) => ((await res.json()) as { error: { message: string } }).error.message;

beforeAll(async () => {
  server = await startServer({
    db: join(tmp, 'gb.db'),
    port: 0,
    evaluation: { n: 8, bootstrap: 0, extractor: 'mobilenet-v1-0.75' },
    evaluate: async (o) => {
      if (String(o.generator).includes('fail')) throw new GenbenchError('INPUT', `${String(o.generator)}: not a generator`);
      return localReport(String(o.generator));
    },
    app: { uploadDir: tmp, humanScores: null },
  });
  token = (await createToken(server.store.sql, { name: 'alice' })).token;
  admin = (await createToken(server.store.sql, { name: 'operators', admin: true })).token;
});
afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('public answers', () => {
  it('scrubPaths keeps file names, URLs and relative paths; publicReport names dataset files by id', () => {
    expect(scrubPaths("ENOENT: open '/srv/gb/blobs/ab/cd'")).toBe("ENOENT: open 'cd'");
    expect(scrubPaths('at /onnxruntime_src/onnxruntime/core/session/inference_session.cc:1834 Load')).toBe('at inference_session.cc:1834 Load');
    expect(scrubPaths('see https://example.org/a/b and datasets/mnist/x.gz, FD vs 1/N')).toBe('see https://example.org/a/b and datasets/mnist/x.gz, FD vs 1/N');
    const r = publicReport(localReport(join(tmp, 'genbench-eval-1', 'g.onnx')));
    expect(r.dataset.files[0]).toEqual({ id: 'datasets/mnist/t10k-images-idx3-ubyte.gz', path: 'datasets/mnist/t10k-images-idx3-ubyte.gz', sha256: 'a'.repeat(64) });
    expect(r.model.path).toBe('g.onnx');
    expect(r.run.extractor).toBe('extractor.onnx');
    expect(JSON.stringify(r)).not.toContain(tmp);
  });

  it('shows no server path on the board, the model page, its JSON, the report download or a failure', async () => {
    const res = await upload(server.url, token, checkpoint('pathless', 1));
    expect(res.status).toBe(202);
    const { id, modelId } = (await res.json()) as { id: string; modelId: string };
    expect((await waitForSubmission(server.url, id, 10_000)).status).toBe('done');
    const model = (await (await fetch(`${server.url}/api/models/${modelId}`)).json()) as { evaluations: Array<{ links: { report: string } }> };
    const report = await (await fetch(`${server.url}${model.evaluations[0]!.links.report}`)).text();
    expect(JSON.parse(report).dataset.files.map((f: { path: string }) => f.path)).toEqual(['datasets/mnist/t10k-images-idx3-ubyte.gz', 'datasets/mnist/t10k-labels-idx1-ubyte.gz']);
    const failed = (await (await upload(server.url, token, checkpoint('broken', 2, {}, 'fail'))).json()) as { id: string };
    expect((await waitForSubmission(server.url, failed.id, 10_000)).error).toMatch(/fail\.onnx: not a generator$/);
    const answers = [report, JSON.stringify(model)];
    for (const path of ['/', '/api/leaderboard', `/models/${modelId}`, `/submissions/${failed.id}`, `/api/submissions/${failed.id}`]) answers.push(await (await fetch(`${server.url}${path}`)).text());
    for (const a of answers) {
      expect(a).not.toContain(tmp);
      expect(a).not.toContain(tmpdir() + '/');
    }
  });

  it('refuses a licence that is not an SPDX id with one line', async () => {
    const res = await upload(server.url, token, checkpoint('badlicence', 3, { license: 'Creative Commons Attribution' }));
    expect(res.status).toBe(400);
    expect(await message(res)).toMatch(/^g\.genbench\.json: field 'license' is 'Creative Commons Attribution', not an SPDX licence id; use an SPDX id such as/);
  });

  it('keeps model names unique per submitter: 409 for new bytes under a used name, the earlier one for the same bytes', async () => {
    const first = (await (await upload(server.url, token, checkpoint('twin', 4))).json()) as { id: string; modelId: string };
    expect((await waitForSubmission(server.url, first.id, 10_000)).status).toBe('done');
    const same = await upload(server.url, token, checkpoint('twin', 4));
    expect(same.status).toBe(202);
    expect(await same.json()).toMatchObject({ id: first.id, deduplicated: true });
    const other = await upload(server.url, token, checkpoint('twin', 5));
    expect(other.status).toBe(409);
    expect(await message(other)).toBe(`model name 'twin' is already used by another model of this token (/models/${first.modelId}); give the new model its own 'name' in the manifest`);
    expect((await upload(server.url, admin, checkpoint('twin', 5))).status).toBe(202); // another submitter may use it
    // a name whose only model failed is free again
    const broken = (await (await upload(server.url, token, checkpoint('retry', 6, {}, 'fail'))).json()) as { id: string };
    expect((await waitForSubmission(server.url, broken.id, 10_000)).status).toBe('failed');
    expect((await upload(server.url, token, checkpoint('retry', 7))).status).toBe(202);
  });

  it('badges official entries (an admin token) on the board, in its JSON and on the model page', async () => {
    const res = (await (await upload(server.url, admin, checkpoint('house-model', 8))).json()) as { id: string; modelId: string };
    expect((await waitForSubmission(server.url, res.id, 10_000)).status).toBe('done');
    const { boards } = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: Array<{ rows: Array<{ modelName: string; official: boolean }> }> };
    const rows = boards[0]!.rows;
    expect(rows.find((r) => r.modelName === 'house-model')?.official).toBe(true);
    expect(rows.find((r) => r.modelName === 'pathless')?.official).toBe(false);
    const board = await (await fetch(server.url)).text();
    expect(board).toMatch(/>house-model<\/a> <span class="official"[^>]*>official<\/span>/);
    expect(board).not.toMatch(/>pathless<\/a> <span class="official"/);
    const page = await (await fetch(`${server.url}/models/${res.modelId}`)).text();
    expect(page).toContain('<span class="official">official</span>');
    const json = (await (await fetch(`${server.url}/api/models/${res.modelId}`)).json()) as { standing: { official: boolean; ranks: Array<{ dataset: string; rank: number }>; links: { rate: string } } };
    expect(json.standing).toMatchObject({ official: true, ranks: [{ dataset: 'mnist', rank: 1 }], links: { rate: `/rate?model=${res.modelId}` } });
    expect(page).toContain(`href="/rate?model=${res.modelId}"`);
  });
});
