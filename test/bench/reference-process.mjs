/**
 * The one way the benchmarks run a Python reference program (bench/ of GENBENCH_ASSETS), so that every comparison
 * is fair and says what it compared against:
 * - the child gets this process's environment without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (settings that make
 *   OpenBLAS pick a slower kernel); genbench's own environment is left as it is;
 * - when OpenBLAS's own CPU detection falls back to a kernel without AVX (a CPU model newer than the library, e.g.
 *   'Prescott' on an AVX-512 Xeon) the child gets OPENBLAS_CORETYPE set to the best kernel the CPU's flags allow
 *   (SkylakeX with AVX-512, Haswell with AVX2); GENBENCH_REF_CORETYPE=detect keeps the detected one, any other
 *   value pins that kernel;
 * - the child reports, after its work, the BLAS it ran on (threadpoolctl's threadpool_info(): internal_api,
 *   version, architecture, num_threads; else OpenBLAS's own `OPENBLAS_VERBOSE=2` line) and torch's threads.
 * It also measures the machine's GEMM peak (float64 and float32, genbench's ONNX Runtime GEMM and NumPy's matmul
 * in the fair environment) from which each benchmark prints the floor of its work, and prints the common table:
 * work | genbench s | reference s (fair env) | ratio (reference / genbench) | floor s | kernel.
 *
 * @example
 * const r = runReference({ script: 'fd_ref.py', args: [g, r] });
 * r.json.seconds_total; r.kernel; // 'openblas 0.3.21 SkylakeX (pinned: detected Prescott), 2 threads'
 * const peak = await machinePeak({ gemm, gramFloat32 });
 * floorSeconds(2 * n * d * d, 'float64', peak);
 * printTable([{ work: 'FD', genbench: 6.4, reference: 7.7, floor: 2.1, kernel: r.kernel }]);
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { load, median, root, table } from './genbench-cli.mjs';

export { load, median };

/** Removed from a reference's environment (never from genbench's). */
export const REMOVED_VARS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

export const PYTHON = process.env.GENBENCH_PYTHON ?? '/usr/bin/python3';
const assets = (process.env.GENBENCH_ASSETS ?? join(root, '../shared')).split(':')[0];

/** The path of a reference program: a name in GENBENCH_ASSETS's bench/, or an absolute path (one in this repository). */
export function referenceScript(name) {
  return isAbsolute(name) ? name : join(assets, 'bench', name);
}

/** OpenBLAS kernels without AVX: what its detection falls back to on a CPU model it does not know. */
const PRE_AVX = new Set(['Katmai', 'Coppermine', 'Northwood', 'Prescott', 'Banias', 'Core2', 'Penryn', 'Dunnington', 'Nehalem', 'Atom', 'Generic']);

function cpuFlags() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

function bestCore(flags) {
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f))) return 'SkylakeX';
  if (flags.has('avx2') && flags.has('fma')) return 'Haswell';
  return null;
}

let fair;

/**
 * The reference environment, computed once: { env, removed: ['NAME=value', ...], detected, pinned, note }.
 * `detected` is the kernel OpenBLAS picks itself in that environment (null without OpenBLAS/NumPy).
 */
export function fairEnv() {
  if (fair !== undefined) return fair;
  const env = { ...process.env };
  const removed = REMOVED_VARS.filter((k) => env[k] !== undefined).map((k) => `${k}=${env[k]}`);
  for (const k of REMOVED_VARS) delete env[k];
  const probe = spawnSync(PYTHON, ['-c', 'import numpy'], { env: { ...env, OPENBLAS_VERBOSE: '2' }, encoding: 'utf8' });
  const detected = /^Core: (\S+)/m.exec(probe.stderr ?? '')?.[1] ?? null;
  const want = process.env.GENBENCH_REF_CORETYPE ?? 'auto';
  let pinned = null;
  if (want !== 'auto' && want !== 'detect') pinned = want;
  else if (want === 'auto' && detected !== null && PRE_AVX.has(detected)) pinned = bestCore(cpuFlags());
  if (pinned !== null) env.OPENBLAS_CORETYPE = pinned;
  const note = [
    `reference env: ${removed.length > 0 ? `removed ${removed.join(', ')}` : `${REMOVED_VARS.join(' and ')} not set`}`,
    `OpenBLAS detects ${detected ?? '(no OpenBLAS found)'}`,
    pinned === null ? 'kept' : `pinned OPENBLAS_CORETYPE=${pinned} in the reference only${want === 'auto' ? ' (detection fell back to a kernel without AVX)' : ''}`,
  ].join('; ');
  fair = { env, removed, detected, pinned, note };
  return fair;
}

