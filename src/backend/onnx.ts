import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, availableParallelism, platform } from 'node:os';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { firstLine, GenbenchError } from '../errors.js';
import { memoPromise } from '../io/memo.js';

/**
 * The one way genbench opens an ONNX Runtime session for inference (generators, feature networks): options chosen
 * for throughput on CPU (all cores inside each op, one graph at a time, every graph optimisation), and a load
 * failure reported as a one-line INPUT error naming the model.
 *
 * Execution providers: CUDA first when onnxruntime-node's CUDA provider library is installed (its install script
 * downloads it on CUDA machines unless `onnxruntime-node-install=skip`, which this repository's .npmrc sets for
 * CPU-only machines: remove that line on a CUDA machine), then CPU. GENBENCH_ORT_PROVIDERS (e.g. `cuda,cpu` or
 * `cpu`) overrides the choice. Not testable on a machine without CUDA.
 *
 * @example
 * const s = await openOnnxSession('subs/mnist-dcgan.onnx'); // s.inputNames: ['z']
 * await s.release();
 */
export function onnxSessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: onnxProviders(),
    intraOpNumThreads: threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  };
}

/** Opens `model` (a file path, or ONNX bytes named by `what` in errors). */
export async function openOnnxSession(model: string | Uint8Array, what = typeof model === 'string' ? model : 'ONNX model', threads?: number): Promise<ort.InferenceSession> {
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, onnxSessionOptions(threads))
      : await ort.InferenceSession.create(model, onnxSessionOptions(threads));
  } catch (e) {
    throw new GenbenchError('INPUT', `${what}: onnxruntime cannot load this model: ${firstLine(e)}`, { cause: e });
  }
}

let providers: string[] | undefined;

/** The execution providers sessions use, in order of preference (see the module comment). */
export function onnxProviders(): string[] {
  const env = process.env['GENBENCH_ORT_PROVIDERS'];
  if (env !== undefined && env.trim() !== '') {
    const list = env.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p.length > 0);
    const known = ['cpu', 'cuda', 'tensorrt', 'webgpu'];
    const bad = list.find((p) => !known.includes(p));
    if (bad !== undefined) throw new GenbenchError('USAGE', `GENBENCH_ORT_PROVIDERS: unknown provider '${bad}' (known: ${known.join(', ')})`);
    return list;
  }
  return (providers ??= cudaProviderInstalled() ? ['cuda', 'cpu'] : ['cpu']);
}

/** Whether onnxruntime-node's CUDA provider library sits beside its runtime library. */
function cudaProviderInstalled(): boolean {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return existsSync(join(pkg, 'bin', 'napi-v6', platform(), arch(), 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/**
 * Sessions of the small arithmetic graphs genbench builds itself (matrix products, kernel sums, k-NN screening):
 * compiled once per `key` and reused; onnxSessionOptions on the CPU provider, and no busy-waiting between calls (the JS thread
 * needs the cores between products, and the machine may be shared). `releaseComputeSessions(prefix)` releases the
 * sessions whose key starts with `prefix` (all of them without one); they are rebuilt on the next call.
 *
 * @example
 * const s = await computeSession(`gemm/${JSON.stringify(spec)}`, () => gemmModel(spec));
 * await releaseComputeSessions('gemm/');
 */
const computeSessions = new Map<string, Promise<ort.InferenceSession>>();

/** Threads inside each op of the compute sessions opened from now on (default: all cores). */
let computeThreads: number | undefined;

export function computeSession(key: string, model: () => Uint8Array): Promise<ort.InferenceSession> {
  return memoPromise(computeSessions, key, async () =>
    ort.InferenceSession.create(model(), { ...onnxSessionOptions(computeThreads), executionProviders: ['cpu'], extra: { session: { intra_op: { allow_spinning: '0' } } } }),
  );
}

/**
 * Caps the threads of the compute sessions this thread opens from now on: a worker thread that shares the cores
 * with other workers takes its share (metrics/fd-workers.ts). Products are the same whatever the thread count
 * (MLAS splits a product's output, never its sums).
 *
 * @example
 * limitComputeThreads(1); // in each of two workers on a 2-core machine
 */
export function limitComputeThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`compute threads must be a positive integer, got ${threads}`);
  computeThreads = threads;
}

export async function releaseComputeSessions(prefix = ''): Promise<void> {
  const released: Promise<ort.InferenceSession>[] = [];
  for (const [key, s] of computeSessions) {
    if (!key.startsWith(prefix)) continue;
    computeSessions.delete(key);
    released.push(s);
  }
  await Promise.all(released.map(async (s) => (await s).release()));
}
