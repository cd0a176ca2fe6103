import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../helpers/cli.js';

const PROBE = new URL('./rss-probe.mjs', import.meta.url).href;

export interface MeasuredRun {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
  /** Peak resident set size of the child in MB (undefined when it was killed before it could report). */
  readonly peakMb: number | undefined;
  /** True when the child ran past the time limit and was killed (a hang). */
  readonly killed: boolean;
}

/**
 * Runs `node dist/src/cli/bin.js ...args` in `cwd` as a user would, with a time limit, and measures its wall time
 * and peak memory (a preloaded probe reports getrusage's ru_maxrss at exit). stdin is closed, stdout and stderr are
 * pipes (not a terminal), so progress bars draw their plain-log form.
 */
export function runMeasured(args: readonly string[], opts: { cwd: string; env?: Record<string, string | undefined>; timeoutMs: number }): Promise<MeasuredRun> {
  const rssFile = join(tmpdir(), `genbench-rss-${process.pid}-${Math.floor(performance.now() * 1000)}-${Math.random().toString(36).slice(2)}`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...opts.env, GENBENCH_TEST_RSS_FILE: rssFile })) if (v !== undefined) env[k] = v;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', PROBE, BIN, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      void readFile(rssFile, 'utf8')
        .then((kb) => Number(kb) / 1024, () => undefined)
        .then(async (peakMb) => {
          await rm(rssFile, { force: true });
          resolve({ code, signal, stdout, stderr, seconds, peakMb, killed });
        });
    });
  });
}
