import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sweepStaleTemps } from '../assets/fetch.js';
import { writeFileAtomic } from '../io/atomic.js';
import { encodeNpy, parseNpy } from '../io/npy.js';

/**
 * One verified entry of a content-addressed cache folder: `<dir>/<key>.npy` (the array) and `<key>.json` (the
 * sidecar: key, format, dtype, shape, byte count and sha256 of the .npy, plus what the cache adds). The feature cache
 * (cache.ts) and the reference-statistics cache (stats-cache.ts) store their entries this way.
 *
 * - Writes: stale temp files of dead writers swept, then the .npy, then the sidecar, each through io/atomic.ts (temp
 *   file + fsync + rename). Ctrl-C or a crash leaves a temp file, never a partial file at a final path; concurrent
 *   writers of one key write the same bytes and the last rename wins.
 * - Reads trust an entry only if the sidecar parses, names this key and format, and the .npy has the recorded size,
 *   sha256, a valid header and the recorded shape; anything else (truncated, corrupted, half-written pair) is a miss
 *   with the reason in `stale`, which the caller recomputes and overwrites.
 *
 * @example
 * await writeNpyEntry(dir, key, 1, Float64Array.of(1, 2), [2], { recipe });
 * await readNpyEntry(dir, key, 1); // { data: Float64Array [1, 2], shape: [2], sidecar: {...} }
 */
export interface NpyEntrySidecar {
  readonly key: string;
  readonly cacheFormat: number | string;
  readonly dtype: 'float32' | 'float64';
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly npySha256: string;
  readonly [extra: string]: unknown;
}

/** A trusted entry (values widened to float64), or why there is none (`stale` unset: no entry at all). */
export type NpyEntryRead = { readonly data: Float64Array; readonly shape: readonly number[]; readonly sidecar: NpyEntrySidecar } | { readonly stale?: string };

export function npyEntryPath(dir: string, key: string): string {
  return join(dir, `${key}.npy`);
}

export async function readNpyEntry(dir: string, key: string, format: number | string): Promise<NpyEntryRead> {
  const side = await readFile(join(dir, `${key}.json`), 'utf8').catch(() => null);
  if (side === null) return {};
  let s: NpyEntrySidecar;
  try {
    s = JSON.parse(side) as NpyEntrySidecar;
  } catch {
    return { stale: 'sidecar is not valid JSON' };
  }
  if (s === null || typeof s !== 'object' || s.key !== key || s.cacheFormat !== format || !Array.isArray(s.shape)) return { stale: 'sidecar names another key or format' };
  const path = npyEntryPath(dir, key);
  const bytes = await readFile(path).catch(() => null);
  if (bytes === null) return { stale: '.npy file missing' };
  if (bytes.length !== s.bytes) return { stale: `.npy has ${bytes.length} bytes, sidecar says ${s.bytes} (truncated?)` };
  if (sha256(bytes) !== s.npySha256) return { stale: '.npy sha256 does not match its sidecar (corrupted)' };
  try {
    const a = parseNpy(bytes, path);
    if (a.shape.length !== s.shape.length || a.shape.some((v, i) => v !== s.shape[i])) return { stale: 'shape differs from sidecar' };
    return { data: a.data instanceof Float64Array ? a.data : Float64Array.from(a.data), shape: a.shape, sidecar: s };
  } catch (e) {
    return { stale: `bad .npy (${(e as Error).message})` };
  }
}

/** Writes an entry: the .npy, then its sidecar (with `extra` merged in), each atomically. */
export async function writeNpyEntry(dir: string, key: string, format: number | string, data: Float32Array | Float64Array, shape: readonly number[], extra: Readonly<Record<string, unknown>>): Promise<void> {
  const npy = encodeNpy(data, shape);
  const path = npyEntryPath(dir, key);
  const sidePath = join(dir, `${key}.json`);
  await sweepStaleTemps(path);
  await sweepStaleTemps(sidePath);
  await writeFileAtomic(path, npy);
  const sidecar = {
    key,
    cacheFormat: format,
    dtype: data instanceof Float32Array ? 'float32' : 'float64',
    shape: [...shape],
    bytes: npy.length,
    npySha256: sha256(npy),
    ...extra,
  };
  await writeFileAtomic(sidePath, `${JSON.stringify(sidecar, null, 2)}\n`);
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
