import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointFiles } from '../../src/cli/submit.js';
import { decodeImage } from '../../src/io/image-codec.js';
import { parseNpy } from '../../src/io/npy.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { createToken } from '../../src/store/index.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { writeTfjsTranslator } from '../harness/tfjs-translator-fixtures.js';
import { writeTranslator, type TranslatorKind } from '../harness/translator-fixtures.js';
import { upload, waitForSubmission, type Part } from './helpers.js';

/**
 * The leaderboard's translation track on a server (port 0, fetch), evaluations in the sandbox: an identity
 * translator uploaded for pneumonia-sr2 is scored by the translate harness under the task's protocol (shrunk by the
 * server's n to the first 24 test pairs, no features), ranked by its report's rank metric on the task's own board,
 * shown on its model page with the input | output | target grid, and rated on /rate against the task's targets
 * (its pool: its outputs on the test split; the model picker labels it with its task). A TF.js layers translator
 * (model.json, its shard and its manifest, the files genbench submit sends for the folder) is scored the same way, converted to ONNX in the evaluation. Bad
 * translators fail with one line: an unknown task or a missing shard at upload, outputs of another shape than the
 * targets and NaN outputs at evaluation.
 */
const shared = optionalSharedAssets();
const SIDE = 28;

describe.skipIf(!shared)('translation submissions (port 0, fetch)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'genbench-translation-server-'));
  const uploads = join(tmp, 'uploads');
  let server: RunningServer;
  let token: string;

  beforeAll(async () => {
    mkdirSync(uploads);
    server = await startServer({ db: join(tmp, 'gb.db'), port: 0, evaluation: { n: 24, bootstrap: 20, extractor: 'none' }, app: { uploadDir: uploads } });
    token = (await createToken(server.store.sql, { name: 'tester' })).token;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** The ONNX and manifest of a fixture translator, as upload parts. */
  const parts = async (kind: TranslatorKind, task: string, name: string = kind): Promise<Part[]> => {
    const onnx = join(tmp, `${name}.onnx`);
    await writeTranslator(onnx, { kind, shape: [1, SIDE, SIDE], task });
    const manifest = JSON.parse(readFileSync(onnx.replace(/\.onnx$/, '.genbench.json'), 'utf8')) as Record<string, unknown>;
    return [{ name: `${name}.onnx`, data: readFileSync(onnx) }, { name: `${name}.genbench.json`, data: JSON.stringify({ ...manifest, name: `${name}-${task}`, license: 'CC0-1.0' }) }];
  };
  const submit = async (p: Part[]) => {
    const res = await upload(server.url, token, p);
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { id: string; modelId: string };
    return { ...accepted, final: await waitForSubmission(server.url, accepted.id) };
  };

  it('scores an identity translator on its task, ranks it on the task board, shows its grid and rates its outputs', async () => {
    const { modelId, final } = await submit(await parts('identity', 'pneumonia-sr2'));
    expect(final.error).toBeNull();
    expect(final.status).toBe('done');

    type Cell = { value: number; ci95: [number, number] };
    type Row = { modelId: string; metrics: Record<string, Cell> };
    const { boards } = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: Array<{ kind: string; dataset: string; metrics: string[]; rows: Row[] }> };
    const board = boards.find((b) => b.kind === 'translation' && b.dataset === 'pneumonia-sr2')!;
    expect(board).toMatchObject({ primary: 'ssim', protocol: { split: 'test[0:24]', n: 24, extractor: 'none' }, higherIsBetter: { ssim: true, psnr: true, mse: false } });
    expect(board.metrics).toEqual(expect.arrayContaining(['mse', 'l1', 'psnr', 'ssim']));
    const row = board.rows[0]!;
    expect(row).toMatchObject({ modelId, modelName: 'identity-pneumonia-sr2', rank: 1, samples: 24, memorisation: null });
    // identity: the outputs are the degraded sources themselves
    expect(row.metrics.ssim.value).toBeGreaterThan(0.5);
    expect(row.metrics.ssim.value).toBeLessThan(1);
    expect(row.metrics.psnr.ci95[0]).toBeLessThan(row.metrics.psnr.value);
    expect(row.metrics.psnr.ci95[1]).toBeGreaterThan(row.metrics.psnr.value);

    const page = await (await fetch(`${server.url}/`)).text();
    const section = page.slice(page.indexOf('data-kind="translation"'));
    expect(section).toMatch(/<h2>Translation: pneumonia-sr2 · none<\/h2>/);
    expect(section).toContain('Protocol: test[0:24] (24 pairs) · ranked by SSIM · no features');
    expect(section).toContain('identity-pneumonia-sr2');
    expect(section.slice(0, section.indexOf('</table>'))).not.toContain('Memorisation');

    const model = await (await fetch(`${server.url}/models/${modelId}`)).text();
    expect(model).toContain('translation task pneumonia-sr2: 24 pairs of test[0:24]');
    expect(model).toContain('<figcaption>input | output | target</figcaption>');
    const { evaluations } = (await (await fetch(`${server.url}/api/models/${modelId}`)).json()) as { evaluations: Array<{ links: { grid: string }; metrics: Record<string, unknown> }> };
    expect(Object.keys(evaluations[0]!.metrics)).toContain('psnr');
    const grid = await fetch(`${server.url}${evaluations[0]!.links.grid}`);
    expect(grid.headers.get('content-type')).toBe('image/png');
    // 16 triplets of 3 x 28 px (+ 1-px gaps) scaled 2x, 4 columns, 6-px padding
    const png = decodeImage(new Uint8Array(await grid.arrayBuffer()), 'grid.png');
    expect([png.width, png.height]).toEqual([4 * (2 * (3 * SIDE + 2)) + 5 * 6, 4 * (2 * SIDE) + 5 * 6]);

    // the rating pool: its outputs on the whole test split; /rate serves a trial of it
    const pool = await server.store.sql.get<{ sha256: string }>('SELECT sha256 FROM rating_fake_pools WHERE model_id = ?', [modelId]);
    expect(parseNpy(readFileSync(server.store.blobs.path(pool!.sha256)), 'pool').shape).toEqual([468, SIDE, SIDE, 1]);
    const state = (await (await fetch(`${server.url}/api/rate`)).json()) as { models: Array<{ id: string }> };
    expect(state.models.find((m) => m.id === modelId)).toEqual({ id: modelId, name: 'identity-pneumonia-sr2', dataset: null, task: 'pneumonia-sr2' });
    // the model picker labels a translator with its task, as it labels a generator with its dataset
    expect(await (await fetch(`${server.url}/rate`)).text()).toContain(`<option value="${modelId}">identity-pneumonia-sr2 (task pneumonia-sr2)</option>`);
    const trial = await fetch(`${server.url}/api/rate/trials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ modelId, protocol: 'inf' }) });
    expect(trial.status).toBe(200);
    const t = (await trial.json()) as { image: string };
    const shown = decodeImage(Buffer.from(t.image.replace(/^data:image\/png;base64,/, ''), 'base64'), 'trial.png');
    expect([shown.width, shown.height]).toEqual([SIDE, SIDE]);
    expect(readdirSync(uploads)).toEqual([]);
  }, 60_000);

  /** The files genbench submit sends for a TF.js translator folder, as upload parts. */
  const tfjsParts = async (name: string): Promise<Part[]> => {
    const dir = join(tmp, name);
    await writeTfjsTranslator(dir, { kind: 'conv', shape: [SIDE, SIDE, 1], task: 'pneumonia-sr2', name });
    return (await checkpointFiles(dir)).map((f) => ({ name: f.name, data: readFileSync(f.path) }));
  };

  it('scores a TF.js layers translator (model.json, shard, manifest) converted to ONNX, on the task board', async () => {
    const p = await tfjsParts('tfjs-conv');
    expect(p.map((f) => f.name).sort()).toEqual(['genbench.json', 'model.json', 'weights.bin']);
    const { modelId, final } = await submit(p);
    expect(final.error).toBeNull();
    expect(final.status).toBe('done');
    const { boards } = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: Array<{ kind: string; dataset: string; rows: Array<{ modelId: string; modelName: string; samples: number; metrics: Record<string, { value: number }> }> }> };
    const row = boards.find((b) => b.kind === 'translation' && b.dataset === 'pneumonia-sr2')!.rows.find((r) => r.modelId === modelId)!;
    expect(row).toMatchObject({ modelName: 'tfjs-conv', samples: 24 });
    expect(Number.isFinite(row.metrics['psnr']!.value)).toBe(true);
    const { evaluations } = (await (await fetch(`${server.url}/api/models/${modelId}`)).json()) as { evaluations: Array<{ recipe: { backend: { generator: string } } }> };
    expect(evaluations[0]!.recipe.backend.generator).toMatch(/converted from TF\.js/);
  }, 60_000);

  it('refuses a TF.js translator whose shard is missing with one line', async () => {
    const p = (await tfjsParts('tfjs-noshard')).filter((f) => f.name !== 'weights.bin');
    const res = await upload(server.url, token, p);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toBe("model.json names shard 'weights.bin' but it was not uploaded; upload every .bin file");
  });

  it('refuses a manifest naming an unknown task with one line, storing nothing', async () => {
    const res = await upload(server.url, token, await parts('identity', 'no-such-task', 'unknown'));
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toMatch(/^unknown\.genbench\.json: task 'no-such-task' is not a translation task served here; use one of colin27-t1-bet, .*pneumonia-sr2/);
    expect(error.message).not.toContain('\n');
    expect(Number((await server.store.sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM models WHERE name = 'unknown-no-such-task'"))!.n)).toBe(0);
  });

  it('fails outputs of another shape than the targets, and NaN outputs, with one line and no server path', async () => {
    const [pool, nan] = await Promise.all([submit(await parts('pool', 'pneumonia-sr2')), submit(await parts('nan', 'pneumonia-sr2'))]);
    for (const s of [pool, nan]) {
      expect(s.final.status).toBe('failed');
      expect(s.final.error).not.toContain('\n');
      expect(s.final.error).not.toContain(tmpdir());
    }
    expect(pool.final.error).toMatch(/field 'output_shape' \[1,14,14\] is 14x14x1 \(HxWxC\) but the target images of pneumonia-sr2 are 28x28x1/);
    expect(nan.final.error).toMatch(/translator nan-pneumonia-sr2 .*produced NaN at output value \d+; check its weights/);
    const { boards } = (await (await fetch(`${server.url}/api/leaderboard`)).json()) as { boards: Array<{ rows: Array<{ modelId: string }> }> };
    expect(boards.flatMap((b) => b.rows).map((r) => r.modelId)).not.toContain(pool.modelId);
  }, 60_000);
});
