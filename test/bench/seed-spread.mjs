/**
 * npm run bench:seed-spread: do the default intervals match the real spread? Scores the MNIST DCGAN fixture with
 * `evaluate --n 1000 --seed S` for S = 1..10 (defaults: 200 two-sample resamples, reference rows a seeded random
 * subset of the held-out test[8000:10000]; --no-memorization) and prints per metric the sd of the value across
 * seeds, the sd the intervals imply (mean half-width / 1.96) and their ratio implied / actual (target 0.8-1.3).
 * With 10 seeds the across-seed sd is itself uncertain: a perfectly calibrated interval gives a ratio in the printed
 * range 95% of the time. Then gates the seed-2 report against the seed-1 report (`genbench gate`, target exit 0).
 *
 *   npm run bench:seed-spread                       # about 10 min on 2 cores
 *   SPREAD_SEEDS=5 SPREAD_N=500 npm run bench:seed-spread
 *
 * Env: SPREAD_SEEDS (10), SPREAD_N (1000), SPREAD_DIR (reports; default a fresh folder under the OS temp dir),
 * SPREAD_SPLIT (the reference split, passed as --split; default the held-out rows). A larger pool, e.g.
 * SPREAD_SPLIT=test (all 10,000 test rows, 8000 of which the fixture was trained on), lets the seeds' reference rows
 * overlap less, so that the across-seed spread holds more of the reference noise the intervals cover.
 * The caches live in SPREAD_DIR/home (GENBENCH_HOME); each seed's reference rows are cached under their own rows.
 *
 * SPREAD_SOURCE=fashion-mnist replaces the generator by a known distribution with large, independent pools on both
 * sides: each seed's "generated" set is N seeded random rows of Fashion-MNIST's 60,000-image train split, washed out
 * by the fixed map v -> round(0.75 v + 32) (so the two distributions differ), scored with `--generated` against N
 * seeded random rows of the 10,000-image test split (MobileNet features). No generator has seen either pool, and
 * at N = 1000 two seeds' draws share 1.7% (generated) and 10% (reference) of their rows, so the across-seed spread holds nearly
 * all the noise the intervals claim to cover.
 *
 *   SPREAD_SOURCE=fashion-mnist npm run bench:seed-spread
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeNpy, getDataset } from '../../dist/src/index.js';
import { evaluateJson, genbench, load, table } from './genbench-cli.mjs';

const SEEDS = Number(process.env.SPREAD_SEEDS ?? 10);
const N = Number(process.env.SPREAD_N ?? 1000);
const DIR = process.env.SPREAD_DIR === undefined ? mkdtempSync(join(tmpdir(), 'genbench-spread-')) : resolve(process.env.SPREAD_DIR);
mkdirSync(DIR, { recursive: true });
const home = join(DIR, 'home');
const SPLIT = process.env.SPREAD_SPLIT === undefined ? [] : ['--split', process.env.SPREAD_SPLIT];
const SOURCE = process.env.SPREAD_SOURCE ?? 'mnist-dcgan';
if (SOURCE !== 'mnist-dcgan' && SOURCE !== 'fashion-mnist') throw new Error(`SPREAD_SOURCE: expected mnist-dcgan or fashion-mnist, got ${SOURCE}`);

/** Seed s's report: the DCGAN fixture on MNIST, or washed-out Fashion-MNIST train rows against its test rows. */
async function evaluateSeed(s) {
  const out = join(DIR, `r${s}.json`);
  if (SOURCE === 'mnist-dcgan') return evaluateJson(['--n', String(N), '--seed', String(s), '--no-memorization', ...SPLIT, '--out', out], { home });
  const rows = await getDataset('fashion-mnist').load(`train~${s}[:${N}]`);
  const { n, height, width, channels, data } = rows.images;
  const washed = Uint8Array.from(data, (v) => Math.round(0.75 * v + 32));
  const file = join(DIR, `generated-${s}.npy`);
  writeFileSync(file, encodeNpy(washed, [n, height, width, channels]));
  const args = ['evaluate', '--generated', file, '--dataset', 'fashion-mnist', '--split', process.env.SPREAD_SPLIT ?? 'test', '--n', String(N), '--seed', String(s), '--no-memorization', '--out', out, '--json'];
  const r = genbench(args, { home });
  if (r.status !== 0) throw new Error(`evaluate ${args.join(' ')}: exit ${r.status}\n${r.stderr.split('\n').slice(-15).join('\n')}`);
  return { report: JSON.parse(r.stdout), seconds: r.seconds };
}

