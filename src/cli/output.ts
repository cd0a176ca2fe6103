import { GenbenchError } from '../errors.js';

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
