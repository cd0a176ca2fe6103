import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { hashFile, modelFolderFiles, treeSha256 } from './hash.js';
import type { AssetSpec } from './registry.js';

/** Which check a file passed: its sha256, its gunzipped content sha256, its md5, or none (no hash known). */
export type CheckedBy = 'sha256' | 'content-sha256' | 'md5' | 'unchecked';

/** A file that passed its check. `sha256` is always that of the bytes on disk. */
export interface FileCheck {
  readonly sha256: string;
  readonly checkedBy: CheckedBy;
}

/** A model folder that passed its check. */
export interface FolderCheck {
  readonly treeSha256: string;
  readonly files: readonly string[];
  readonly checkedBy: 'tree-sha256' | 'unchecked';
}

/**
 * Checks a file against its spec: sha256 of the bytes equals `spec.sha256`, or (for .gz) the sha256 of the
 * gunzipped bytes equals `spec.contentSha256`, or, when no sha256 is known, md5 equals `spec.md5`.
 * Without a spec (an id the registry does not know) nothing is checked and the sha256 is only reported.
 * Throws GenbenchError 'CHECKSUM' naming the file, both hashes and the fix.
 *
 * @example
 * await verifyFile('/data/genbench-assets/datasets/mnist/t10k-labels-idx1-ubyte.gz', assetSpec('datasets/mnist/t10k-labels-idx1-ubyte.gz'));
 * // { sha256: 'fc607395...', checkedBy: 'content-sha256' }
 */
export async function verifyFile(path: string, spec: AssetSpec | undefined): Promise<FileCheck> {
  const r = await checkFile(path, spec);
  if ('mismatch' in r) {
    throw new GenbenchError('CHECKSUM', `${path}: corrupt or wrong file for ${spec?.id}: ${r.mismatch}; ${fixHint(spec)}`);
  }
  return r;
}

/**
 * Like verifyFile, but returns the mismatch (both hashes, as text) instead of throwing.
 *
 * @example
 * await checkFile(path, { id: 'x', urls: [], sha256: '00', about: '' });
 * // { sha256: 'ab12...', mismatch: 'sha256 ab12... (expected 00)' }
 */
export async function checkFile(path: string, spec: AssetSpec | undefined): Promise<FileCheck | { sha256: string; mismatch: string }> {
  const sha256 = await hashFile('sha256', path);
  if (spec === undefined) return { sha256, checkedBy: 'unchecked' };
  const found: string[] = [];
  if (spec.sha256 !== undefined) {
    if (sha256 === spec.sha256) return { sha256, checkedBy: 'sha256' };
    found.push(`sha256 ${sha256} (expected ${spec.sha256})`);
  }
  if (spec.contentSha256 !== undefined) {
    const content = await gunzipSha256(path);
    if (content === spec.contentSha256) return { sha256, checkedBy: 'content-sha256' };
    found.push(`gunzipped sha256 ${content ?? '(not valid gzip)'} (expected ${spec.contentSha256})`);
  }
  if (spec.md5 !== undefined && spec.sha256 === undefined) {
    const md5 = await hashFile('md5', path);
    if (md5 === spec.md5) return { sha256, checkedBy: 'md5' };
    found.push(`md5 ${md5} (expected ${spec.md5})`);
  }
  if (found.length === 0) return { sha256, checkedBy: 'unchecked' };
  return { sha256, mismatch: found.join(', ') };
}

/**
 * Checks a TF.js model folder: every file model.json references exists, and the tree hash (see AssetSpec.treeSha256)
 * equals `spec.treeSha256`. Without a spec only the tree hash is computed. Throws GenbenchError 'CHECKSUM'.
 *
 * @example
 * await verifyFolder('/data/genbench-assets/models/mobilenet_v1_0.25_224', assetSpec('models/mobilenet_v1_0.25_224'));
 * // { treeSha256: '05aab648...', files: ['group1-shard1of1', ..., 'model.json'], checkedBy: 'tree-sha256' }
 */
export async function verifyFolder(dir: string, spec: AssetSpec | undefined): Promise<FolderCheck> {
  const id = spec?.id ?? dir;
  let files: string[];
  try {
    files = await modelFolderFiles(dir);
  } catch (e) {
    throw new GenbenchError('CHECKSUM', `${join(dir, 'model.json')}: unreadable model.json for ${id} (${(e as Error).message}); ${fixHint(spec)}`, { cause: e });
  }
  for (const f of files) {
    try {
      await access(join(dir, f));
    } catch {
      throw new GenbenchError('CHECKSUM', `${dir}: incomplete model folder for ${id}, missing ${f} (listed in model.json); ${fixHint(spec)}`);
    }
  }
  const tree = await treeSha256(dir, files);
  if (spec?.treeSha256 === undefined) return { treeSha256: tree, files, checkedBy: 'unchecked' };
  if (tree !== spec.treeSha256) {
    throw new GenbenchError('CHECKSUM', `${dir}: corrupt or wrong model folder for ${id}: tree sha256 ${tree} (expected ${spec.treeSha256}); ${fixHint(spec)}`);
  }
  return { treeSha256: tree, files, checkedBy: 'tree-sha256' };
}

/** What a user does about a bad local copy: delete it and fetch again, or provide a good copy by hand. */
export function fixHint(spec: AssetSpec | undefined): string {
  if (spec === undefined) return 'replace it with a good copy';
  if (spec.urls.length > 0) return `delete it and run 'genbench assets fetch ${spec.id}' to download it again`;
  return `replace it with a good copy${spec.howToProvide === undefined ? '' : ` (${spec.howToProvide})`}`;
}

async function gunzipSha256(path: string): Promise<string | undefined> {
  try {
    return await hashFile('gunzip-sha256', path);
  } catch {
    return undefined;
  }
}
