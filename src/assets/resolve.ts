import { resolve } from 'node:path';
import { GenbenchError } from '../errors.js';
import { downloadFolder } from './download-folder.js';
import { downloadFile } from './download.js';
import { assetSpec, downloadUrls, findFile, findFolder, genbenchHome, isOffline, normaliseId, placesFor, type ResolveOptions } from './lookup.js';
import type { AssetSpec } from './registry.js';
import { verifyFile, verifyFolder, type CheckedBy } from './verify.js';

/** A file asset found (and checked) on disk. */
export interface ResolvedAsset {
  /** Absolute path of the file on disk. */
  readonly path: string;
  /** sha256 of the file at `path` (hex), for recipes. */
  readonly sha256: string;
  /** Where it came from. */
  readonly source: 'assets' | 'home' | 'download';
  /** Which check it passed ('unchecked' for ids the registry does not know). */
  readonly checkedBy?: CheckedBy;
}

/** A model folder asset found (and checked) on disk. */
export interface ResolvedFolder {
  /** Absolute path of the folder (holds model.json). */
  readonly path: string;
  /** Tree hash over model.json and its shards (see AssetSpec.treeSha256). */
  readonly treeSha256: string;
  readonly source: 'assets' | 'home' | 'download';
  /** model.json and its shard names, sorted. */
  readonly files: readonly string[];
  readonly checkedBy: 'tree-sha256' | 'unchecked';
}

/**
 * Finds file asset `id`: in each GENBENCH_ASSETS folder, then GENBENCH_HOME; a copy found is checked against the
 * registry (CHECKSUM error if it fails). Not found: downloaded into GENBENCH_HOME when the registry has urls and
 * downloads are allowed, else one NOT_FOUND error naming every place looked in and how to provide the file.
 * Ids the registry does not know resolve by lookup only.
 *
 * @example
 * await resolveAsset('datasets/mnist/t10k-images-idx3-ubyte.gz');
 * // { path: '/data/genbench-assets/datasets/mnist/t10k-images-idx3-ubyte.gz', sha256: '16731000...', source: 'assets', checkedBy: 'content-sha256' }
 */
export async function resolveAsset(id: string, opts: ResolveOptions = {}): Promise<ResolvedAsset> {
  const key = normaliseId(id);
  const spec = assetSpec(key, opts.registry);
  if (spec?.kind === 'folder') throw new GenbenchError('USAGE', `${key} is a model folder asset: resolve it with resolveAssetFolder`);
  const found = await findFile(key, opts);
  if (found !== undefined) return { path: found.path, source: found.source, ...(await verifyFile(found.path, spec)) };
  const dest = homePlace(key, opts);
  const urls = spec === undefined ? [] : downloadUrls(spec);
  if (spec === undefined || urls.length === 0 || isOffline(opts)) throw notFoundError(key, spec, opts);
  const check = await downloadFile(spec, urls, dest, opts.progress);
  return { path: dest, source: 'download', ...check };
}

/**
 * Finds model folder asset `id` (a TF.js model: model.json + weight shards) with the same rules as resolveAsset:
 * asset roots, then home, then a verified download; the check is the tree hash (AssetSpec.treeSha256).
 *
 * @example
 * await resolveAssetFolder('models/mobilenet_v1_0.25_224');
 * // { path: '/data/genbench-assets/models/mobilenet_v1_0.25_224', treeSha256: '05aab648...', source: 'assets', files: [...], checkedBy: 'tree-sha256' }
 */
export async function resolveAssetFolder(id: string, opts: ResolveOptions = {}): Promise<ResolvedFolder> {
  const key = normaliseId(id);
  const spec = assetSpec(key, opts.registry);
  if (spec !== undefined && spec.kind !== 'folder') throw new GenbenchError('USAGE', `${key} is a file asset: resolve it with resolveAsset`);
  const found = await findFolder(key, opts);
  if (found !== undefined) return { path: found.path, source: found.source, ...(await verifyFolder(found.path, spec)) };
  const dest = homePlace(key, opts);
  const urls = spec === undefined ? [] : downloadUrls(spec);
  if (spec === undefined || urls.length === 0 || isOffline(opts)) throw notFoundError(key, spec, opts);
  const check = await downloadFolder(spec, urls, dest, opts.progress);
  return { path: dest, source: 'download', ...check };
}

function homePlace(id: string, opts: ResolveOptions): string {
  const places = placesFor(id, opts);
  return places[places.length - 1]!.path;
}

/**
 * The one error for an asset that is neither on disk nor downloadable: names the asset, every place looked in,
 * why it was not downloaded, and how to provide it.
 *
 * @example
 * notFoundError('datasets/mnist/train-images-idx3-ubyte.gz', spec, { offline: true }).message;
 * // 'datasets/mnist/train-images-idx3-ubyte.gz: not found in /data/genbench-assets/datasets/..., /home/ada/.cache/genbench/datasets/...; offline ...'
 */
export function notFoundError(id: string, spec: AssetSpec | undefined, opts: ResolveOptions = {}): GenbenchError {
  const places = placesFor(id, opts).map((p) => p.path);
  const what = spec?.kind === 'folder' ? 'model folder (with model.json)' : 'file';
  const urls = spec === undefined ? [] : downloadUrls(spec);
  const why =
    spec === undefined
      ? 'it is not in the asset registry, so it cannot be downloaded'
      : urls.length === 0
        ? 'it has no download URL'
        : `downloads are off (offline or GENBENCH_OFFLINE=1; run 'genbench assets fetch ${id}' when online)`;
  const how = spec?.howToProvide
    ? spec.howToProvide.replaceAll('<root>', resolve(opts.home ?? genbenchHome()))
    : urls.length > 0
      ? `download ${urls[0]} into ${places[places.length - 1]}${spec?.kind === 'folder' ? ' (with every shard model.json lists)' : ''}`
      : `put it at ${places[places.length - 1]}`;
  return new GenbenchError(
    'NOT_FOUND',
    `${id}: ${what} not found in ${places.join(', ')}; ${why}; to provide it: ${how}, or set GENBENCH_ASSETS to a folder that holds ${id}`,
  );
}
