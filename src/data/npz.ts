import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';
import type { ImageBatchU8 } from '../io/image.js';
import { checkPixels } from '../io/limits.js';
import { parseNpy, parseNpyHeader, type NpyArray } from '../io/npy.js';
import { requireSplit, sliceSplit } from './split-spec.js';
import type { Dataset, DatasetSplit, SplitInfo } from './types.js';
import { listZip, readZipMember, readZipMemberPrefix, type ZipEntry } from './zip.js';

/**
 * NumPy `.npz` archives in the MedMNIST convention: a zip (stored or deflated) whose members are `.npy` arrays named
 * `<split>_images.npy` (uint8, [N, H, W] or [N, H, W, C] with C = 1 or 3) and optionally `<split>_labels.npy`
 * (integers, [N] or [N, 1]).
 *
 * Decompression bombs are refused before anything is inflated: every member read must declare the size its `.npy`
 * header calls for (the header is inflated alone first), members inflate to their declared size and no further,
 * and the members read together stay within GENBENCH_MAX_NPZ_BYTES (default 2 GiB of uncompressed data).
 */
export const DEFAULT_MAX_NPZ_BYTES = 2 ** 31;

/**
 * The budget of uncompressed bytes read from one archive: GENBENCH_MAX_NPZ_BYTES, else 2 GiB.
 *
 * @example
 * maxNpzBytes(); // 2147483648
 */
export function maxNpzBytes(): number {
  const raw = process.env['GENBENCH_MAX_NPZ_BYTES'];
  if (raw === undefined || raw === '') return DEFAULT_MAX_NPZ_BYTES;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new GenbenchError('USAGE', `GENBENCH_MAX_NPZ_BYTES='${raw}': expected a positive integer number of bytes`);
  }
  return n;
}

/**
 * The bytes of a file plus its sha256, read once; a missing file is NOT_FOUND naming it.
 *
 * @example
 * await readWithHash('x.npz'); // { bytes: Buffer(...), sha256: '3f1a...' }
 */
