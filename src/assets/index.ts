import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { GenbenchError } from '../errors.js';
import type { Progress } from '../progress.js';
import { ASSETS, type AssetSpec } from './registry.js';

/**
 * Asset lookup: GENBENCH_ASSETS folders (read-only, looked in first, separated by ':'), then GENBENCH_HOME
 * (default ~/.cache/genbench), then a verified download into GENBENCH_HOME.
 * (Interim version: lookup only; the download path is being written.)
 */
export interface ResolvedAsset {
  /** Absolute path of the file on disk. */
  readonly path: string;
  /** sha256 of the file at `path` (hex), for recipes. */
  readonly sha256: string;
  /** Where it came from. */
  readonly source: 'assets' | 'home' | 'download';
}

export interface ResolveOptions {
  readonly progress?: Progress;
  /** Never touch the network (GENBENCH_OFFLINE=1 does the same). */
  readonly offline?: boolean;
}

export function genbenchHome(): string {
  return resolve(process.env['GENBENCH_HOME'] || join(homedir(), '.cache', 'genbench'));
}

export function assetRoots(): string[] {
  const list = (process.env['GENBENCH_ASSETS'] ?? '').split(delimiter).filter((s) => s.length > 0);
  return list.map((p) => resolve(p));
}

export function assetSpec(id: string): AssetSpec | undefined {
  return ASSETS.find((a) => a.id === id);
}

export async function resolveAsset(id: string, _opts: ResolveOptions = {}): Promise<ResolvedAsset> {
  const places = [...assetRoots().map((r) => ({ root: r, source: 'assets' as const })), { root: genbenchHome(), source: 'home' as const }];
  for (const { root, source } of places) {
    const path = join(root, id);
    try {
      await access(path);
    } catch {
      continue;
    }
    return { path, sha256: await sha256File(path), source };
  }
  throw new GenbenchError('NOT_FOUND', `${id}: not found in ${places.map((p) => p.root).join(', ')}`);
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export type { AssetSpec };
