import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenbenchError, type ErrorCode } from '../errors.js';
import { scrubPaths } from './public-report.js';
import type { SandboxReply, SandboxTask } from './sandbox-child.js';

/**
 * Runs an evaluation (or the sampling of a rating pool) in a child process, never on the web server's event loop:
 * `fork()` of the small entry `sandbox-child.js` (in dist/ beside this file; from the sources, in the package's
 * dist/), at nice 10 so that page requests win the CPU; a child that went well is reused by the next task (Sandbox). The child gets the task over IPC,
 * works on files only (the checkpoint folder the parent prepared; no database) and answers with the result.
 *
 * Limits (EvaluationLimits, `genbench serve --eval-timeout --eval-memory --max-samples --max-attempts`):
 * - wall clock: after `timeoutMs` the child's whole process group is killed (SIGKILL);
 * - memory: V8's heap is capped by `--max-old-space-size`, and the resident size of the child (native memory of
 *   onnxruntime and tfjs included) is watched every 250 ms, by the parent from /proc and by the child itself;
 *   over `memoryMb` the child is killed;
 * - samples: a task asking for more than `maxSamples` images is refused before a child starts (checkSamples).
 * A limit hit, a crash or an abort rejects with a SandboxError; an error the task threw comes back as a
 * GenbenchError of the same code (a bad checkpoint) or a plain Error. Messages are one line without server paths.
 *
 * @example
 * const out = await runSandboxed({ kind: 'pool', input: { dir, checkpoint: 'g.onnx', n: 1000, seed: 0, out: 'pool.npy' } }, limits);
 * // { kind: 'pool', shape: [1000, 28, 28, 1] }; a model still sampling after limits.timeoutMs:
 * // SandboxError { limit: 'time', message: 'timed out after 1800 s (the server's --eval-timeout)' }
 */
export interface EvaluationLimits {
  /** Wall-clock time of one attempt (ms). */
  readonly timeoutMs: number;
  /** Memory of the evaluation process (MiB): V8 heap cap and resident-size watchdog. */
  readonly memoryMb: number;
  /** Most images one evaluation, panel or rating pool may ask a generator for. */
  readonly maxSamples: number;
  /** Attempts per submission before it is marked failed (counted in the store, across restarts). */
  readonly maxAttempts: number;
}

export const DEFAULT_EVALUATION_LIMITS: EvaluationLimits = Object.freeze({ timeoutMs: 30 * 60_000, memoryMb: 4096, maxSamples: 50_000, maxAttempts: 3 });

