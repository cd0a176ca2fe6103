#!/usr/bin/env node
/**
 * The long conditional-model check (run by `npm run bench:quality` after the quality table; too slow for the test
 * suite, which keeps a 200-step check in test/reference-models/cdcgan-labels.test.ts). A cDCGAN trains STEPS steps
 * (batch 32, seed 0, wasm) on the MNIST digits 0 and 1 of test[:8000] (class k is digit k) and is sampled with
 * requested labels; the standard MNIST classifier (`classifier:mnist`, >= 98% held out) must agree with the requested
 * label on at least 80% of 300 samples, and the same latents with the labels rotated must move its answers with
 * them (so the agreement comes from the labels, not from the latents). Exits 1 when either agreement is below.
 *
 * Measured on the shared machine: 200 steps 44.7% / 45% (chance), 600 steps 70.3% / 63.3%, 1200 steps 89.3% / 92.0%;
 * 1200 steps take about 9 minutes of one core.
 *
 *   npm run build && GENBENCH_ASSETS=../shared node test/bench/cdcgan-labels.mjs
 *
 * Env: CDCGAN_STEPS (1200), GENBENCH_HOME (where classifier:mnist is cached; trained there on first use).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p) => import(join(root, 'dist', p));
const { initBackend } = await dist('src/backend/index.js');
const { getDataset } = await dist('src/data/index.js');
const { createExtractor } = await dist('src/features/index.js');
const { toUint8 } = await dist('src/io/image.js');
const { loadGenerator } = await dist('src/models/load.js');
const { getReferenceModel, train } = await dist('reference-models/index.js');

const DIGITS = 2;
const STEPS = Number(process.env.CDCGAN_STEPS ?? 1200);
const BATCH = 32;
const SAMPLES = 300;
const AGREE = 0.8;
const SIZE = 28 * 28;

/** Fraction of samples the classifier assigns to the requested digit, for labels i % DIGITS shifted by `shift`. */
async function agreement(g, fx, shift) {
  const labels = Int32Array.from({ length: SAMPLES }, (_, i) => (i + shift) % DIGITS);
  const images = toUint8(await g.sample({ n: SAMPLES, seed: 7, labels }));
  const p = (await fx.extract(images, { layers: ['softmax'] }))['softmax'];
  let hits = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const row = p.data.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
  }
  return hits / SAMPLES;
}

const out = await mkdtemp(join(tmpdir(), 'genbench-cdcgan-labels-'));
try {
  const backend = await initBackend('wasm');
  const all = await getDataset('mnist').load('test[:8000]');
  const keep = [...all.labels.keys()].filter((i) => all.labels[i] < DIGITS);
  const data = new Uint8Array(keep.length * SIZE);
  keep.forEach((i, k) => data.set(all.images.data.subarray(i * SIZE, (i + 1) * SIZE), k * SIZE));
  const started = Date.now();
  const r = await train({
    model: getReferenceModel('cdcgan'),
    train: { images: { ...all.images, data, n: keep.length }, labels: Int32Array.from(keep, (i) => all.labels[i]) },
    classes: DIGITS,
    settings: { model: 'cdcgan', dataset: 'mnist', split: `test[0:8000] digits 0-${DIGITS - 1}`, batch: BATCH, seed: 0, backend: backend.name },
    out,
    epochs: 1000,
    maxSteps: STEPS,
  });
  if (r.status !== 'step-limit') throw new Error(`training stopped early: ${r.status}`);
  const g = await loadGenerator(r.checkpoint);
  const fx = await createExtractor('classifier:mnist');
  try {
    const requested = await agreement(g, fx, 0);
    const rotated = await agreement(g, fx, 1);
    const seconds = (Date.now() - started) / 1000;
    console.log(`cdcgan label agreement after ${STEPS} steps (${seconds.toFixed(0)} s): requested ${(requested * 100).toFixed(1)}%, rotated labels ${(rotated * 100).toFixed(1)}% (need >= ${AGREE * 100}%)`);
    if (requested < AGREE || rotated < AGREE) process.exitCode = 1;
  } finally {
    await fx.dispose();
    g.dispose();
  }
} finally {
  await rm(out, { recursive: true, force: true });
}