console.log(`before: ${load()}; reports in ${DIR}`);
const reports = [];
for (let s = 1; s <= SEEDS; s++) {
  const r = await evaluateSeed(s);
  const t = r.report.timings;
  console.log(`seed ${s}: wall ${r.seconds.toFixed(1)} s (sample ${t.sample?.seconds ?? '-'}, features ${t.featuresGenerated.seconds} + ${t.featuresReference.seconds}, metrics ${t.metrics.seconds}); ${load()}`);
  reports.push(r.report);
}

/** Wilson-Hilferty quantile of chi-square with k degrees of freedom at standard normal quantile z. */
const chi2 = (k, z) => k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
const k = SEEDS - 1;
const lo = Math.sqrt(k / chi2(k, 1.96)), hi = Math.sqrt(k / chi2(k, -1.96)); // range of sd_true / sd_hat

const rows = [];
for (const id of Object.keys(reports[0].metrics)) {
  const values = reports.map((r) => r.metrics[id]?.value).filter((v) => typeof v === 'number' && Number.isFinite(v));
  const halves = reports.map((r) => r.metrics[id]?.ci95).filter((c) => c !== undefined).map(([a, b]) => (b - a) / 2);
  if (values.length < 2 || halves.length === 0) { rows.push([id, 'n/a', 'n/a', 'n/a', 'n/a', '']); continue; }
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const actual = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
  const implied = halves.reduce((a, b) => a + b, 0) / halves.length / 1.96;
  const ratio = implied / actual;
  rows.push([id, mean.toPrecision(4), actual.toPrecision(3), implied.toPrecision(3), ratio.toFixed(2), ratio >= 0.8 && ratio <= 1.3 ? 'yes' : 'no']);
}
const ref = reports[0].recipe.reference;
const what = SOURCE === 'mnist-dcgan' ? 'mnist-dcgan.onnx --dataset mnist' : `--generated (washed-out fashion-mnist train~S[:${N}]) --dataset fashion-mnist`;
console.log(`\nevaluate ${what} --n ${N} --seed 1..${SEEDS} (reference ${ref.count} of ${ref.of} rows of ${ref.split}, re-drawn per seed), defaults, --no-memorization\n`);
console.log(table(['metric', 'mean', 'sd across seeds', 'sd implied by ci95', 'implied / actual', 'in 0.8-1.3'], rows));
console.log(`\nwith ${SEEDS} seeds a calibrated interval gives implied / actual in [${lo.toFixed(2)}, ${hi.toFixed(2)}] 95% of the time (chi-square, ${k} df).`);
const f = ref.count / ref.of;
console.log(`the reference rows of every seed are ${ref.count} of the same ${ref.of} rows: two seeds' draws share ${(100 * f).toFixed(0)}% of their rows on average, so the across-seed spread holds ${(100 * (1 - f)).toFixed(0)}% of the reference variance a fresh draw from the population would (finite-population factor 1 - ${f.toFixed(2)}); for a metric whose interval is all reference noise a calibrated ratio is then ${(1 / Math.sqrt(1 - f)).toFixed(2)}, not 1.`);

const gate = genbench(['gate', '--baseline', join(DIR, 'r1.json'), '--candidate', join(DIR, 'r2.json')], { home });
console.log(`\ngenbench gate --baseline r1.json --candidate r2.json (seed 1 vs seed 2): exit ${gate.status} (target 0)\n`);
console.log(`${gate.stdout}${gate.stderr}`.trimEnd());
console.log(`\nafter: ${load()}`);
