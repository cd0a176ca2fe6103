import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/** What is hashed: the bytes on disk, their md5, or the gunzipped payload of a .gz file. */
export type HashKind = 'sha256' | 'md5' | 'gunzip-sha256';

/**
 * In-process memo of file hashes keyed by (kind, path, size, mtime): loaders resolve the same assets again and again,
 * and re-hashing 10 MB on every load is wasted work. A rewritten file changes size or mtime and is hashed again.
 */
const memo = new Map<string, string>();
const MEMO_LIMIT = 4096;

async function memoKey(kind: HashKind, path: string): Promise<string> {
  const s = await stat(path);
  return `${kind}\0${path}\0${s.size}\0${s.mtimeMs}`;
}

function remember(key: string, hex: string): void {
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value as string);
  memo.set(key, hex);
}

/** Records a hash computed elsewhere (e.g. while downloading) so the next lookup of `path` does not re-read it. */
export async function rememberHash(kind: HashKind, path: string, hex: string): Promise<void> {
  remember(await memoKey(kind, path), hex);
}

/**
 * Hash of a file, streamed (never loaded whole), memoised per (path, size, mtime).
 * 'gunzip-sha256' throws if the file is not valid gzip.
 *
 * @example
 * await hashFile('sha256', 'datasets/mnist/t10k-labels-idx1-ubyte.gz'); // 'fc6073...'
 */
export async function hashFile(kind: HashKind, path: string): Promise<string> {
  const key = await memoKey(kind, path);
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const h = createHash(kind === 'md5' ? 'md5' : 'sha256');
  if (kind === 'gunzip-sha256') await pipeline(createReadStream(path), createGunzip(), h);
  else await pipeline(createReadStream(path), h);
  const hex = h.digest('hex');
  remember(key, hex);
  return hex;
}

/**
 * sha256 of a file's bytes (hex), memoised.
 *
 * @example
 * await sha256File('/data/genbench-assets/datasets/mnist/t10k-labels-idx1-ubyte.gz'); // 'fc607395...'
 */
export function sha256File(path: string): Promise<string> {
  return hashFile('sha256', path);
}

/** Forgets every memoised hash (tests that rewrite files within one mtime tick). */
export function clearHashMemo(): void {
  memo.clear();
}

/**
 * The files of a TF.js model folder: model.json and every path its weightsManifest lists, sorted, deduplicated.
 * Throws (plain Error) if model.json is not JSON or names a path outside the folder.
 *
 * @example
 * await modelFolderFiles('models/mobilenet_v1_0.25_224'); // ['group1-shard1of1', ..., 'model.json']
 */
export async function modelFolderFiles(dir: string): Promise<string[]> {
  return modelJsonFiles(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as unknown);
}

/** model.json plus the shard names of a parsed model.json; shard names must be plain names (no '/', no '..'). */
export function modelJsonFiles(modelJson: unknown): string[] {
  const manifest = (modelJson as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw new Error('model.json has no weightsManifest array');
  const files = new Set<string>(['model.json']);
  for (const group of manifest as { paths?: unknown }[]) {
    for (const p of Array.isArray(group?.paths) ? group.paths : []) {
      if (typeof p !== 'string' || !/^[\w][\w.-]*$/.test(p)) throw new Error(`model.json lists a bad shard path '${String(p)}'`);
      files.add(p);
    }
  }
  return [...files].sort();
}

/**
 * Tree hash of a model folder: sha256 over the bytewise-sorted lines `<sha256>  <name>\n` of model.json and its
 * shards (the same as `sha256sum <files> | LC_ALL=C sort | sha256sum`). Extra files (metadata.json) are ignored.
 *
 * @example
 * await treeSha256('/data/genbench-assets/models/mobilenet_v1_0.25_224'); // '05aab648...'
 */
export async function treeSha256(dir: string, files?: readonly string[]): Promise<string> {
  const names = files ?? (await modelFolderFiles(dir));
  const lines: string[] = [];
  for (const name of names) lines.push(`${await sha256File(join(dir, name))}  ${name}\n`);
  lines.sort();
  return createHash('sha256').update(lines.join('')).digest('hex');
}
