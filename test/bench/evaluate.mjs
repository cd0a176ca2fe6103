/**
 * npm run bench:evaluate: what the default intervals cost. Scores the MNIST DCGAN fixture at --n 10000 with
 * `--no-ci` and with the defaults (200 two-sample resamples) as child processes, after one warm-up run that fills
 * the caches, and prints wall time, the report's stage timings and the ratio default / no-ci (target <= 1.5).
 * The reference is the default split: the fixture was trained on MNIST test rows 0-7999, so it is the held-out
 * test[8000:10000], all 2000 rows at n = 10000. Both runs pass --no-memorization (the memorisation checks are a
 * separate cost, not measured here).
 *
 *   npm run bench:evaluate                       # 3 runs of each, about 25 min on 2 cores
 *   EVALUATE_BENCH_REPEATS=1 EVALUATE_BENCH_N=2000 npm run bench:evaluate
 *
 * Env: EVALUATE_BENCH_REPEATS (3; the median is reported), EVALUATE_BENCH_N (10000). The caches live in a fresh
 * GENBENCH_HOME under the OS temp dir, filled by the warm-up run.
 */
import { evaluateJson, load, median, privateHome, table } from './genbench-cli.mjs';

const N = Number(process.env.EVALUATE_BENCH_N ?? 10000);
const REPEATS = Number(process.env.EVALUATE_BENCH_REPEATS ?? 3);
const common = ['--n', String(N), '--no-memorization'];
const home = privateHome('bench-evaluate');

console.log(`before warm-up: ${load()}; GENBENCH_HOME ${home}`);
const warm = evaluateJson([...common, '--no-ci'], { home });
const ref = warm.report.recipe.reference;
console.log(`warm-up: ${warm.seconds.toFixed(1)} s; reference ${ref.count} of ${ref.of} rows of ${ref.split} (the default split, held out from the fixture's training rows)`);

const runs = { 'no-ci': [], 'default': [] };
const flags = { 'no-ci': ['--no-ci'], 'default': [] };
for (let i = 0; i < REPEATS; i++) {
  for (const kind of ['no-ci', 'default']) { // interleaved, so a change in load falls on both
    console.log(`run ${i + 1}/${REPEATS} ${kind}: ${load()}`);
    const r = evaluateJson([...common, ...flags[kind]], { home });
    const t = r.report.timings;
    runs[kind].push({ wall: r.seconds, sample: t.sample.seconds, gen: t.featuresGenerated.seconds, ref: t.featuresReference.seconds, cached: t.featuresReference.cached, metrics: t.metrics.seconds, total: t.total.seconds });
    console.log(`  wall ${r.seconds.toFixed(1)} s; sample ${t.sample.seconds} s, features ${t.featuresGenerated.seconds} + ${t.featuresReference.seconds} s (reference ${t.featuresReference.cached ? 'cached' : 'computed'}), metrics ${t.metrics.seconds} s, total ${t.total.seconds} s`);
  }
}

const med = (kind, key) => median(runs[kind].map((r) => r[key]));
const s = (x) => x.toFixed(1);
const row = (kind) => [kind, s(med(kind, 'wall')), s(med(kind, 'sample')), `${s(med(kind, 'gen'))} + ${s(med(kind, 'ref'))}${runs[kind].every((r) => r.cached) ? ' (cached)' : ''}`, s(med(kind, 'metrics')), s(med(kind, 'total'))];
const ratio = med('default', 'wall') / med('no-ci', 'wall');
console.log(`\nevaluate mnist-dcgan.onnx --dataset mnist --n ${N} (reference ${ref.split}, ${ref.count} rows) --no-memorization; ${REPEATS === 1 ? '1 run each' : `median of ${REPEATS} runs each`}, seconds\n`);
console.log(table(['run', 'wall', 'sample', 'features (generated + reference)', 'metrics', 'report total'], [row('no-ci'), row('default'), ['default / no-ci', `${ratio.toFixed(2)}`, '', '', `${(med('default', 'metrics') / med('no-ci', 'metrics')).toFixed(1)}`, `${(med('default', 'total') / med('no-ci', 'total')).toFixed(2)}`]]));
console.log(`\nratio of wall times default / no-ci: ${ratio.toFixed(2)} (target <= 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'}); after: ${load()}`);
