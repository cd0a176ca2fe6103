import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../../errors.js';

/**
 * Starts tfjs-backend-wasm 4.22's threaded SIMD build in Node, which the package itself refuses there
 * (WASM_HAS_MULTITHREAD_SUPPORT is false under Node). Three obstacles, each worked around here:
 * 1. emscripten starts each pthread worker from a `blob:` URL, which Node's worker_threads cannot load: the worker
 *    script is written to a temporary .cjs file, and URL.createObjectURL returns that file's path for exactly that
 *    Blob (same type and size); in the worker, the main script Blob maps to the package's own
 *    wasm-out/tfjs-backend-wasm-threaded-simd.js, which importScripts then reads from disk.
 * 2. XNNPACK's pool size is capped at os.cpus().length / 2 (tfjs assumes 2 hyperthreads per core), one thread on a
 *    2-core machine: os.cpus reports twice as many CPUs while the backend starts.
 * 3. The 8 pre-started workers keep Node's event loop alive forever: they are unref'd once the backend is up.
 * Both global patches (URL.createObjectURL, os.cpus) exist only while the threaded build starts, and only when it
 * is asked for: both are restored once the backend is ready, URL.createObjectURL unless the pre-started workers
 * cannot hold XNNPACK's threads (more than 9 threads; emscripten would then make a worker later). The default,
 * single-threaded path patches nothing.
 * XNNPACK splits work by output tiles, so results do not depend on the thread count.
 *
 * @example
 * await import('@tensorflow/tfjs-backend-wasm');
 * const threads = await startThreadedWasm(2); // 2, then tf.getBackend() === 'wasm'
 */
export async function startThreadedWasm(threads: number): Promise<number> {
  // Already started (tf.findBackend would start it): its build cannot change now.
  if (tf.engine().registry['wasm'] !== undefined) return unrefWorkers();
  if (!Number.isInteger(threads) || threads < 2) {
    throw new GenbenchError('USAGE', `wasm threads: ${threads} is not an integer >= 2 (use 1 for the single-threaded build)`);
  }
  const require = createRequire(import.meta.url);
  const wasmPkg = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void };
  const wasmOut = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  const { wasmWorkerContents } = require(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // tfjs escapes newlines the same way before making its Blob, so sizes match.
  const workerSource = wasmWorkerContents.replace(/\n/g, '\\n');
  const mainScript = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  const dir = mkdtempSync(join(tmpdir(), 'genbench-wasm-'));
  const workerFile = join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  writeFileSync(workerFile, `URL.createObjectURL = () => ${JSON.stringify(mainScript)};\n${workerSource}`);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const restoreUrl = redirectWorkerBlob(Buffer.byteLength(workerSource), workerFile);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasmPkg.setThreadsCount(threads);
  const os = require('node:os') as typeof import('node:os');
  const cpus = os.cpus;
  os.cpus = () => Array.from({ length: Math.max(2 * threads, cpus().length) }, (_, i) => cpus()[i % cpus().length]!);
  let started = false;
  try {
    if (!(await tf.setBackend('wasm'))) throw new GenbenchError('UNSUPPORTED', 'wasm threads: the threaded wasm backend did not start (unset GENBENCH_WASM_THREADS)');
    await tf.ready();
    started = true;
  } finally {
    os.cpus = cpus;
    if (!started || workersHold(threads)) restoreUrl();
  }
  return unrefWorkers();
}

/**
 * Reads GENBENCH_WASM_THREADS (unset or 1: the single-threaded build, nothing to do) and starts the threaded
 * build with that many threads. Opt-in: on a loaded 2-core machine a second XNNPACK thread did not pay off.
 * Call before the wasm backend first starts; returns the thread count (1 when not enabled).
 *
 * @example
 * process.env.GENBENCH_WASM_THREADS = '2';
 * await wasmThreadsFromEnv(); // 2
 */
export async function wasmThreadsFromEnv(): Promise<number> {
  const raw = process.env['GENBENCH_WASM_THREADS'];
  if (raw === undefined || raw.trim() === '' || raw.trim() === '1') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2 || n > 8) {
    throw new GenbenchError('USAGE', `GENBENCH_WASM_THREADS: '${raw}' is not an integer from 1 to 8 (unset it for one thread)`);
  }
  return startThreadedWasm(n);
}

/**
 * URL.createObjectURL(blob) returns `file` for the pthread worker Blob (JavaScript of `size` bytes); the returned
 * function puts the original back.
 */
function redirectWorkerBlob(size: number, file: string): () => void {
  const original = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob) =>
    obj instanceof Blob && obj.type === 'application/javascript' && obj.size === size ? file : original.call(URL, obj);
  return () => {
    URL.createObjectURL = original;
  };
}

interface PThreads {
  unusedWorkers: { unref(): void }[];
  runningWorkers: { unref(): void }[];
}

/** The started backend's emscripten workers (pre-started, or running a pthread) hold `threads` - 1 pthreads. */
function workersHold(threads: number): boolean {
  const p = wasmModule().PThread;
  return p !== undefined && p.unusedWorkers.length + p.runningWorkers.length >= threads - 1;
}

function wasmModule(): { PThread?: PThreads; tfjs: { getThreadsCount(): number } } {
  return (tf.engine().registry['wasm'] as unknown as { wasm: { PThread?: PThreads; tfjs: { getThreadsCount(): number } } }).wasm;
}

/** Unrefs every emscripten worker and returns XNNPACK's thread count. */
function unrefWorkers(): number {
  const wasm = wasmModule();
  for (const w of [...(wasm.PThread?.unusedWorkers ?? []), ...(wasm.PThread?.runningWorkers ?? [])]) w.unref();
  return wasm.tfjs.getThreadsCount();
}
