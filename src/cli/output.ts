import { GenbenchError } from '../errors.js';
import { checkOutputPath, type OutputTarget } from '../io/output-path.js';

/**
 * Where the CLI writes: machine output (JSON, or the human summary) goes to stdout, everything else (logs, progress)
 * to stderr, so `genbench ... --json | jq` always works.
 */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function printLine(text = ''): void {
  process.stdout.write(text + '\n');
}

/** A log line on stderr (never on stdout). */
export function log(text: string): void {
  process.stderr.write(text + '\n');
}

/** Parses an integer flag, or throws a USAGE error naming the flag. */
export function parseIntFlag(name: string, value: string, opts: { min?: number; max?: number } = {}): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new GenbenchError('USAGE', `--${name}: expected an integer, got '${value}'`);
  }
  if (opts.min !== undefined && n < opts.min) throw new GenbenchError('USAGE', `--${name}: must be >= ${opts.min}, got ${n}`);
  if (opts.max !== undefined && n > opts.max) throw new GenbenchError('USAGE', `--${name}: must be <= ${opts.max}, got ${n}`);
  return n;
}

/**
 * Checks every output file a command was given, before it starts any work: each as `checkOutputPath` does (no
 * folder, special file or /proc; writable folder), and no two naming the same file. Undefined entries are skipped.
 *
 * @example
 * await checkOutputs({ '--grid': 'g.png', '--out': 'x.npy' }); // { '--grid': { path: '/abs/g.png', ... }, '--out': {...} }
 * await checkOutputs({ '--grid': 'x', '--out': 'x' });         // throws: --grid and --out name the same file x
 */
export async function checkOutputs(outputs: Record<string, string | undefined>): Promise<Record<string, OutputTarget>> {
  const out: Record<string, OutputTarget> = {};
  for (const [flag, path] of Object.entries(outputs)) {
    if (path === undefined) continue;
    const t = await checkOutputPath(path, flag);
    const same = Object.entries(out).find(([, o]) => o.path === t.path && o.mode === 'atomic');
    if (same) throw new GenbenchError('USAGE', `${same[0]} and ${flag} name the same file ${path}; give two different files`);
    out[flag] = t;
  }
  return out;
}