export async function readWithHash(path: string): Promise<{ bytes: Uint8Array; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Unzips an `.npz` and parses its `.npy` members (only those `keep` accepts, by name without '.npy').
 *
 * @example
 * parseNpz(bytes, 'x.npz').get('test_images')?.shape; // [468, 28, 28]
 */
export function parseNpz(bytes: Uint8Array, name: string, keep: (member: string) => boolean = () => true): Map<string, NpyArray> {
  const entries = listZip(bytes, name).filter((e) => e.name.endsWith('.npy') && keep(e.name.slice(0, -4)));
  checkBudget(entries, name);
  for (const e of entries) checkDeclaredSize(bytes, e, name);
  const out = new Map<string, NpyArray>();
  for (const e of entries) out.set(e.name.slice(0, -4), parseNpy(readZipMember(bytes, e, name), `${name}:${e.name}`));
  return out;
}

/** The declared uncompressed sizes of the members to read, together, within the budget. */
function checkBudget(entries: readonly ZipEntry[], name: string): void {
  const total = entries.reduce((a, e) => a + e.size, 0);
  const limit = maxNpzBytes();
  if (total > limit) {
    const big = entries.reduce((a, e) => (e.size > a.size ? e : a));
    throw new GenbenchError(
      'INPUT',
      `${name}: members to read declare ${gb(total)} GB uncompressed (${big.name}: ${gb(big.size)} GB from ${gb(big.compressedSize)} GB compressed), over the limit of ${gb(limit)} GB (raise GENBENCH_MAX_NPZ_BYTES to allow it)`,
    );
  }
}

/** A member's declared size must be what its own .npy header calls for (read by inflating the header alone). */
function checkDeclaredSize(bytes: Uint8Array, e: ZipEntry, name: string): void {
  const where = `${name}:${e.name}`;
  const h = parseNpyHeader(readZipMemberPrefix(bytes, e, name, 65536 + 12), where);
  if (/_images\.npy$/.test(e.name) && h.shape.length >= 3) checkPixels(h.shape[2]!, h.shape[1]!, `${where}: images`);
  const want = h.dataOffset + h.dataBytes;
  if (e.size < want) throw new GenbenchError('INPUT', `${where}: truncated: header says ${h.shape.join('x')} ${h.dtype} (${want} bytes with the header) but the member declares ${e.size} bytes`);
  if (e.size > want + 4096) throw new GenbenchError('INPUT', `${where}: declares ${e.size} bytes but its header says ${h.shape.join('x')} ${h.dtype} (${want} bytes); the archive is corrupt`);
}

function gb(bytes: number): string {
  return (bytes / 1e9).toPrecision(3);
}

/**
 * Split names in an archive (members `<split>_images.npy`), canonical ones first: train, val, test, then the rest.
 *
 * @example
 * npzSplitNames(bytes, 'pneumoniamnist.npz'); // ['train', 'val', 'test']
 */
export function npzSplitNames(bytes: Uint8Array, name: string): string[] {
  const names: string[] = [];
  for (const e of listZip(bytes, name)) {
    const m = /^(.+)_images\.npy$/.exec(e.name);
    if (m) names.push(m[1]!);
  }
  const order = (s: string): number => (['train', 'val', 'test'].indexOf(s) + 4) % 4;
  return names.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
}

/**
 * Validates one split's arrays and converts them to an image batch and Int32 labels.
 *
 * @example
 * npzSplitArrays(parseNpz(bytes, 'p.npz'), 'test', 'p.npz'); // { images: { n: 468, ... }, labels: Int32Array(468) }
 */
export function npzSplitArrays(arrays: Map<string, NpyArray>, split: string, name: string): { images: ImageBatchU8; labels?: Int32Array } {
  const img = arrays.get(`${split}_images`);
  if (!img) throw new GenbenchError('INPUT', `${name}: no member ${split}_images.npy`);
  const where = `${name}:${split}_images.npy`;
  if (img.dtype !== 'uint8') throw new GenbenchError('UNSUPPORTED', `${where}: images must be uint8, got ${img.dtype}; save with a.astype(np.uint8)`);
  const [n, height, width, channels = 1] = img.shape as number[];
  if ((img.shape.length !== 3 && img.shape.length !== 4) || (channels !== 1 && channels !== 3)) {
    throw new GenbenchError('UNSUPPORTED', `${where}: shape (${img.shape.join(', ')}) is not [N,H,W] or [N,H,W,C] with C 1 or 3`);
  }
  const images: ImageBatchU8 = { data: img.data as Uint8Array, n: n!, height: height!, width: width!, channels };
  const lab = arrays.get(`${split}_labels`);
  if (!lab) return { images };
  return { images, labels: toLabels(lab, n!, `${name}:${split}_labels.npy`) };
}

function toLabels(lab: NpyArray, n: number, where: string): Int32Array {
  const ok = (lab.shape.length === 1 || (lab.shape.length === 2 && lab.shape[1] === 1)) && lab.shape[0] === n;
  if (!ok) throw new GenbenchError('INPUT', `${where}: shape (${lab.shape.join(', ')}) should be (${n},) or (${n}, 1), one label per image`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Number(lab.data[i]);
    if (!Number.isInteger(v) || v < 0 || v > 1e6) throw new GenbenchError('INPUT', `${where}: label ${v} at index ${i} is not a class index`);
    out[i] = v;
  }
  return out;
}

/**
 * Opens any `.npz` following the member convention as a Dataset (read and unzipped once, then served from memory).
 * Class names are '0'..'K-1' where K is one more than the largest label.
 *
 * @example
 * const ds = await openNpzDataset('my-data.npz');
 * ds.splits; // [{ name: 'train', count: 5000 }, { name: 'test', count: 1000 }]
 */
export async function openNpzDataset(path: string): Promise<Dataset> {
  const { bytes, sha256 } = await readWithHash(path);
  const names = npzSplitNames(bytes, path);
  if (names.length === 0) throw new GenbenchError('INPUT', `${path}: no member named <split>_images.npy (e.g. test_images.npy)`);
  const arrays = parseNpz(bytes, path, (m) => /_(images|labels)$/.test(m));
  const loaded = new Map(names.map((s) => [s, npzSplitArrays(arrays, s, path)] as const));
  const first = loaded.get(names[0]!)!.images;
  let maxLabel = -1;
  for (const [s, { images, labels }] of loaded) {
    if (images.height !== first.height || images.width !== first.width || images.channels !== first.channels) {
      throw new GenbenchError('INPUT', `${path}: split '${s}' has images of ${images.height}x${images.width}x${images.channels}, split '${names[0]}' of ${first.height}x${first.width}x${first.channels}`);
    }
    if (labels) for (const l of labels) maxLabel = Math.max(maxLabel, l);
  }
  const splits: SplitInfo[] = names.map((s) => ({ name: s, count: loaded.get(s)!.images.n }));
  return {
    name: path,
    description: `NumPy archive ${path}`,
    license: 'unknown (a user-provided file)',
    splits,
    shape: { height: first.height, width: first.width, channels: first.channels },
    ...(maxLabel >= 0 ? { classNames: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)) } : {}),
    async load(split: string): Promise<DatasetSplit> {
      const info = requireSplit(path, splits, split);
      const { images, labels } = loaded.get(info.name)!;
      const full: DatasetSplit = { images, ...(labels ? { labels } : {}), split: info.name, source: { files: [{ path, sha256 }] } };
      return sliceSplit(full, split);
    },
    async available(): Promise<boolean> {
      return true;
    },
  };
}
