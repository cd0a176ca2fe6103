import { isGenbenchError } from '../errors.js';
import { sha256File } from './hash.js';
import { findFile, findFolder, type ResolveOptions } from './lookup.js';
import type { AssetSpec } from './registry.js';
import { verifyFile, verifyFolder } from './verify.js';

/** Where an asset is now and whether it passes its check; what `genbench assets list/verify` show. */
export interface AssetStatus {
  readonly id: string;
  readonly kind: 'file' | 'folder';
  /** 'ok' passed its hash check; 'unchecked' found but the registry has no hash; 'mismatch' failed it. */
  readonly status: 'ok' | 'unchecked' | 'mismatch' | 'missing';
  /** Absolute path where it was found, or null when missing. */
  readonly path: string | null;
  readonly source: 'assets' | 'home' | null;
  /** sha256 of a file, or the tree sha256 of a folder, when found. */
  readonly sha256: string | null;
  /** Which check it passed (sha256, content-sha256, md5, tree-sha256), when ok. */
  readonly checkedBy: string | null;
  /** The failure, when status is 'mismatch'. */
  readonly detail?: string;
}

/**
 * Looks an asset up without downloading or throwing on a failed check (never touches the network).
 *
 * @example
 * await inspectAsset(assetSpec('datasets/mnist/t10k-labels-idx1-ubyte.gz')!);
 * // { id: 'datasets/mnist/t10k-labels-idx1-ubyte.gz', kind: 'file', status: 'ok', path: '/data/genbench-assets/...', source: 'assets', sha256: 'fc607395...', checkedBy: 'content-sha256' }
 */
export async function inspectAsset(spec: AssetSpec, opts: ResolveOptions = {}): Promise<AssetStatus> {
  const kind = spec.kind ?? 'file';
  const found = kind === 'folder' ? await findFolder(spec.id, opts) : await findFile(spec.id, opts);
  const base = { id: spec.id, kind };
  if (found === undefined) return { ...base, status: 'missing', path: null, source: null, sha256: null, checkedBy: null };
  const where = { path: found.path, source: found.source };
  try {
    const check = kind === 'folder' ? await verifyFolder(found.path, spec) : await verifyFile(found.path, spec);
    const sha256 = 'treeSha256' in check ? check.treeSha256 : check.sha256;
    const status = check.checkedBy === 'unchecked' ? 'unchecked' : 'ok';
    return { ...base, ...where, status, sha256, checkedBy: check.checkedBy };
  } catch (e) {
    if (!isGenbenchError(e) || e.code !== 'CHECKSUM') throw e;
    const sha256 = kind === 'file' ? await sha256File(found.path) : null;
    return { ...base, ...where, status: 'mismatch', sha256, checkedBy: null, detail: e.message };
  }
}
