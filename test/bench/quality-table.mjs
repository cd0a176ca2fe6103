#!/usr/bin/env node
/**
 * Quality table of the reference models: DCGAN, cDCGAN and VAE trained with default settings for
 * QUALITY_MINUTES each on MNIST test[:8000] and on polygons train[:8000], then scored by `genbench evaluate` with the
 * MobileNet (ImageNet) and the dataset's own classifier extractors (FD, IS, precision, recall); the PyTorch ONNX
 * fixtures in GENBENCH_ASSETS/fixtures/submissions give comparison rows on MNIST. Everything goes through the CLI.
 *
 *   npm run bench:quality                       # 10 minutes per model: about 1 h 15 min in all on 2 cores
 *   QUALITY_MINUTES=2 QUALITY_N=1000 npm run bench:quality
 *
 * Env: QUALITY_MINUTES (10), QUALITY_N (2000 samples scored), QUALITY_DIR (runs and reports; default
 * runs/quality; a model whose run folder has train.json is not trained again), QUALITY_MODELS (dcgan,cdcgan,vae),
 * QUALITY_DATASETS (mnist,polygons). Prints a markdown table on stdout and writes QUALITY_DIR/table.json.
 * Then runs the long conditional-model check, test/bench/cdcgan-labels.mjs (about 9 minutes; QUALITY_LABELS=0 skips
 * it), and exits 1 if it fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'dist/src/cli/bin.js');
const MINUTES = Number(process.env.QUALITY_MINUTES ?? 10);
const N = Number(process.env.QUALITY_N ?? 2000);
const DIR = resolve(process.env.QUALITY_DIR ?? join(root, 'runs/quality'));
const MODELS = (process.env.QUALITY_MODELS ?? 'dcgan,cdcgan,vae').split(',');
const DATASETS = (process.env.QUALITY_DATASETS ?? 'mnist,polygons').split(',');
const assets = (process.env.GENBENCH_ASSETS ?? join(root, '../shared')).split(':')[0];
const env = { ...process.env, GENBENCH_ASSETS: process.env.GENBENCH_ASSETS ?? assets };

/** Training and held-out splits per dataset (the held-out split is the evaluation's reference). */
const SPLITS = {
  mnist: { train: 'test[:8000]', heldout: 'test[8000:10000]' },
  polygons: { train: 'train[:8000]', heldout: 'test[:2000]' },
};

function genbench(args) {
  return JSON.parse(execFileSync(process.execPath, [bin, ...args, '--json', '--quiet'], { env, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] }));
}

function trainOnce(model, dataset) {
  const out = join(DIR, `${model}-${dataset}`);
  const summary = join(out, 'train.json');
  if (!existsSync(summary)) {
    console.error(`training ${model} on ${dataset} ${SPLITS[dataset].train} for ${MINUTES} min (load ${loadavg()[0].toFixed(1)})`);
    const r = genbench(['train', '--model', model, '--dataset', dataset, '--split', SPLITS[dataset].train, '--minutes', String(MINUTES), '--seed', '0', '--out', out]);
    writeFileSync(summary, JSON.stringify({ ...r, loadAverageAfter: loadavg()[0] }, null, 2));
  }
  return { generator: out, train: JSON.parse(readFileSync(summary, 'utf8')) };
}

function score(generator, dataset, extractor) {
  const r = genbench(['evaluate', '--generator', generator, '--dataset', dataset, '--split', SPLITS[dataset].heldout, '--n', String(N), '--extractor', extractor, '--metrics', 'fd,is,precision,recall']);
  const v = (id) => r.metrics[id]?.value;
  return { fd: v('fd'), is: v('is'), precision: v('precision'), recall: v('recall'), accuracy: r.recipe.extractor.info?.heldout_accuracy };
}

const rows = [];
mkdirSync(DIR, { recursive: true });
for (const dataset of DATASETS) {
  const entries = MODELS.map((m) => ({ name: m, ...trainOnce(m, dataset) }));
  if (dataset === 'mnist') {
    for (const m of ['dcgan', 'cdcgan', 'vae']) {
      const onnx = join(assets, `fixtures/submissions/mnist-${m}.onnx`);
      if (existsSync(onnx)) entries.push({ name: `PyTorch ${m} (fixture)`, generator: onnx, train: null });
    }
  }
  for (const e of entries) {
    const mobilenet = score(e.generator, dataset, 'mobilenet-v1-0.75');
    const classifier = score(e.generator, dataset, `classifier:${dataset}`);
    rows.push({ dataset, model: e.name, steps: e.train?.step ?? null, seconds: e.train?.trainSeconds ?? null, imagesPerSecond: e.train?.imagesPerSecond ?? null, loadAverageAfter: e.train?.loadAverageAfter ?? null, mobilenet, classifier });
    console.error(`${dataset} ${e.name}: ${JSON.stringify(rows.at(-1))}`);
  }
}
writeFileSync(join(DIR, 'table.json'), JSON.stringify({ minutes: MINUTES, n: N, rows }, null, 2));

const f = (x, d = 2) => (x === undefined || x === null ? 'n/a' : x.toFixed(d));
console.log(`| dataset | model | training | FD (MobileNet) | IS (MobileNet) | P / R (MobileNet) | FD (classifier) | IS (classifier) | P / R (classifier) |`);
console.log(`| --- | --- | --- | --- | --- | --- | --- | --- | --- |`);
for (const r of rows) {
  const training = r.steps === null ? 'PyTorch, fixture' : `${r.steps} steps, ${f(r.seconds / 60, 1)} min`;
  const pr = (m) => `${f(m.precision)} / ${f(m.recall)}`;
  console.log(`| ${r.dataset} | ${r.model} | ${training} | ${f(r.mobilenet.fd)} | ${f(r.mobilenet.is)} | ${pr(r.mobilenet)} | ${f(r.classifier.fd)} | ${f(r.classifier.is)} | ${pr(r.classifier)} |`);
}

if (process.env.QUALITY_LABELS !== '0') {
  try {
    execFileSync(process.execPath, [join(root, 'test/bench/cdcgan-labels.mjs')], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    process.exitCode = 1; // the check printed its agreement
  }
}
