#!/usr/bin/env node
/**
 * Nearest-neighbour benchmark: genbench exact search vs scikit-learn brute force
 * (bench/knn_ref.py of GENBENCH_ASSETS, n_jobs=1, float32) in the same run, and genbench HNSW vs genbench exact search.
 *
 *   npx tsc -p tsconfig.json && node test/bench/nn.mjs        (npm run bench:nn)
 *
 * Env (sizes, for a quick small run): NN_BENCH_Q (10000 queries), NN_BENCH_N (50000 training rows, exact part),
 * NN_BENCH_HNSW_N (200000 training rows, HNSW part; 0 skips it), NN_BENCH_D (768), NN_BENCH_K (10),
 * NN_BENCH_LATENT (32: intrinsic dimension of the synthetic features), NN_BENCH_SHARDS (default: autoShards),
 * NN_BENCH_EF (default HNSW_DEFAULTS.ef), NN_BENCH_PROJECT, NN_BENCH_M, NN_BENCH_EFC (HNSW defaults otherwise), NN_BENCH_REF (1; 0 skips scikit-learn), GENBENCH_PYTHON (/usr/bin/python3),
 * GENBENCH_ASSETS (../shared).
 * Data: feature-like float32 rows relu(z A + b) + 0.1 noise, z ~ N(0, I_latent) (a smooth low-dimensional
 * manifold, like CNN features); queries are fresh draws, 10% of them near-duplicates (noise sd 0.01) of training rows.
 * The index is built in a temporary GENBENCH_HOME (cold build, then a reload from the cache is timed too).
 * scikit-learn runs in the fair environment of reference-process.mjs; the table's floor is the float32 GEMM time of
 * the query-training distance products (2 Q N d flops) at the measured peak.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePeak, floorSeconds, machinePeak, printTable, referenceScript, runReference } from './reference-process.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
if (!existsSync(join(root, 'dist/src/nn/index.js'))) {
  console.error('dist/src/nn/index.js is missing: run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}
const dist = (p) => import(join(root, 'dist', p));
const { exactNearestNeighbors, hnswNearestNeighbors, HNSW_DEFAULTS } = await dist('src/nn/index.js');
const { gemm, gramFloat32 } = await dist('src/linalg/gemm.js');
const { writeNpy, parseNpy } = await dist('src/io/npy.js');
const { Rng } = await dist('src/rng.js');

const env = (name, dflt) => Number(process.env[name] ?? dflt);
const Q = env('NN_BENCH_Q', 10_000);
const N = env('NN_BENCH_N', 50_000);
const NH = env('NN_BENCH_HNSW_N', 200_000);
const D = env('NN_BENCH_D', 768);
const K = env('NN_BENCH_K', 10);
const LATENT = env('NN_BENCH_LATENT', 32);
const EF = env('NN_BENCH_EF', HNSW_DEFAULTS.ef);
const optional = (name) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
const SHARDS = optional('NN_BENCH_SHARDS');
const PROJECT = optional('NN_BENCH_PROJECT');
const M = optional('NN_BENCH_M');
const EFC = optional('NN_BENCH_EFC');
const script = referenceScript('knn_ref.py');
const useRef = env('NN_BENCH_REF', 1) !== 0 && existsSync(script);

/** Feature-like rows: relu(z A + b) + 0.1 noise, float32. */
async function features(rows, model, rng) {
  const z = { rows, cols: LATENT, data: Float64Array.from({ length: rows * LATENT }, () => rng.normal()) };
  const za = await gemm(z, model.a);
  const out = new Float32Array(rows * D);
  for (let i = 0; i < rows * D; i++) out[i] = Math.max(0, za.data[i] + model.b[i % D]) + 0.1 * rng.normal();
  return { rows, cols: D, data: out };
}

/** Queries: fresh draws, and every 10th row a near-duplicate of a training row. */
async function queries(train, model, rng) {
  const q = await features(Q, model, rng);
  for (let i = 0; i < Q; i += 10) {
    const j = rng.int(train.rows);
    for (let c = 0; c < D; c++) q.data[i * D + c] = train.data[j * D + c] + 0.01 * rng.normal();
  }
  return q;
}

const seconds = (t0) => (performance.now() - t0) / 1000;
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
function recall(got, want, k) {
  let hit = 0;
  got.forEach((g, i) => {
    const w = new Set(Array.from(want[i]).slice(0, k));
    hit += Array.from(g).slice(0, k).filter((j) => w.has(j)).length;
  });
  return hit / (got.length * k);
}

async function exactRun(train, query) {
  const t0 = performance.now();
  const nn = exactNearestNeighbors(train, {});
  const r = await nn.search(query, K);
  return { r, seconds: seconds(t0), fallbacks: nn.fallbacks };
}

