/**
 * Helpers for the CLI benchmarks (evaluate.mjs, seed-spread.mjs): run the built `genbench` as a child process and
 * time it, the machine load, and a markdown table.
 *
 * @example
 * const r = genbench(['evaluate', '--generator', g, '--dataset', 'mnist', '--json', '--quiet']);
 * r.status; r.seconds; JSON.parse(r.stdout);
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = join(root, 'dist/src/cli/bin.js');
const assets = (process.env.GENBENCH_ASSETS ?? join(root, '../shared')).split(':')[0];
const env = { ...process.env, GENBENCH_ASSETS: process.env.GENBENCH_ASSETS ?? assets };

/** The shared fixture scored by both benchmarks. */
export const FIXTURE = join(assets, 'fixtures/submissions/mnist-dcgan.onnx');

/**
 * A fresh GENBENCH_HOME (caches) under the OS temp dir, so a benchmark neither reads nor fills the user's caches.
 */
export function privateHome(prefix) {
  return mkdtempSync(join(tmpdir(), `genbench-${prefix}-`));
}

/**
 * One command per call with GENBENCH_HOME = `home`, killed after `timeoutS` seconds (default 600):
 * { status, seconds, stdout, stderr, timedOut }.
 */
export function genbench(args, { timeoutS = 600, home } = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { env: home === undefined ? env : { ...env, GENBENCH_HOME: home }, encoding: 'utf8', maxBuffer: 1 << 28, timeout: timeoutS * 1000, killSignal: 'SIGKILL' });
  const seconds = (performance.now() - t0) / 1000;
  return { status: r.status, seconds, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGKILL' };
}

/** `evaluate` with --json; throws with the timings seen so far (stderr tail) when it fails or times out. */
export function evaluateJson(args, opts) {
  const r = genbench(['evaluate', '--generator', FIXTURE, '--dataset', 'mnist', ...args, '--json'], opts);
  if (r.status !== 0) {
    const why = r.timedOut ? `timed out after ${r.seconds.toFixed(0)} s` : `exit ${r.status} after ${r.seconds.toFixed(0)} s`;
    throw new Error(`evaluate ${args.join(' ')}: ${why}\n${r.stderr.split('\n').slice(-15).join('\n')}`);
  }
  return { report: JSON.parse(r.stdout), seconds: r.seconds };
}

/** "load average 1.52, 2.10, 3.00" (1, 5 and 15 minutes). */
export function load() {
  return `load average ${loadavg().map((x) => x.toFixed(2)).join(', ')}`;
}

/** A markdown table: `header` strings, `rows` arrays of cells. */
export function table(header, rows) {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
