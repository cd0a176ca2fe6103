#!/usr/bin/env node
/**
 * FD benchmark: genbench's Fréchet distance from features to value vs pytorch-fid's path (bench/fd_ref.py of
 * GENBENCH_ASSETS: np.cov per set + calculate_frechet_distance with scipy sqrtm), on the same seeded float32 data
 * (written as .npy to a temp folder), in the same run, alternating the two programs.
 *
 *   npx tsc -p tsconfig.json && node test/bench/fd.mjs
 *
 * Env: FD_BENCH_N (10000 per set), FD_BENCH_D (2048), FD_BENCH_REPEAT (1; best and median are reported: on a
 * shared machine the best run is the one least disturbed by other load; the table holds the medians),
 * FD_BENCH_PRECISION ('float64' default, or 'mixed': float32 covariance products),
 * GENBENCH_ASSETS (for bench/fd_ref.py; default ../shared), GENBENCH_PYTHON (/usr/bin/python3 with numpy+scipy).
 * The reference runs in the fair environment of reference-process.mjs; the table's floor is the GEMM time of the
 * two covariances (each X^T X symmetric, counted once: N d^2 flops) at the measured peak of the precision used.
 * A second row times the same FD as a user runs it: the whole `genbench metrics --metrics fd --no-ci` process
 * against the whole reference process (Python start-up, imports, np.load of the same files), medians of the repeats.
 * Data: non-negative "Inception-like" features relu(Z A + b + 0.3 noise) from a 128-d latent; the generated set
 * uses 1.15 Z, a perturbed A and a shifted bias (the recipe of the fd-768 fixture).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePeak, floorSeconds, machinePeak, printTable, referenceScript, runReference as runFair } from './reference-process.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p) => import(join(root, 'dist', p));
if (!existsSync(join(root, 'dist/metrics/fd.js'))) {
  console.error('dist/metrics/fd.js is missing: run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}
const { fdFromFeatures } = await dist('metrics/fd.js');
const { gemm, gramFloat32 } = await dist('src/linalg/gemm.js');
const { releaseGemmSessions } = await dist('src/linalg/gemm-ort.js');
const { writeNpy } = await dist('src/io/npy.js');
const { Rng } = await dist('src/rng.js');

const N = Number(process.env.FD_BENCH_N ?? 10_000);
const D = Number(process.env.FD_BENCH_D ?? 2048);
const REPEAT = Number(process.env.FD_BENCH_REPEAT ?? 1);
const PRECISION = process.env.FD_BENCH_PRECISION ?? 'float64';
const script = referenceScript('fd_ref.py');

async function syntheticSets(n, d, seed) {
  const rng = new Rng(seed);
  const k = 128;
  const normals = (len, scale) => Float64Array.from({ length: len }, () => scale * rng.normal());
  const a = normals(k * d, 1 / Math.sqrt(k));
  const perturbed = normals(k * d, 0.2 / Math.sqrt(k)).map((v, i) => v + a[i]);
  const bias = normals(d, 0.5);
  const make = async (weights, scale, shift) => {
    const za = await gemm({ rows: n, cols: k, data: normals(n * k, scale) }, { rows: k, cols: d, data: weights });
    const out = new Float32Array(n * d);
    for (let i = 0; i < n * d; i++) out[i] = Math.max(0, za.data[i] + bias[i % d] + shift + 0.3 * rng.normal());
    return out;
  };
  return { reference: await make(a, 1, 0), generated: await make(perturbed, 1.15, 0.05) };
}

async function runGenbench(sets) {
  const t0 = performance.now();
  const generated = { rows: N, cols: D, data: Float64Array.from(sets.generated) };
  const reference = { rows: N, cols: D, data: Float64Array.from(sets.reference) };
  const r = await fdFromFeatures({ generated, reference }, { precision: PRECISION });
  return { seconds: (performance.now() - t0) / 1000, value: r.value, extra: { ranks: r.ranks, negativeResidue: r.negativeResidue, method: r.method } };
}

function runReference(files) {
  const r = runFair({ script: 'fd_ref.py', args: [files.generated, files.reference] });
  const out = r.json;
  return { seconds: out.seconds_total, process: r.seconds, value: out.fd, kernel: r.kernel, extra: { stats_s: out.seconds_stats, distance_s: out.seconds_distance } };
}

/** The command a user runs, as a whole process: start-up, reading and widening the .npy files, FD, the report. */
function runGenbenchCli(files) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'dist/src/cli/bin.js'), 'metrics', '--generated', files.generated, '--reference', files.reference, '--metrics', 'fd', '--no-ci', '--json', '--quiet'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`genbench metrics: exit ${r.status}\n${r.stderr}`);
  return { seconds, value: JSON.parse(r.stdout).fd.value };
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return (s[Math.floor((s.length - 1) / 2)] + s[Math.ceil((s.length - 1) / 2)]) / 2;
};
const dir = mkdtempSync(join(tmpdir(), 'genbench-fd-bench-'));
try {
  const sets = await syntheticSets(N, D, 20240607);
  const files = { generated: join(dir, 'G.npy'), reference: join(dir, 'R.npy') };
  await writeNpy(files.generated, sets.generated, [N, D]);
  await writeNpy(files.reference, sets.reference, [N, D]);
  const hasRef = existsSync(script);
  if (!hasRef) console.log(`(no reference: ${script} not found; set GENBENCH_ASSETS)`);
  const ours = [];
  const refs = [];
  const oursCli = [];
  for (let i = 0; i < REPEAT; i++) {
    ours.push(await runGenbench(sets));
    console.log(`genbench    run ${i + 1}: ${ours.at(-1).seconds.toFixed(2)} s  FD ${ours.at(-1).value}  ${JSON.stringify(ours.at(-1).extra)}`);
    oursCli.push(runGenbenchCli(files));
    console.log(`genbench metrics process run ${i + 1}: ${oursCli.at(-1).seconds.toFixed(2)} s  FD ${oursCli.at(-1).value}`);
    if (hasRef) {
      refs.push(runReference(files));
      console.log(`pytorch-fid run ${i + 1}: ${refs.at(-1).seconds.toFixed(2)} s in-process, ${refs.at(-1).process.toFixed(2)} s whole process  FD ${refs.at(-1).value}  ${JSON.stringify(refs.at(-1).extra)}`);
    }
  }
  const best = (rs) => Math.min(...rs.map((r) => r.seconds));
  const mid = (rs) => median(rs.map((r) => r.seconds));
  console.log(`\nFD N=${N} per set, d=${D}, precision ${PRECISION}, ${REPEAT} run(s) each; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  console.log(`genbench:         best ${best(ours).toFixed(2)} s, median ${mid(ours).toFixed(2)} s`);
  if (hasRef) {
    const rel = Math.abs(ours[0].value - refs[0].value) / Math.abs(refs[0].value);
    console.log(`pytorch-fid path: best ${best(refs).toFixed(2)} s, median ${mid(refs).toFixed(2)} s`);
    console.log(`speed-up: best/best ${(best(refs) / best(ours)).toFixed(2)}x, median/median ${(mid(refs) / mid(ours)).toFixed(2)}x (target >= 3)`);
    console.log(`|diff|/FD ${rel.toExponential(2)} (target < 1e-6)`);
  }
  const peak = await machinePeak({ gemm, gramFloat32 });
  const dtype = PRECISION === 'mixed' ? 'float32' : 'float64';
  const rel = hasRef ? `, |diff|/FD ${(Math.abs(ours[0].value - refs[0].value) / Math.abs(refs[0].value)).toExponential(1)}` : '';
  const work = `FD, N = ${N} per set, d = ${D}, features to value, ${PRECISION} (median of ${REPEAT})${rel}`;
  const floor = floorSeconds(2 * N * D * D, dtype, peak);
  const processes = `FD as a user runs it: \`genbench metrics --metrics fd --no-ci\` vs \`python3 fd_ref.py\`, whole processes from the same .npy files, float64 (median of ${REPEAT})`;
  printTable(
    [
      { work, genbench: mid(ours), reference: hasRef ? mid(refs) : null, floor, kernel: hasRef ? refs[0].kernel : null },
      { work: processes, genbench: median(oursCli.map((r) => r.seconds)), reference: hasRef ? median(refs.map((r) => r.process)) : null, floor, kernel: hasRef ? refs[0].kernel : null },
    ],
    describePeak(peak),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await releaseGemmSessions();
}
