#!/usr/bin/env node
/**
 * `npm run bench:metrics`: the KID and PRDC benchmarks (vitest bench) and the FD benchmark (fd.mjs), each against
 * its Python reference in the fair environment of reference-process.mjs, then one table of all their rows. The GEMM
 * peak is measured once here and handed to the three (GENBENCH_BENCH_PEAK), so that their floors share it.
 *
 *   npm run bench:metrics        (builds first; FD reads dist/)
 *
 * Env: those of kid.bench.ts, prdc.bench.ts and fd.mjs (sizes, repeats), BENCH_PEAK_N, BENCH_PEAK_REPEAT.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './genbench-cli.mjs';
import { describePeak, formatTable, load, machinePeak } from './reference-process.mjs';

const { gemm, gramFloat32 } = await import(join(root, 'dist/src/linalg/gemm.js'));
const { releaseGemmSessions } = await import(join(root, 'dist/src/linalg/gemm-ort.js'));
const peak = await machinePeak({ gemm, gramFloat32 });
await releaseGemmSessions();
const dir = mkdtempSync(join(tmpdir(), 'genbench-bench-metrics-'));
const rows = join(dir, 'rows.jsonl');
writeFileSync(rows, '');
const env = { ...process.env, GENBENCH_BENCH_PEAK: JSON.stringify(peak), GENBENCH_BENCH_ROWS: rows };
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' }).status;
try {
  const vitest = run(join(root, 'node_modules/.bin/vitest'), ['bench', '--run', 'test/bench/kid.bench.ts', 'test/bench/prdc.bench.ts']);
  const fd = run(process.execPath, ['test/bench/fd.mjs']);
  const table = readFileSync(rows, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  console.log(`\n${describePeak(peak)}\n${load()}\n${formatTable(table)}`);
  if (vitest !== 0 || fd !== 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
