#!/usr/bin/env node
/**
 * Translation quality table: genbench's reference `pix2pix` against the same pix2pix written in PyTorch
 * (test/bench/pix2pix_torch.py, exported to ONNX), both trained for TRANSLATION_STEPS steps (batch 16, seed 0) on
 * `pneumonia-denoise` train (2428 pairs) and scored by `genbench evaluate --translator ... --task pneumonia-denoise`
 * on `test` (468 pairs): PSNR, SSIM and FD of the outputs against the clean images, with their 95% intervals. An
 * identity translator (the noisy input itself) gives the floor row. Everything is scored through the CLI.
 *
 *   npm run bench:translation                      # 800 steps each: about 2 min for genbench, 20 s for PyTorch, plus three evaluations
 *   TRANSLATION_STEPS=200 npm run bench:translation
 *
 * Env: TRANSLATION_STEPS (800), TRANSLATION_DIR (runs and reports; default runs/translation; a run folder that
 * already has its summary is not trained again), TRANSLATION_EXTRACTOR (FD's features, mobilenet-v1-0.75),
 * TRANSLATION_TORCH_THREADS (1, as genbench's wasm backend trains on one thread by default), GENBENCH_PYTHON
 * (/usr/bin/python3 with Debian's python3-torch). Prints a markdown table on stdout and writes TRANSLATION_DIR/table.json.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { root, table } from './genbench-cli.mjs';
import { runReference } from './reference-process.mjs';

const TASK = 'pneumonia-denoise';
const STEPS = Number(process.env.TRANSLATION_STEPS ?? 800);
const DIR = resolve(process.env.TRANSLATION_DIR ?? join(root, 'runs/translation'));
const EXTRACTOR = process.env.TRANSLATION_EXTRACTOR ?? 'mobilenet-v1-0.75';
const THREADS = Number(process.env.TRANSLATION_TORCH_THREADS ?? 1);
const bin = join(root, 'dist/src/cli/bin.js');
const assets = (process.env.GENBENCH_ASSETS ?? join(root, '../shared')).split(':')[0];
process.env.GENBENCH_ASSETS ??= assets;
const dist = (p) => import(join(root, 'dist/src', p));

function genbench(args) {
  return JSON.parse(execFileSync(process.execPath, [bin, ...args, '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] }));
}

/** The task's train pairs as an .npz of uint8 `source` and `target` [N, H, W, C], the file the PyTorch side reads. */
async function exportPairs(path) {
  if (existsSync(path)) return;
  const { PAIRED_TASKS } = await dist('data/paired-tasks.js');
  const { encodeNpy } = await dist('io/npy.js');
  const { writeFileAtomic } = await dist('io/atomic.js');
  const s = await PAIRED_TASKS.get(TASK).load('train');
  const npy = (b) => encodeNpy(b.data, [b.n, b.height, b.width, b.channels]);
  await writeFileAtomic(path, zipSync({ 'source.npy': npy(s.source), 'target.npy': npy(s.target) }));
}

/** The identity translator (y = x, NCHW [1, 28, 28], [0,1]) and its manifest: scores the noisy input itself. */
async function writeIdentity(dir) {
  const { encodeModel } = await dist('io/onnx-model.js');
  mkdirSync(dir, { recursive: true });
  const bytes = encodeModel({ name: 'identity', nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], initializers: [], inputs: [{ name: 'x', type: 'float32', shape: ['N', 1, 28, 28] }], outputs: [{ name: 'y', type: 'float32', shape: ['N', 1, 28, 28] }] }, { opset: 13 });
  writeFileSync(join(dir, 'identity.onnx'), bytes);
  const manifest = { name: 'identity', kind: 'translator', format: 'onnx', file: 'identity.onnx', sha256: createHash('sha256').update(bytes).digest('hex'), task: TASK, input: 'x', output: 'y', layout: 'NCHW', input_shape: [1, 28, 28], output_shape: [1, 28, 28], input_range: '[0,1]', output_range: '[0,1]' };
  writeFileSync(join(dir, 'genbench.json'), JSON.stringify(manifest));
  return dir;
}

