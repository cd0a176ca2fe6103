import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { genbenchHome } from '../assets/index.js';
import { canonicalJson } from '../io/canonical-json.js';
import { writeFileAtomic } from '../io/atomic.js';
import { CONVERTER_VERSION } from './convert.js';
import type { GraphPreprocess } from './preprocess-graph.js';

/**
 * The content-addressed cache of converted models, beside the feature cache: `GENBENCH_HOME/onnx/<key>.onnx` and a
 * sidecar `<key>.json` (the key record, byte count and sha256 of the .onnx). The key is the sha256 of the canonical
 * JSON of: the converter version, the source weights' hash (a TF.js folder's tree sha256 over model.json and its
 * shards), the output layer names in order and the in-graph preprocessing (input geometry + the Preprocessing
 * record), so any change to what the bytes would be is a different file. Writes are atomic (.onnx first, then the
 * sidecar); a read trusts an entry only when the sidecar names this key and the .onnx has the recorded size and
 * sha256, otherwise it is rebuilt and overwritten (the reason is in `stale`).
 *
 * @example
 * const r = await cachedConversion({ weightsSha256: folder.treeSha256, outputs: ['global_average_pooling2d_1'] },
 *   async () => convertLayersModel(modelJson, weights, { outputs: ['global_average_pooling2d_1'] }));
 * r.hit; // false the first time, true the next; r.path: '~/.cache/genbench/onnx/9b1e....onnx'
 */
export interface ConversionKeyParts {
  readonly weightsSha256: string;
  readonly outputs: readonly string[];
  readonly preprocess?: GraphPreprocess;
}

export interface ConversionResult {
  readonly bytes: Uint8Array;
  readonly path: string;
  readonly key: string;
  readonly hit: boolean;
  readonly stale?: string;
}

/** The cache folder: GENBENCH_HOME/onnx. */
export function onnxCacheDir(): string {
  return join(genbenchHome(), 'onnx');
}

/** The record hashed into a key (also stored in the sidecar). */
export function conversionKeyRecord(parts: ConversionKeyParts): Record<string, unknown> {
  return { format: `genbench.onnx-convert/v${CONVERTER_VERSION}`, weightsSha256: parts.weightsSha256, outputs: [...parts.outputs], preprocess: parts.preprocess };
}

/** THE key of a converted model: 64 hex digits. */
export function conversionKey(parts: ConversionKeyParts): string {
  return createHash('sha256').update(canonicalJson(conversionKeyRecord(parts))).digest('hex');
}

/** The converted model for `parts`: from the cache when valid, else built by `build` and stored. */
export async function cachedConversion(parts: ConversionKeyParts, build: () => Promise<Uint8Array>, opts: { dir?: string } = {}): Promise<ConversionResult> {
  const dir = opts.dir ?? onnxCacheDir();
  const key = conversionKey(parts);
  const path = join(dir, `${key}.onnx`);
  const got = await readEntry(path, key);
  if ('bytes' in got) return { bytes: got.bytes, path, key, hit: true };
  const bytes = await build();
  await writeFileAtomic(path, bytes);
  const sidecar = { key, record: conversionKeyRecord(parts), bytes: bytes.length, sha256: sha256(bytes) };
  await writeFileAtomic(sidecarPath(path), `${JSON.stringify(sidecar, null, 2)}\n`);
  return { bytes, path, key, hit: false, ...(got.stale === undefined ? {} : { stale: got.stale }) };
}

async function readEntry(path: string, key: string): Promise<{ bytes: Uint8Array } | { stale?: string }> {
  let side: { key?: unknown; bytes?: unknown; sha256?: unknown };
  try {
    side = JSON.parse(await readFile(sidecarPath(path), 'utf8'));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? {} : { stale: 'unreadable sidecar' };
  }
  if (side.key !== key) return { stale: 'sidecar names another key' };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    return { stale: 'model file missing' };
  }
  if (bytes.length !== side.bytes) return { stale: `size ${bytes.length} != ${String(side.bytes)}` };
  if (sha256(bytes) !== side.sha256) return { stale: 'sha256 mismatch' };
  return { bytes };
}

function sidecarPath(onnxPath: string): string {
  return onnxPath.replace(/\.onnx$/, '.json');
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