const dir = mkdtempSync(join(tmpdir(), 'genbench-nn-bench-'));
process.env.GENBENCH_HOME = join(dir, 'home');
const report = {};
try {
  const rng = new Rng(20240606);
  const model = { a: { rows: LATENT, cols: D, data: Float64Array.from({ length: LATENT * D }, () => rng.normal() / Math.sqrt(LATENT)) }, b: Float64Array.from({ length: D }, () => 0.5 * rng.normal()) };
  const maxN = Math.max(N, NH);
  let t0 = performance.now();
  const all = await features(maxN, model, rng);
  const query = await queries({ rows: N, cols: D, data: all.data }, model, rng);
  console.log(`data: ${maxN} x ${D} training rows + ${Q} queries (latent ${LATENT}) in ${seconds(t0).toFixed(1)} s; ${availableParallelism()} cores, load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const train = { rows: N, cols: D, data: all.data.subarray(0, N * D) };

  // 1. exact vs scikit-learn brute force, same data.
  const ex = await exactRun(train, query);
  console.log(`genbench exact  ${Q} x ${N} x ${D}, k ${K}: ${ex.seconds.toFixed(2)} s (fallback blocks ${ex.fallbacks})`);
  report.exact = { seconds: ex.seconds };
  if (useRef) {
    const files = { train: join(dir, 'T.npy'), query: join(dir, 'Q.npy'), idx: join(dir, 'idx.npy') };
    await writeNpy(files.train, train.data, [N, D]);
    await writeNpy(files.query, query.data, [Q, D]);
    const run = runReference({ script: 'knn_ref.py', args: [files.train, files.query, K, files.idx] });
    const out = run.json;
    const idx = parseNpy(readFileSync(files.idx), files.idx).data;
    let identical = 0;
    let top1 = 0;
    for (let i = 0; i < Q; i++) {
      const ref = Array.from(idx.subarray(i * K, (i + 1) * K));
      identical += same(ref, Array.from(ex.r.indices[i])) ? 1 : 0;
      top1 += ref[0] === ex.r.indices[i][0] ? 1 : 0;
    }
    console.log(`scikit-learn brute (n_jobs=1): ${out.seconds_total.toFixed(2)} s`);
    console.log(`speed-up ${(out.seconds_total / ex.seconds).toFixed(2)}x (target >= 4); identical neighbour lists ${identical}/${Q}, identical nearest ${top1}/${Q}`);
    report.sklearn = { seconds: out.seconds_total, speedup: out.seconds_total / ex.seconds, identical, top1, kernel: run.kernel };
  }

  // 2. HNSW vs exact on NH training rows.
  if (NH > 0) {
    const big = { rows: NH, cols: D, data: all.data.subarray(0, NH * D) };
    const exBig = NH === N ? ex : await exactRun(big, query);
    console.log(`genbench exact  ${Q} x ${NH} x ${D}: ${exBig.seconds.toFixed(2)} s`);
    t0 = performance.now();
    const opts = { ef: EF, ...(SHARDS === undefined ? {} : { shards: SHARDS }), ...(PROJECT === undefined ? {} : { project: PROJECT }), ...(M === undefined ? {} : { m: M }), ...(EFC === undefined ? {} : { efConstruction: EFC }) };
    const h = await hnswNearestNeighbors(big, opts);
    const build = seconds(t0);
    await h.dispose();
    t0 = performance.now();
    const h2 = await hnswNearestNeighbors(big, opts);
    const load = seconds(t0);
    t0 = performance.now();
    const r = await h2.search(query, K);
    const search = seconds(t0);
    await h2.dispose();
    const r1 = recall(r.indices, exBig.r.indices, 1);
    const r10 = recall(r.indices, exBig.r.indices, K);
    const rc = h2.recipe;
    console.log(`HNSW M ${rc.m} efC ${rc.efConstruction} ef ${rc.ef} project ${rc.project}${rc.project > 0 ? ` (${(100 * rc.projectionExplained).toFixed(1)}% of variance)` : ''} candidates ${rc.candidates} shards ${rc.shards} threads ${rc.threads}: build ${build.toFixed(1)} s (inserts ${rc.buildSeconds.toFixed(1)} s), reload from cache ${load.toFixed(1)} s (cacheHit ${rc.cacheHit})`);
    console.log(`HNSW search ${Q} x ${NH}: ${search.toFixed(2)} s = ${(exBig.seconds / search).toFixed(1)}x faster than exact (target >= 10); recall@1 ${r1.toFixed(4)} (>= 0.99), recall@${K} ${r10.toFixed(4)} (>= 0.95)`);
    // Crossover: exact costs ~ a * Q * n; HNSW costs build b * n (first use) + search s * Q.
    const a = exBig.seconds / (Q * NH);
    const b = rc.buildSeconds / NH;
    const s = search / Q;
    const first = a * Q > b ? (s * Q) / (a * Q - b) : Infinity;
    const reuse = s / a;
    console.log(`crossover for ${Q} queries: HNSW wins above ~${Math.round(first)} training rows including the build, above ~${Math.round(reuse)} with a cached index`);
    report.hnsw = { build, buildInserts: rc.buildSeconds, load, search, speedup: exBig.seconds / search, recall1: r1, recall10: r10, crossoverFirst: first, crossoverReuse: reuse, exactSeconds: exBig.seconds };
  }
  console.log(JSON.stringify(report));
  const peak = await machinePeak({ gemm, gramFloat32 });
  const work = `exact ${K}-NN, ${Q} queries x ${N} x ${D}${report.sklearn ? `, identical neighbours ${report.sklearn.identical}/${Q}` : ''}`;
  printTable([{ work, genbench: ex.seconds, reference: report.sklearn?.seconds ?? null, floor: floorSeconds(2 * Q * N * D, 'float32', peak), kernel: report.sklearn?.kernel ?? null }], describePeak(peak));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