export class SandboxError extends Error {
  constructor(
    readonly limit: 'time' | 'memory' | 'crash' | 'aborted',
    message: string,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export interface SandboxOptions {
  /** Aborting kills the child (server shutdown). */
  readonly signal?: AbortSignal;
  /** Told the child's pid once it runs. */
  readonly onSpawn?: (pid: number) => void;
}

/** Throws an INPUT error when `n` samples are over the limit. */
export function checkSamples(n: number, limits: EvaluationLimits, what: string): void {
  if (n > limits.maxSamples) throw new GenbenchError('INPUT', `${what}: ${n} samples is over this server's limit of ${limits.maxSamples} (--max-samples)`);
}

type SandboxResult = Extract<SandboxReply, { ok: true }>['result'];

/** Runs one task in a fresh evaluation process, which exits afterwards. */
export async function runSandboxed(task: SandboxTask, limits: EvaluationLimits, opts: SandboxOptions = {}): Promise<SandboxResult> {
  const sandbox = new Sandbox(limits, { reuse: 0 });
  try {
    return await sandbox.run(task, opts);
  } finally {
    sandbox.close();
  }
}

/**
 * Evaluation processes kept for reuse: a child that answered a task successfully waits, idle and unreferenced (it
 * keeps no server alive), for the next one, up to `reuse` tasks (default 20) and `idleMs` (default 30 s; the child
 * leaves by itself then); a child that hit a limit, failed or crashed is killed, and the next task forks a fresh
 * one. This saves the start of node, onnxruntime and tfjs per job on a busy queue.
 *
 * @example
 * const sandbox = new Sandbox(limits);
 * await sandbox.run({ kind: 'evaluate', input }); // forks a child
 * await sandbox.run({ kind: 'evaluate', input2 }); // the same child, if the first task went well
 * sandbox.close();
 */
export class Sandbox {
  private readonly idle: Array<{ child: ChildProcess; tasks: number }> = [];
  private readonly reuse: number;
  private readonly idleMs: number;

  constructor(
    private readonly limits: EvaluationLimits,
    opts: { reuse?: number; idleMs?: number } = {},
  ) {
    this.reuse = opts.reuse ?? 20;
    this.idleMs = opts.idleMs ?? 30_000;
  }

  async run(task: SandboxTask, opts: SandboxOptions = {}): Promise<SandboxResult> {
    if (opts.signal?.aborted) throw new SandboxError('aborted', 'stopped: the server is shutting down');
    const kept = this.idle.pop();
    const slot = kept ?? { child: this.spawn(opts), tasks: 0 };
    slot.child.ref();
    (slot.child.channel as { ref?: () => void } | undefined)?.ref?.();
    const result = await this.once(slot.child, task, opts);
    slot.tasks++;
    if (slot.tasks < this.reuse && slot.child.exitCode === null && slot.child.signalCode === null) {
      slot.child.unref();
      (slot.child.channel as { unref?: () => void } | undefined)?.unref?.();
      this.idle.push(slot);
    } else killGroup(slot.child);
    return result;
  }

  /** Kills the idle children. */
  close(): void {
    for (const { child } of this.idle.splice(0)) killGroup(child);
  }

  private spawn(opts: SandboxOptions): ChildProcess {
    const child = fork(childEntry(), [], {
      execArgv: [`--max-old-space-size=${this.limits.memoryMb}`],
      detached: true, // its own process group: a kill takes whatever it started with it
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, GENBENCH_SANDBOX_MEMORY_MB: String(this.limits.memoryMb), GENBENCH_SANDBOX_IDLE_MS: String(this.idleMs) },
    });
    if (child.pid === undefined) throw new SandboxError('crash', 'the evaluation process did not start');
    try {
      setPriority(child.pid, 10);
    } catch {
      // not permitted here: it runs at the server's priority
    }
    opts.onSpawn?.(child.pid);
    child.stderr?.resume();
    child.once('exit', () => {
      const i = this.idle.findIndex((s) => s.child === child);
      if (i >= 0) this.idle.splice(i, 1); // an idle child that left by itself
    });
    return child;
  }

  /** One task on `child` under the limits; the child is killed (and reaped) before a failure is reported. */
  private once(child: ChildProcess, task: SandboxTask, opts: SandboxOptions): Promise<SandboxResult> {
    const { limits } = this;
    const pid = child.pid!;
    let stderr = '';
    const onStderr = (d: Buffer): void => void (stderr = (stderr + d.toString()).slice(-4000));
    child.stderr?.on('data', onStderr);
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        opts.signal?.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('exit', onExit);
        child.stderr?.off('data', onStderr);
        fn();
      };
      const fail = (e: Error): void =>
        finish(() => {
          const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((done) => child.once('exit', () => done()));
          killGroup(child);
          // settle once the child is gone (reaped), so a caller never sees it still running
          void Promise.race([exited, new Promise((r) => setTimeout(r, 5000).unref())]).then(() => reject(e));
        });
      const seconds = Math.round(limits.timeoutMs / 100) / 10;
      const timer = setTimeout(() => fail(new SandboxError('time', `timed out after ${seconds} s (the server's --eval-timeout)`)), limits.timeoutMs);
      const memoryError = () => new SandboxError('memory', `used more than ${limits.memoryMb} MiB of memory (the server's --eval-memory)`);
      const watch = setInterval(() => {
        const rss = residentMb(pid);
        if (rss !== undefined && rss > limits.memoryMb) fail(memoryError());
      }, 250);
      const onAbort = (): void => fail(new SandboxError('aborted', 'stopped: the server is shutting down'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const onMessage = (m: SandboxReply): void => {
        if (m.ok) finish(() => resolve(m.result));
        else if (m.error.limit === 'memory') fail(memoryError());
        else fail(m.error.code === undefined ? new Error(m.error.message) : new GenbenchError(m.error.code as ErrorCode, m.error.message));
      };
      const onError = (e: Error): void => fail(new SandboxError('crash', `the evaluation process failed: ${e.message}`));
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        const oom = /heap out of memory|Reached heap limit|std::bad_alloc/.test(stderr);
        fail(oom ? memoryError() : new SandboxError('crash', `the evaluation process ${signal === null ? `exited with code ${code}` : `was killed by ${signal}`} before it answered`));
      };
      child.on('message', onMessage);
      child.on('error', onError);
      child.on('exit', onExit);
      child.send({ task }, (e) => {
        if (e) fail(new SandboxError('crash', `could not hand the task to the evaluation process: ${e.message}`));
      });
    });
  }
}

/** SIGKILL to the child's process group (then to the child alone, should the group be gone already). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Resident set size of a process in MiB from /proc (undefined where there is no /proc). */
function residentMb(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** sandbox-child.js beside this module in dist/, or in the package's dist/ when this runs from the .ts sources. */
function childEntry(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return join(dirname(here), 'sandbox-child.js');
  return join(dirname(here), '..', '..', 'dist', 'src', 'server', 'sandbox-child.js');
}

/**
 * An error message fit for a submitter: its first line, with absolute paths (the server's work folders, caches)
 * reduced to their last component (public-report.ts scrubPaths).
 *
 * @example
 * publicMessage(new Error('/tmp/genbench-eval-x1/g.onnx: not an ONNX file\n  at ...')); // 'g.onnx: not an ONNX file'
 */
export function publicMessage(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
  return scrubPaths(line).slice(0, 400);
}