/**
 * Python run by every reference: optional prelude code, then the script (run as __main__ with its own argv) or the
 * code; finally one stderr line '@genbench-blas {...}' with the BLAS libraries loaded and torch's threads.
 */
const WRAPPER = String.raw`
import json, runpy, sys
prelude, mode, target = sys.argv[1], sys.argv[2], sys.argv[3]
sys.argv = [target] + sys.argv[4:]
def _info():
    out = {}
    try:
        from threadpoolctl import threadpool_info
        out['blas'] = [{k: p.get(k) for k in ('internal_api', 'version', 'architecture', 'num_threads')} for p in threadpool_info() if p.get('user_api') == 'blas']
    except Exception as e:
        out['blas'] = None
    t = sys.modules.get('torch')
    if t is not None:
        out['torch'] = {'version': t.__version__, 'threads': t.get_num_threads(), 'mkldnn': bool(t.backends.mkldnn.is_available())}
    return out
try:
    if prelude:
        exec(prelude, {'__name__': '__prelude__'})
    if mode == 'script':
        runpy.run_path(target, run_name='__main__')
    else:
        exec(compile(target, '<reference>', 'exec'), {'__name__': '__main__'})
finally:
    sys.stderr.write('\n@genbench-blas ' + json.dumps(_info()) + '\n')
`;

/** 'openblas 0.3.21 SkylakeX (pinned: detected Prescott), 2 threads; torch 1.13 1 thread, oneDNN'. */
function describeKernel(info, verboseCore, f) {
  const pin = f.pinned === null ? '' : ` (pinned: detected ${f.detected})`;
  const parts = [];
  const blas = info?.blas;
  if (Array.isArray(blas) && blas.length > 0) {
    for (const b of blas) parts.push(`${b.internal_api} ${b.version ?? ''} ${b.architecture ?? '?'}${b.internal_api === 'openblas' ? pin : ''}, ${b.num_threads} thread${b.num_threads === 1 ? '' : 's'}`.replace(/ {2,}/g, ' '));
  } else if (verboseCore !== null) {
    parts.push(`openblas ${verboseCore}${pin}`);
  } else {
    parts.push('BLAS unknown');
  }
  if (info?.torch) parts.push(`torch ${info.torch.version} ${info.torch.threads} thread${info.torch.threads === 1 ? '' : 's'}${info.torch.mkldnn ? ', oneDNN' : ''}`);
  return parts.join('; ');
}

/**
 * Runs one reference, `script` (a file name in bench/, or an absolute path) or inline `code`, in the fair environment:
 * { stdout, json (its last stdout line parsed, or null), kernel, info, seconds (wall) }. Throws with the stderr
 * tail when it exits non-zero.
 */
export function runReference({ script, code, args = [], prelude = '', timeoutS = 1800 }) {
  const f = fairEnv();
  const target = script === undefined ? code : referenceScript(script);
  const t0 = performance.now();
  const r = spawnSync(PYTHON, ['-c', WRAPPER, prelude, script === undefined ? 'code' : 'script', target, ...args.map(String)], {
    env: { ...f.env, OPENBLAS_VERBOSE: '2' },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    timeout: timeoutS * 1000,
  });
  const seconds = (performance.now() - t0) / 1000;
  const stderr = r.stderr ?? '';
  if (r.status !== 0) throw new Error(`${script ?? 'python code'}: ${r.error?.message ?? `exit ${r.status}`}\n${stderr.split('\n').slice(-15).join('\n')}`);
  const infoLine = /^@genbench-blas (.*)$/m.exec(stderr)?.[1];
  const info = infoLine === undefined ? null : JSON.parse(infoLine);
  const verboseCore = /^Core: (\S+)/m.exec(stderr)?.[1] ?? null;
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  let json = null;
  try {
    json = JSON.parse(last);
  } catch {
    json = null;
  }
  return { stdout: r.stdout ?? '', json, info, kernel: describeKernel(info, verboseCore, f), seconds };
}

