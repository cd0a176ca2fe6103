#!/usr/bin/env node
/**
 * `npm run bench:demo`: times `genbench demo --no-serve` from scratch (a private GENBENCH_HOME, so no cached
 * features, and a fresh database in a temp folder) and splits its wall time by what the demo itself recorded:
 * training (each trained run's manifest, training.train_seconds), and per evaluation report (timings) sampling,
 * features (generated + reference), metrics (point values and reference statistics), memorisation (the checks,
 * with the training split's features) and intervals (the bootstrap); "other" is the rest (start-up, dataset
 * loading, grids, database, rating pools).
 *
 *   npm run bench:demo
 *
 * Env: DEMO_BENCH_MINUTES, DEMO_BENCH_N, DEMO_BENCH_BOOTSTRAP (the demo's defaults when unset), DEMO_BENCH_MODELS
 * (the demo's --models), GENBENCH_ASSETS (../shared).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { genbench, load, privateHome, root, table } from './genbench-cli.mjs';

if (!existsSync(join(root, 'dist/src/cli/bin.js'))) {
  console.error('dist/src/cli/bin.js is missing: run `npm run build` first');
  process.exit(2);
}
const { openStore, getEvaluation } = await import(join(root, 'dist/src/store/index.js'));
const { demoWorkDir } = await import(join(root, 'dist/src/demo/plan.js'));

const flag = (name, env) => (process.env[env] === undefined ? [] : [`--${name}`, process.env[env]]);
const args = ['demo', '--no-serve', '--json', '--quiet', ...flag('minutes', 'DEMO_BENCH_MINUTES'), ...flag('n', 'DEMO_BENCH_N'), ...flag('bootstrap', 'DEMO_BENCH_BOOTSTRAP'), ...flag('models', 'DEMO_BENCH_MODELS')];
const home = privateHome('demo-bench');
const db = join(home, 'genbench.db');
try {
  const before = load();
  const r = genbench([...args, '--db', db], { home, timeoutS: 3600 });
  if (r.status !== 0) {
    console.error(`genbench ${args.join(' ')}: ${r.timedOut ? 'timed out' : `exit ${r.status}`} after ${r.seconds.toFixed(0)} s\n${r.stderr.split('\n').slice(-15).join('\n')}`);
    process.exit(1);
  }
  const out = JSON.parse(r.stdout);
  const store = await openStore({ db });
  const rows = [];
  const sum = { training: 0, sampling: 0, features: 0, metrics: 0, memorisation: 0, intervals: 0 };
  try {
    for (const m of out.models) {
      const e = await getEvaluation(store.sql, m.evaluationId);
      const t = e.report.timings;
      const manifest = join(demoWorkDir(db), 'runs', m.name, 'genbench.json');
      const training = m.kind === 'reference' && existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')).training?.train_seconds ?? 0) : 0;
      const intervals = t.intervals?.seconds ?? 0;
      const memorisation = t.memorization?.seconds ?? 0;
      const features = t.featuresGenerated.seconds + t.featuresReference.seconds;
      const split = { training, sampling: t.sample.seconds, features, metrics: t.metrics.seconds - intervals - memorisation, memorisation, intervals };
      for (const k of Object.keys(sum)) sum[k] += split[k];
      rows.push([m.name, m.kind, ...Object.values(split).map((s) => s.toFixed(1)), t.featuresReference.cached ? 'yes' : 'no']);
    }
  } finally {
    await store.close();
  }
  const other = r.seconds - Object.values(sum).reduce((a, b) => a + b, 0);
  const pct = (s) => `${((100 * s) / r.seconds).toFixed(0)}%`;
  console.log(`genbench ${args.join(' ')}: ${r.seconds.toFixed(1)} s wall, ${out.models.length} models; before: ${before}; after: ${load()}`);
  console.log(table(['model', 'kind', 'training s', 'sampling s', 'features s', 'metrics s', 'memorisation s', 'intervals s', 'reference features cached'], rows));
  console.log('');
  console.log(table(['wall s', ...Object.keys(sum).map((k) => `${k} s`), 'other s'], [[r.seconds.toFixed(1), ...Object.values(sum).map((s) => `${s.toFixed(1)} (${pct(s)})`), `${other.toFixed(1)} (${pct(other)})`]]));
} finally {
  rmSync(home, { recursive: true, force: true });
}
