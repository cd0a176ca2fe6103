import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Progress } from '../progress.js';
import { ASSETS, type AssetSpec } from './registry.js';

/**
 * Where assets are looked for: every GENBENCH_ASSETS folder (read-only, in order), then GENBENCH_HOME
 * (default ~/.cache/genbench), where downloads go. Environment:
 *
 * - GENBENCH_HOME    writable cache holding `datasets/` and `models/`
 * - GENBENCH_ASSETS  read-only folders laid out the same way, separated by the path delimiter (':' or ';'); never written
 * - GENBENCH_OFFLINE=1  never touch the network
 * - GENBENCH_MIRROR  base URL(s), comma-separated, that replace the official URLs: an asset `<id>` is fetched from
 *                    `<mirror>/<id>` (a mirror is laid out like an asset root; tests point it at a local server)
 * - GENBENCH_DOWNLOAD_STALL_MS  abort a download that receives nothing for this long (default 60000)
 *
 * Downloads stream into `.<name>.<pid>.<hex>.tmp` beside the final path and are renamed into place only once
 * verified; temps left by a killed process are swept by the next download of the same asset.
 */
export interface ResolveOptions {
  readonly progress?: Progress;
  /** Never touch the network (GENBENCH_OFFLINE=1 does the same). */
  readonly offline?: boolean;
  /** Specs to use instead of the built-in registry (tests register their own small files here). */
  readonly registry?: readonly AssetSpec[];
  /** Writable asset home; default genbenchHome(). */
  readonly home?: string;
  /** Read-only asset roots; default assetRoots(). */
  readonly roots?: readonly string[];
}

/** A place an asset was or would be looked for. */
export interface Place {
  readonly path: string;
  readonly source: 'assets' | 'home';
}

/**
 * The writable asset home: GENBENCH_HOME, or ~/.cache/genbench.
 *
 * @example
 * genbenchHome(); // '/home/ada/.cache/genbench'
 */
export function genbenchHome(): string {
  return resolve(process.env['GENBENCH_HOME'] || join(homedir(), '.cache', 'genbench'));
}

/**
 * The read-only asset roots from GENBENCH_ASSETS, absolute, in order.
 *
 * @example
 * process.env.GENBENCH_ASSETS = 'assets:/data/more'; assetRoots(); // [resolve('assets'), '/data/more']
 */
export function assetRoots(): string[] {
  const list = (process.env['GENBENCH_ASSETS'] ?? '').split(delimiter).filter((s) => s.length > 0);
  return list.map((p) => resolve(p));
}

/**
 * The registry entry for `id` (trailing '/' ignored), or undefined for ids the registry does not know.
 *
 * @example
 * assetSpec('models/mobilenet_v1_0.25_224/')?.kind; // 'folder'
 */
export function assetSpec(id: string, registry: readonly AssetSpec[] = ASSETS): AssetSpec | undefined {
  const key = normaliseId(id);
  return registry.find((a) => a.id === key);
}

/** `id` without leading './' or trailing '/'. */
export function normaliseId(id: string): string {
  return id.replace(/^\.\/+/, '').replace(/\/+$/, '');
}

/** True when downloads are off: opts.offline, or GENBENCH_OFFLINE set to 1/true/yes. */
export function isOffline(opts: ResolveOptions = {}): boolean {
  return opts.offline === true || /^(1|true|yes)$/i.test(process.env['GENBENCH_OFFLINE'] ?? '');
}

/**
 * The URLs a download tries, in order: GENBENCH_MIRROR bases joined with the id when set, else the spec's urls.
 * For a folder asset the URL names its model.json.
 *
 * @example
 * process.env.GENBENCH_MIRROR = 'http://127.0.0.1:8080/';
 * downloadUrls(assetSpec('datasets/mnist/t10k-labels-idx1-ubyte.gz')!);
 * // ['http://127.0.0.1:8080/datasets/mnist/t10k-labels-idx1-ubyte.gz']
 */
export function downloadUrls(spec: AssetSpec): string[] {
  const mirrors = (process.env['GENBENCH_MIRROR'] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (mirrors.length === 0) return [...spec.urls];
  const rel = spec.kind === 'folder' ? `${spec.id}/model.json` : spec.id;
  return mirrors.map((m) => (m.endsWith('/') ? m : m + '/') + rel);
}

/** Every place `id` is looked for, in order: asset roots first, then the home. */
export function placesFor(id: string, opts: ResolveOptions = {}): Place[] {
  const roots = opts.roots ?? assetRoots();
  const home = opts.home ?? genbenchHome();
  return [
    ...roots.map((r) => ({ path: join(resolve(r), id), source: 'assets' as const })),
    { path: join(resolve(home), id), source: 'home' as const },
  ];
}

/** The first place holding a regular file `id`, or undefined. */
export async function findFile(id: string, opts: ResolveOptions = {}): Promise<Place | undefined> {
  for (const place of placesFor(id, opts)) if (await isKind(place.path, 'file')) return place;
  return undefined;
}

/** The first place holding folder `id` (with a model.json when `needModelJson`), or undefined. */
export async function findFolder(id: string, opts: ResolveOptions = {}, needModelJson = true): Promise<Place | undefined> {
  for (const place of placesFor(id, opts)) {
    if (!(await isKind(place.path, 'dir'))) continue;
    if (!needModelJson || (await isKind(join(place.path, 'model.json'), 'file'))) return place;
  }
  return undefined;
}

async function isKind(path: string, kind: 'file' | 'dir'): Promise<boolean> {
  try {
    const s = await stat(path);
    return kind === 'file' ? s.isFile() : s.isDirectory();
  } catch {
    return false;
  }
}
