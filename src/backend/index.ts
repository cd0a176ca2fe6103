import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../errors.js';
import { registerWasmKernels } from './wasm-kernels/index.js';
import { wasmThreadsFromEnv } from './wasm-kernels/threads.js';

/**
 * Choice of the TensorFlow.js backend at run time: tfjs-node-gpu (CUDA), then tfjs-node (native TensorFlow),
 * then wasm (with the gradient kernels genbench adds), then the pure-JS cpu backend. `--backend` or
 * GENBENCH_BACKEND pins one; a pinned backend that cannot start is an error, not a silent fallback.
 *
 * @example
 * const { name } = await initBackend(); // 'wasm' on a machine without libtensorflow
 */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** User-facing aliases accepted by --backend / GENBENCH_BACKEND. */
const ALIASES: Record<string, BackendName> = {
  'node-gpu': 'tensorflow-gpu',
  'gpu': 'tensorflow-gpu',
  'tfjs-node-gpu': 'tensorflow-gpu',
  'tensorflow-gpu': 'tensorflow-gpu',
  'node': 'tensorflow',
  'tfjs-node': 'tensorflow',
  'tensorflow': 'tensorflow',
  'wasm': 'wasm',
  'cpu': 'cpu',
};

export interface BackendChoice {
  /** The backend now active in tfjs. */
  readonly name: BackendName;
  /** Why it was chosen, and what was tried before it (for logs and recipes). */
  readonly reason: string;
  readonly tried: readonly { name: BackendName; error: string }[];
}

let active: BackendChoice | null = null;

export function parseBackendName(value: string, source = '--backend'): BackendName {
  const name = ALIASES[value.trim().toLowerCase()];
  if (name === undefined) {
    throw new GenbenchError('USAGE', `${source}: unknown backend '${value}' (valid: ${Object.keys(ALIASES).join(', ')})`);
  }
  return name;
}

/**
 * Activates a tfjs backend. `preferred` (or GENBENCH_BACKEND) pins one; otherwise the first that starts wins.
 * Idempotent: a second call with the same request returns the first choice.
 */
export async function initBackend(preferred?: string): Promise<BackendChoice> {
  const env = process.env['GENBENCH_BACKEND'];
  const pinned =
    preferred !== undefined ? parseBackendName(preferred) : env ? parseBackendName(env, 'GENBENCH_BACKEND') : undefined;
  if (active && (pinned === undefined || pinned === active.name)) return active;
  const order: readonly BackendName[] = pinned ? [pinned] : BACKENDS;
  const tried: { name: BackendName; error: string }[] = [];
  for (const name of order) {
    try {
      await activate(name);
      const reason = pinned
        ? `pinned by ${preferred !== undefined ? '--backend' : 'GENBENCH_BACKEND'}`
        : tried.length === 0
          ? 'first choice'
          : `fallback (${tried.map((t) => `${t.name}: ${t.error}`).join('; ')})`;
      active = { name, reason, tried };
      return active;
    } catch (e) {
      tried.push({ name, error: firstLine(e) });
    }
  }
  throw new GenbenchError(
    'UNSUPPORTED',
    `backend '${order[0]}' cannot start: ${tried[0]?.error ?? 'unknown'} (unset GENBENCH_BACKEND or pick another with --backend)`,
  );
}

/** The active choice, or null before initBackend. */
export function activeBackend(): BackendChoice | null {
  return active;
}

async function activate(name: BackendName): Promise<void> {
  switch (name) {
    case 'tensorflow-gpu':
      // Registers the 'tensorflow' backend on the shared tfjs-core; fails without libtensorflow / CUDA.
      checkNativeBinding('@tensorflow/tfjs-node-gpu');
      await import(/* optional */ '@tensorflow/tfjs-node-gpu' as string);
      break;
    case 'tensorflow':
      checkNativeBinding('@tensorflow/tfjs-node');
      await import(/* optional */ '@tensorflow/tfjs-node' as string);
      break;
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmKernels();
      await wasmThreadsFromEnv(); // opt-in threaded build (GENBENCH_WASM_THREADS)
      break;
    case 'cpu':
      break;
  }
  const tfName = name === 'tensorflow-gpu' ? 'tensorflow' : name;
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') failed`);
  await tf.ready();
}

/**
 * Throws unless `pkg` and its native binding (lib/napi-v<N>/tfjs_binding.node, which its install script downloads
 * with libtensorflow) are installed. Checked before the import: importing a package whose binding is missing
 * registers its kernels on tfjs-core before it fails, and the next package tried would then print one "already
 * registered" warning per kernel.
 */
function checkNativeBinding(pkg: string): void {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    throw new Error(`${pkg} is not installed`);
  }
  const lib = join(dir, 'lib');
  const found = existsSync(lib) && readdirSync(lib).some((v) => /^napi-v\d+$/.test(v) && existsSync(join(lib, v, 'tfjs_binding.node')));
  if (!found) throw new Error(`${pkg} is installed without its native binding (its install script downloads libtensorflow)`);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}

export { tf };
