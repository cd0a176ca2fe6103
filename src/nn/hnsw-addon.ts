import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Which hnswlib-node addon the search workers load. genbench's postinstall (scripts/native-hnsw.mjs) builds a second
 * addon for the installing machine's CPU (`-march=native`: AVX / AVX-512 distance loops) beside the package's
 * portable one, with the instruction-set flags of that CPU. The native addon is loaded only on a CPU that has every
 * one of its instruction-set flags; on any other (node_modules copied to an older machine, a container image moved between hosts)
 * the portable addon is used, so nothing dies of an illegal instruction. GENBENCH_NATIVE_HNSW=0 forces the portable one.
 *
 * @example
 * hnswAddon(); // { path: '.../hnswlib-node/build/Release/genbench-native.node', native: true, reason: '...' }
 */
export interface HnswAddon {
  /** What the worker `require`s: the native .node file or the package's entry point. */
  readonly path: string;
  readonly native: boolean;
  readonly reason: string;
}

/** Native addon and its CPU record, next to the package's own build. */
export const NATIVE_ADDON = 'build/Release/genbench-native.node';
export const NATIVE_RECORD = 'build/Release/genbench-native.json';

/**
 * /proc/cpuinfo flags that name instruction-set extensions a compiler may emit with -march=native (the others, e.g.
 * `hypervisor` or `constant_tsc`, say nothing about which instructions run).
 */
export const ISA_FLAGS: readonly string[] = [
  'sse3', 'pni', 'ssse3', 'sse4_1', 'sse4_2', 'sse4a', 'popcnt', 'abm', 'lzcnt', 'movbe', 'cx16', 'aes', 'pclmulqdq', 'avx', 'f16c', 'fma', 'fma4',
  'avx2', 'bmi1', 'bmi2', 'adx', 'sha_ni', 'rdrand', 'rdseed', 'xsave', 'xsaveopt', 'xsavec', 'clflushopt', 'clwb', 'avx512f', 'avx512dq',
  'avx512cd', 'avx512bw', 'avx512vl', 'avx512ifma', 'avx512vbmi', 'avx512_vbmi2', 'avx512_vnni', 'avx512_bitalg', 'avx512_vpopcntdq',
  'avx512_bf16', 'avx512_fp16', 'avx_vnni', 'vaes', 'vpclmulqdq', 'gfni', 'amx_tile', 'amx_int8', 'amx_bf16',
];

/** The instruction-set flags of this machine's CPU (empty when /proc/cpuinfo cannot be read: then only a build with none loads). */
export function cpuIsaFlags(cpuinfo?: string): string[] {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return [];
    }
  }
  const line = text.split('\n').find((l) => /^flags\s*:/.test(l));
  if (line === undefined) return [];
  const have = new Set(line.slice(line.indexOf(':') + 1).trim().split(/\s+/));
  return ISA_FLAGS.filter((f) => have.has(f));
}

/** The instruction-set flags of the building CPU that this CPU lacks (none: the native addon may be loaded). */
export function missingFlags(builtOn: readonly string[], cpu: readonly string[]): string[] {
  const have = new Set(cpu);
  return builtOn.filter((f) => ISA_FLAGS.includes(f) && !have.has(f));
}

export function hnswAddon(env: NodeJS.ProcessEnv = process.env, cpuinfo?: string): HnswAddon {
  const entry = createRequire(import.meta.url).resolve('hnswlib-node');
  const pkg = dirname(dirname(entry)); // .../hnswlib-node/lib/index.js -> .../hnswlib-node
  const portable = (reason: string): HnswAddon => ({ path: entry, native: false, reason });
  if (env['GENBENCH_NATIVE_HNSW'] === '0') return portable('GENBENCH_NATIVE_HNSW=0');
  const addon = join(pkg, NATIVE_ADDON);
  const record = join(pkg, NATIVE_RECORD);
  if (!existsSync(addon) || !existsSync(record)) return portable('no native build');
  let builtFor: unknown;
  try {
    builtFor = (JSON.parse(readFileSync(record, 'utf8')) as { cpuFlags?: unknown }).cpuFlags;
  } catch {
    return portable(`unreadable ${NATIVE_RECORD}`);
  }
  if (!Array.isArray(builtFor) || !builtFor.every((f) => typeof f === 'string')) return portable(`no CPU flags in ${NATIVE_RECORD}`);
  const missing = missingFlags(builtFor as string[], cpuIsaFlags(cpuinfo));
  if (missing.length > 0) return portable(`this CPU lacks ${missing.slice(0, 4).join(', ')}${missing.length > 4 ? ', ...' : ''}, which the native build uses`);
  return { path: addon, native: true, reason: 'this CPU has every instruction-set flag of the one it was built on' };
}