const NUMPY_PEAK = String.raw`
import json, sys, time
import numpy as np
n = int(sys.argv[1]); out = {}
for dt in ('float64', 'float32'):
    a = (np.arange(n * n, dtype=np.float64).reshape(n, n) % 7.0 / 7.0).astype(dt); b = a.T.copy()
    best = float('inf')
    for _ in range(int(sys.argv[2])):
        t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
    out[dt] = 2.0 * n ** 3 / best / 1e9
print(json.dumps(out))
`;

/**
 * The machine's GEMM peak in GFLOP/s, float64 and float32, best of `repeat` n x n x n products: genbench's ONNX
 * Runtime GEMM (`gemm` for float64, `gramFloat32` for float32, both from src/linalg/gemm.ts) and NumPy's matmul in
 * the fair environment. Env: BENCH_PEAK_N (2048), BENCH_PEAK_REPEAT (3); GENBENCH_BENCH_PEAK (JSON of an earlier
 * measurement) is used as it is, so one runner can measure once for several benchmarks.
 */
export async function machinePeak({ gemm, gramFloat32 }) {
  if (process.env.GENBENCH_BENCH_PEAK) return JSON.parse(process.env.GENBENCH_BENCH_PEAK);
  const n = Number(process.env.BENCH_PEAK_N ?? 2048);
  const repeat = Number(process.env.BENCH_PEAK_REPEAT ?? 3);
  const a = { rows: n, cols: n, data: Float64Array.from({ length: n * n }, (_, i) => (i % 7) / 7) };
  const x32 = Float32Array.from(a.data);
  const best = async (fn) => {
    let s = Infinity;
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      await fn();
      s = Math.min(s, (performance.now() - t) / 1000);
    }
    return (2 * n ** 3) / s / 1e9;
  };
  const genbench = { float64: await best(() => gemm(a, a, { transB: true, engine: 'ort' })), float32: await best(() => gramFloat32(x32, n, n)) };
  let numpy = null;
  let kernel = null;
  try {
    const r = runReference({ code: NUMPY_PEAK, args: [n, repeat] });
    numpy = r.json;
    kernel = r.kernel;
  } catch (e) {
    kernel = `no NumPy (${String(e.message).split('\n')[0]})`;
  }
  return { n, repeat, genbench, numpy, kernel };
}

/** Seconds `flops` take at the better of the two measured peaks for `dtype`. */
export function floorSeconds(flops, dtype, peak) {
  const best = Math.max(peak.genbench[dtype], peak.numpy?.[dtype] ?? 0);
  return flops / (best * 1e9);
}

/** One line: the peaks and the reference environment. */
export function describePeak(peak) {
  const g = (v) => (v === undefined || v === null ? '-' : v.toFixed(1));
  return [
    `GEMM peak ${peak.n}^3 (best of ${peak.repeat}), GFLOP/s: genbench ONNX Runtime float64 ${g(peak.genbench.float64)}, float32 ${g(peak.genbench.float32)}; NumPy float64 ${g(peak.numpy?.float64)}, float32 ${g(peak.numpy?.float32)} (${peak.kernel})`,
    fairEnv().note,
  ].join('\n');
}

const fmt = (s) => (s === null || s === undefined || !Number.isFinite(s) ? '-' : s >= 10 ? s.toFixed(1) : s >= 0.1 ? s.toFixed(2) : s.toFixed(3));

/**
 * Prints the benchmark table of `rows` ({ work, genbench, reference, floor, kernel }, seconds), or, when
 * GENBENCH_BENCH_ROWS names a file, appends them there as JSON lines for a runner that prints one table for several
 * benchmarks (test/bench/metrics.mjs).
 */
export function printTable(rows, heading = '') {
  const sink = process.env.GENBENCH_BENCH_ROWS;
  if (sink) {
    for (const r of rows) appendFileSync(sink, JSON.stringify(r) + '\n');
    return;
  }
  process.stdout.write(`\n${heading ? `${heading}\n` : ''}${formatTable(rows)}\n`);
}

export function formatTable(rows) {
  const cells = rows.map((r) => [r.work, fmt(r.genbench), fmt(r.reference), r.reference && r.genbench ? `${(r.reference / r.genbench).toFixed(2)}x` : '-', fmt(r.floor), r.kernel ?? '-']);
  return table(['work', 'genbench s', 'reference s (fair env)', 'ratio (reference / genbench)', 'floor s', 'kernel'], cells);
}
