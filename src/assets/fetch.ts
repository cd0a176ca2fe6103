import { open, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { GenbenchError } from '../errors.js';
import type { Progress } from '../progress.js';

/** One download attempt's options. */
export interface FetchOptions {
  /** Expected size of the body when known (spec.bytes): a shorter body counts as truncated. */
  readonly bytes?: number;
  /** Progress over bytes (total = Content-Length, else `bytes`, else 0 for unknown). */
  readonly progress?: Progress;
  readonly label?: string;
  /** Abort when no byte arrives for this long (ms); default 60 s (GENBENCH_DOWNLOAD_STALL_MS overrides). */
  readonly stallMs?: number;
}

/**
 * Streams `url` into a new file `path` (created exclusively; the caller removes it on failure) and returns the byte
 * count. Throws GenbenchError 'NETWORK' whose message is the reason only (the caller names the url): an HTTP status,
 * a refused or dropped connection, or a body shorter than its Content-Length or than `opts.bytes`.
 *
 * @example
 * await fetchToFile('https://example.org/a.gz', '/tmp/.a.gz.123.tmp', { bytes: 4542 }); // 4542
 */
export async function fetchToFile(url: string, path: string, opts: FetchOptions = {}): Promise<number> {
  const stallMs = opts.stallMs ?? (Number(process.env['GENBENCH_DOWNLOAD_STALL_MS']) || 60_000);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new Error(`no data for ${stallMs / 1000} s`)), stallMs);
  try {
    return await fetchBody(url, path, opts, abort.signal, () => timer.refresh());
  } finally {
    clearTimeout(timer);
  }
}

async function fetchBody(url: string, path: string, opts: FetchOptions, signal: AbortSignal, alive: () => void): Promise<number> {
  const res = await request(url, signal);
  const declared = contentLength(res);
  const total = declared ?? opts.bytes ?? 0;
  opts.progress?.start(total, opts.label ?? basename(path));
  let n = 0;
  const fh = await open(path, 'wx');
  try {
    try {
      for await (const chunk of Readable.fromWeb(res.body as WebReadableStream<Uint8Array>)) {
        const buf = chunk as Buffer;
        alive();
        await fh.write(buf);
        n += buf.length;
        opts.progress?.tick(buf.length);
      }
    } catch (e) {
      throw networkError(`connection dropped after ${n} of ${total || '?'} bytes (${describe(e)})`, e);
    }
    await fh.sync();
  } finally {
    await fh.close();
    opts.progress?.stop();
  }
  if (declared !== undefined && n < declared) throw networkError(`truncated: got ${n} of ${declared} bytes (Content-Length)`);
  if (opts.bytes !== undefined && n < opts.bytes) throw networkError(`truncated: got ${n} of the expected ${opts.bytes} bytes`);
  return n;
}

/** GETs `url` (following redirects); an HTTP error status or a failed connection is a NETWORK error. */
async function request(url: string, signal: AbortSignal): Promise<Response & { body: NonNullable<Response['body']> }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal });
  } catch (e) {
    throw networkError(`cannot connect (${describe(e)})`, e);
  }
  if (!res.ok || res.body === null) {
    await res.body?.cancel().catch(() => undefined);
    throw networkError(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  }
  return res as Response & { body: NonNullable<Response['body']> };
}

function contentLength(res: Response): number | undefined {
  const v = res.headers.get('content-length');
  const n = v === null ? NaN : Number(v);
  // A gzip Content-Encoding makes the header count compressed bytes, not the ones we receive.
  if (res.headers.get('content-encoding')) return undefined;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

function networkError(reason: string, cause?: unknown): GenbenchError {
  return new GenbenchError('NETWORK', reason, cause === undefined ? undefined : { cause });
}

function describe(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const inner = err?.cause?.code ?? err?.cause?.message;
  return inner ? `${err.message ?? String(e)}: ${inner}` : (err?.message ?? String(e));
}

/**
 * Removes temp files (or folders) of earlier downloads of `dest` whose process is gone (a Ctrl-C or a crash leaves
 * `.<name>.<pid>.<hex>.tmp` beside the final path; see io/atomic.ts tempPathFor). Live processes' temps are kept.
 *
 * @example
 * await sweepStaleTemps('/home/ada/.cache/genbench/datasets/mnist/train-images-idx3-ubyte.gz');
 */
export async function sweepStaleTemps(dest: string): Promise<void> {
  const dir = dirname(dest);
  const prefix = `.${basename(dest)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isSafeInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Whether process `pid` is running (EPERM: it runs under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