function trainGenbench(out) {
  const summary = join(out, 'train.json');
  if (!existsSync(summary)) {
    console.error(`training genbench pix2pix on ${TASK} train for ${STEPS} steps (load ${loadavg()[0].toFixed(1)})`);
    const r = genbench(['train', '--model', 'pix2pix', '--task', TASK, '--steps', String(STEPS), '--seed', '0', '--out', out]);
    writeFileSync(summary, JSON.stringify({ steps: r.step, seconds: r.trainSeconds, backend: r.backend, loadAverageAfter: loadavg()[0] }, null, 2));
  }
  return JSON.parse(readFileSync(summary, 'utf8'));
}

function trainTorch(pairs, out) {
  const summary = join(out, 'train.json');
  if (!existsSync(summary)) {
    console.error(`training PyTorch pix2pix on ${TASK} train for ${STEPS} steps, ${THREADS} thread(s) (load ${loadavg()[0].toFixed(1)})`);
    const r = runReference({ script: join(root, 'test/bench/pix2pix_torch.py'), args: [pairs, out, '--steps', STEPS, '--threads', THREADS, '--task', TASK], timeoutS: 3600 });
    writeFileSync(summary, JSON.stringify({ steps: r.json.steps, seconds: r.json.train_seconds, backend: r.kernel, loadAverageAfter: loadavg()[0] }, null, 2));
  }
  return JSON.parse(readFileSync(summary, 'utf8'));
}

function score(translator) {
  const r = genbench(['evaluate', '--translator', translator, '--task', TASK, '--extractor', EXTRACTOR]);
  const m = (id) => ({ value: r.metrics[id]?.value ?? null, ci95: r.metrics[id]?.ci95 ?? null });
  return { psnr: m('psnr'), ssim: m('ssim'), fd: m('fd') };
}

mkdirSync(DIR, { recursive: true });
const pairs = join(DIR, `${TASK}-train.npz`);
await exportPairs(pairs);
const entries = [
  { model: 'genbench pix2pix (TF.js, wasm)', dir: join(DIR, 'genbench-pix2pix'), train: (d) => trainGenbench(d) },
  { model: 'PyTorch pix2pix (ONNX)', dir: join(DIR, 'torch-pix2pix'), train: (d) => trainTorch(pairs, d) },
];
const rows = [];
for (const e of entries) {
  const train = e.train(e.dir);
  rows.push({ model: e.model, ...train, ...score(e.dir) });
  console.error(`${e.model}: ${JSON.stringify(rows.at(-1))}`);
}
rows.push({ model: 'noisy input (identity)', steps: null, seconds: null, backend: null, ...score(await writeIdentity(join(DIR, 'identity'))) });
writeFileSync(join(DIR, 'table.json'), JSON.stringify({ task: TASK, steps: STEPS, extractor: EXTRACTOR, rows }, null, 2));

const f = (x, d) => (x === null || x === undefined ? 'n/a' : x.toFixed(d));
const ci = (m, d) => `${f(m.value, d)}${m.ci95 ? ` [${f(m.ci95[0], d)}, ${f(m.ci95[1], d)}]` : ''}`;
console.log(table(
  ['model', 'steps', 'train s', 'PSNR dB', 'SSIM', `FD (${EXTRACTOR})`],
  rows.map((r) => [r.model, r.steps ?? '-', r.seconds === null ? '-' : f(r.seconds, 0), ci(r.psnr, 2), ci(r.ssim, 3), ci(r.fd, 2)]),
));
console.log(`\n${rows.filter((r) => r.backend).map((r) => `${r.model}: ${r.backend}, load ${f(r.loadAverageAfter, 1)} after training`).join('\n')}`);
