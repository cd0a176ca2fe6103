import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from '../../src/io/report.js';
import { loadTranslator, type Translator, type TranslatorLoadOptions } from '../../src/models/translator.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { runCli } from '../helpers/cli.js';
import { writeOnnxCopy, writeTfjsTranslator } from '../harness/tfjs-translator-fixtures.js';

/**
 * TF.js layers translators (`format: 'tfjs-layers'`): converted once through the TF.js -> ONNX open path (cached)
 * and run with the checks of an .onnx translator, giving the outputs of the same network's ONNX export; on tfjs
 * when asked or when the converter lacks a layer (with the reason); and `genbench evaluate --translator --task` of
 * the TF.js model of a `genbench train --model pix2pix` checkpoint folder (under a tfjs-layers manifest beside its
 * translator.onnx) scores what the folder's ONNX export scores.
 */
const shared = optionalSharedAssets();
const SIDE = 28;
let tmp: string;
let cacheDir: string;
const shape = [SIDE, SIDE, 1] as const;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'genbench-tfjs-translator-'));
  cacheDir = join(tmp, 'onnx-cache');
  await writeTfjsTranslator(join(tmp, 'conv'), { kind: 'conv', shape, task: 'pneumonia-sr2' });
  await writeOnnxCopy(join(tmp, 'conv'), join(tmp, 'onnx', 'conv.onnx'), { kind: 'conv', shape, task: 'pneumonia-sr2' });
});
afterAll(async () => rm(tmp, { recursive: true, force: true }));

const load = (dir: string, opts: TranslatorLoadOptions = {}): Promise<Translator> => loadTranslator(dir, { cacheDir, ...opts });

/** Three images of random values in [-1, 1]. */
function inputs(): Float32Array {
  const rng = new Rng(3);
  return Float32Array.from({ length: 3 * SIDE * SIDE }, () => rng.float() * 2 - 1);
}

describe('TF.js layers translators', () => {
  it('run on onnxruntime after a cached conversion, with the outputs of the ONNX export', async () => {
    const x = inputs();
    const onnx = await loadTranslator(join(tmp, 'onnx', 'conv.onnx'));
    const want = await onnx.translate(x, 3);
    onnx.dispose();
    const t = await load(join(tmp, 'conv'));
    expect(t.engine).toMatch(/^onnxruntime-node .*converted from TF\.js/);
    expect(t.path).toBe(join(tmp, 'conv', 'model.json'));
    expect(t.manifest.format).toBe('tfjs-layers');
    expect(await t.translate(x, 3, { batchSize: 2 })).toEqual(want);
    t.dispose();
    const cached = await readdir(cacheDir);
    const again = await load(join(tmp, 'conv', 'model.json'));
    expect(await again.translate(x, 3)).toEqual(want);
    again.dispose();
    expect(await readdir(cacheDir)).toEqual(cached); // one .onnx and its sidecar, reused
    expect(cached.filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
  });

  it('run on tfjs when asked, within float error of onnxruntime', async () => {
    const x = inputs();
    const [a, b] = [await load(join(tmp, 'conv')), await load(join(tmp, 'conv'), { engine: 'tfjs' })];
    expect(b.engine).toMatch(/^tfjs /);
    const [ya, yb] = [await a.translate(x, 3), await b.translate(x, 3)];
    a.dispose();
    b.dispose();
    let max = 0;
    for (let i = 0; i < ya.length; i++) max = Math.max(max, Math.abs(ya[i]! - yb[i]!));
    expect(max).toBeLessThan(1e-5);
  });

  it('a layer the converter lacks runs on tfjs, with the reason naming the layer', async () => {
    const dir = join(tmp, 'upsample');
    await writeTfjsTranslator(dir, { kind: 'upsample', shape: [8, 8, 1] });
    const notes: string[] = [];
    const t = await load(dir, { onNote: (m) => notes.push(m) });
    expect(t.engine).toMatch(/^tfjs /);
    const x = Float32Array.from({ length: 64 }, (_, i) => (i / 63) * 2 - 1);
    expect(Array.from(await t.translate(x, 1))).toEqual(Array.from(x).map((v) => Math.fround(v))); // 2x nearest then 2x2 mean: the input
    t.dispose();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/layer 'up' \(UpSampling2D\) is not supported.*running on tfjs$/);
  });

  it('checks the folder as TF.js generators are: every shard present, each listed with its sha256', async () => {
    const dir = join(tmp, 'bad');
    const m = await writeTfjsTranslator(dir, { kind: 'conv', shape: [8, 8, 1] });
    await writeFile(join(dir, 'genbench.json'), JSON.stringify({ ...m, files: { 'model.json': m['sha256'] } }));
    await expect(load(dir)).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(/genbench\.json: field 'files' has no sha256 for 'weights\.bin'/) });
    await rm(join(dir, 'weights.bin'));
    await expect(load(dir)).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(/weights\.bin: weight shard listed in \S*model\.json is missing; copy the whole model folder$/) });
    const wrong = join(tmp, 'wrong-output');
    const w = await writeTfjsTranslator(wrong, { kind: 'conv', shape: [8, 8, 1] });
    await writeFile(join(wrong, 'genbench.json'), JSON.stringify({ ...w, output: 'y' }));
    await expect(load(wrong)).rejects.toMatchObject({ code: 'INPUT', message: expect.stringMatching(/field 'output' is 'y' but the model's outputs are: translated$/) });
  });

  it.skipIf(!shared)('genbench evaluate --translator on the TF.js model of a genbench train pix2pix checkpoint scores what its translator.onnx scores', async () => {
    const env = { GENBENCH_HOME: join(tmp, 'home') };
    const train = await runCli(['train', '--model', 'pix2pix', '--task', 'pneumonia-sr2', '--steps', '2', '--out', 'p2p', '--quiet'], { cwd: tmp, env });
    expect(train.code, train.stderr).toBe(0);
    const ckpt = join(tmp, 'p2p', (await readdir(join(tmp, 'p2p'))).find((f) => f.startsWith('ckpt-'))!);
    const m = JSON.parse(await readFile(join(ckpt, 'genbench.json'), 'utf8')) as { files: Record<string, string> };
    await writeFile(join(ckpt, 'tfjs.genbench.json'), JSON.stringify({ ...m, format: 'tfjs-layers', file: 'model.json', sha256: m.files['model.json'] }));
    const args = (t: string, out: string) => ['evaluate', '--translator', t, '--task', 'pneumonia-sr2', '--extractor', 'none', '--bootstrap', '0', '--out', out, '--quiet'];
    const runs = await Promise.all([runCli(args(join(ckpt, 'tfjs.genbench.json'), 'p2p-tfjs.json'), { cwd: tmp, env }), runCli(args(ckpt, 'p2p-onnx.json'), { cwd: tmp, env })]);
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [a, b] = await Promise.all(['p2p-tfjs.json', 'p2p-onnx.json'].map(async (f) => parseReport(JSON.parse(await readFile(join(tmp, f), 'utf8')), f)));
    for (const id of ['psnr', 'ssim']) expect(Math.abs(a!.metrics[id]!.value! - b!.metrics[id]!.value!), id).toBeLessThan(1e-6);
    expect(a!.recipe.backend.generator).toMatch(/converted from TF\.js/);
    expect(a!.model.manifest['format']).toBe('tfjs-layers');
    expect(b!.model.manifest['format']).toBe('onnx');
    expect(a!.dataset).toMatchObject({ name: 'pneumonia-sr2', split: 'test' });
  }, 60_000);
});
