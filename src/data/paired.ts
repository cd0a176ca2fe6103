import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { decodeImage, toChannels } from '../io/image-codec.js';
import type { ValueRange } from '../io/image.js';
import type { NpyArray } from '../io/npy.js';
import { listImageFiles } from './image-folder.js';
import { parseNpz, readWithHash } from './npz.js';
import { formatSplit, requireSplit, resolveSlice, splitRowIndices } from './split-spec.js';
import type { LoadOptions, SourceFile, SplitInfo } from './types.js';

/**
 * Paired data for image-to-image translation: image i of `source` is translated and compared with image i of
 * `target`. Pairs come from
 * - an `.npz` with arrays `source` and `target`: [N,H,W] or [N,H,W,C] (C 1 or 3), uint8 (range 0..255) or float
 *   with a stated value range (`range`, e.g. [0, 1]); both of one kind, the same N, H and W (channels may differ);
 * - a folder with `source/` and `target/` whose PNG/JPEG files pair by relative path (every name on both sides);
 * - a volume task (volume-task.ts): slices of two volumes on one grid.
 * Each has the one split `all` (a task: `train` and `test`), sliced like any split (`all[:100]`, `all~0[:50]`).
 * Errors name the file and say what is wrong: a missing array, an N mismatch, an unpaired file name, shapes that
 * differ, values outside the stated range.
 *
 * @example
 * const p = await openPairs('pairs.npz');
 * const s = await p.load('all');
 * s.source.n === s.target.n; // true
 */
export interface PairImages {
  /** NHWC values in `range` (uint8 as stored, or float). */
  readonly data: Uint8Array | Float32Array | Float64Array;
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly range: ValueRange;
}

export interface PairedSplit {
  readonly source: PairImages;
  readonly target: PairImages;
  /** The normalised split expression. */
  readonly split: string;
  /** One name per pair (file names, slice indices), when the pairs have names. */
  readonly names?: readonly string[];
  readonly files: readonly SourceFile[];
  /** How the pairs were made (a task's slicing protocol), for recipes. */
  readonly preprocessing?: Readonly<Record<string, string | number>>;
  /** Present when the targets are label maps (pixel value = label, 0 background, 1..labels regions): scored by Dice. */
  readonly segmentation?: { readonly labels: number };
}

export interface PairedDataset {
  readonly name: string;
  readonly description: string;
  readonly license: string;
  readonly splits: readonly SplitInfo[];
  /** The protocol of a task (how pairs are made and split), shown by `genbench datasets show`. */
  readonly protocol?: Readonly<Record<string, string | number>>;
  load(split: string, opts?: LoadOptions): Promise<PairedSplit>;
}

/** Options of the .npz and folder readers. */
export interface PairsOptions {
  /** Value range of float arrays (required for them; uint8 is 0..255). */
  readonly range?: ValueRange;
}

/**
 * An `.npz` of `source` / `target` arrays, or a folder of `source/` and `target/`, as a PairedDataset.
 *
 * @example
 * await openPairs('pairs/');                      // folder: pairs by file name
 * await openPairs('p.npz', { range: [0, 1] });    // float arrays in [0, 1]
 */
export async function openPairs(path: string, opts: PairsOptions = {}): Promise<PairedDataset> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new GenbenchError('NOT_FOUND', `${path}: no such file or folder (give an .npz with arrays source and target, or a folder with source/ and target/)`);
  const full = info.isDirectory() ? await folderPairs(path) : await npzPairs(path, opts);
  checkSameSize(full, path);
  const splits: SplitInfo[] = [{ name: 'all', count: full.source.n }];
  return {
    name: path,
    description: `image pairs ${path} (${full.source.n} pairs)`,
    license: 'unknown (user-provided data)',
    splits,
    async load(split: string): Promise<PairedSplit> {
      requireSplit(path, splits, split);
      return slicePairs(full, split);
    },
  };
}

async function npzPairs(path: string, opts: PairsOptions): Promise<PairedSplit> {
  if (!path.toLowerCase().endsWith('.npz')) throw new GenbenchError('USAGE', `${path}: expected an .npz with arrays source and target, or a folder with source/ and target/`);
  const { bytes, sha256 } = await readWithHash(path);
  const arrays = parseNpz(bytes, path, (m) => m === 'source' || m === 'target');
  const get = (role: 'source' | 'target'): NpyArray => {
    const a = arrays.get(role);
    if (a === undefined) throw new GenbenchError('INPUT', `${path}: no array '${role}'; save the pairs with np.savez(path, source=..., target=...)`);
    return a;
  };
  const [s, t] = [get('source'), get('target')];
  if ((s.dtype === 'uint8') !== (t.dtype === 'uint8')) throw new GenbenchError('INPUT', `${path}: source is ${s.dtype} but target is ${t.dtype}; bring both to one scale (uint8 0..255, or float)`);
  const range = s.dtype === 'uint8' ? ([0, 255] as const) : opts.range;
  if (range === undefined) throw new GenbenchError('USAGE', `${path}: source and target are ${s.dtype}; state their value range with --pairs-range LO,HI (e.g. 0,1)`);
  const source = toPairImages(s, range, `${path}:source`);
  const target = toPairImages(t, range, `${path}:target`);
  if (source.n !== target.n) throw new GenbenchError('INPUT', `${path}: source holds ${source.n} images but target ${target.n}; pairs need one target per source image`);
  return { source, target, split: 'all', files: [{ path, sha256 }] };
}

function toPairImages(a: NpyArray, range: ValueRange, where: string): PairImages {
  if (a.dtype !== 'uint8' && !a.dtype.startsWith('float')) throw new GenbenchError('INPUT', `${where}: dtype ${a.dtype} is not an image dtype; save uint8 or float images`);
  const [n, height, width, channels = 1] = a.shape as number[];
  if ((a.shape.length !== 3 && a.shape.length !== 4) || (channels !== 1 && channels !== 3)) {
    throw new GenbenchError('INPUT', `${where}: shape (${a.shape.join(', ')}) is not [N,H,W] or [N,H,W,C] with C 1 or 3`);
  }
  const data = a.data as Uint8Array | Float32Array | Float64Array;
  if (a.dtype !== 'uint8') checkInRange(data, range, where);
  return { data, n: n!, height: height!, width: width!, channels, range };
}

/** Every value finite and within the stated range (a small tolerance for float rounding). */
function checkInRange(data: ArrayLike<number>, [lo, hi]: ValueRange, where: string): void {
  const eps = (hi - lo) * 1e-6;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!(v >= lo - eps && v <= hi + eps)) {
      throw new GenbenchError('INPUT', `${where}: value ${v} at flat index ${i} is outside the stated range [${lo}, ${hi}]; fix --pairs-range`);
    }
  }
}

async function folderPairs(root: string): Promise<PairedSplit> {
  const [sDir, tDir] = [join(root, 'source'), join(root, 'target')];
  for (const d of [sDir, tDir]) {
    if (!(await stat(d).catch(() => null))?.isDirectory()) throw new GenbenchError('INPUT', `${root}: no folder ${d}; paired folders hold source/ and target/ with files of the same names`);
  }
  const [sFiles, tFiles] = [await listImageFiles(sDir), await listImageFiles(tDir)];
  const tSet = new Set(tFiles);
  const sSet = new Set(sFiles);
  const lone = sFiles.find((f) => !tSet.has(f));
  if (lone !== undefined) throw new GenbenchError('INPUT', `${join(sDir, lone)}: no file of that name in ${tDir}; every source image needs its target`);
  const orphan = tFiles.find((f) => !sSet.has(f));
  if (orphan !== undefined) throw new GenbenchError('INPUT', `${join(tDir, orphan)}: no file of that name in ${sDir}; every target image needs its source`);
  if (sFiles.length === 0) throw new GenbenchError('INPUT', `${sDir}: no .png, .jpg or .jpeg files found`);
  const manifest = createHash('sha256');
  const source = await decodeAll(sDir, sFiles, 'source', manifest);
  const target = await decodeAll(tDir, tFiles, 'target', manifest);
  return { source, target, split: 'all', names: sFiles, files: [{ path: root, sha256: manifest.digest('hex') }] };
}

/** Decodes a side's files in name order into one batch (gray when every file is gray, else RGB); sizes must agree. */
async function decodeAll(dir: string, files: readonly string[], role: string, manifest: ReturnType<typeof createHash>): Promise<PairImages> {
  const decoded = [];
  for (const rel of files) {
    const path = join(dir, rel);
    const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
      throw new GenbenchError('INPUT', `${path}: cannot read image (${e.code ?? e.message})`);
    });
    manifest.update(`${createHash('sha256').update(bytes).digest('hex')}  ${role}/${rel}\n`);
    decoded.push(decodeImage(bytes, path));
  }
  const channels: 1 | 3 = decoded.every((d) => d.channels === 1) ? 1 : 3;
  const { height, width } = decoded[0]!;
  const data = new Uint8Array(decoded.length * height * width * channels);
  decoded.forEach((img, i) => {
    if (img.height !== height || img.width !== width) {
      throw new GenbenchError('INPUT', `${join(dir, files[i]!)}: image is ${img.height}x${img.width} but ${join(dir, files[0]!)} is ${height}x${width}; pairs need images of one size`);
    }
    data.set(toChannels(img, channels).data, i * height * width * channels);
  });
  return { data, n: decoded.length, height, width, channels, range: [0, 255] };
}

/** Source and target images of one height and width (the translator maps one to the other, pixel for pixel). */
function checkSameSize(p: PairedSplit, path: string): void {
  const { source: s, target: t } = p;
  if (s.height !== t.height || s.width !== t.width) {
    throw new GenbenchError('INPUT', `${path}: source images are ${s.height}x${s.width} but target images ${t.height}x${t.width}; pairs need images of one size`);
  }
  if (s.n === 0) throw new GenbenchError('INPUT', `${path}: holds no pairs`);
}

/**
 * Applies a split expression to fully loaded pairs (rows copied, names kept with their pairs).
 *
 * @example
 * slicePairs(all, 'all[:8]').source.n; // 8
 */
export function slicePairs(full: PairedSplit, expr: string): PairedSplit {
  const n = full.source.n;
  const { name, shuffle, start, stop } = resolveSlice(expr, n);
  if (shuffle === undefined && start === 0 && stop === n) return { ...full, split: name };
  const rows = splitRowIndices(expr, n);
  return {
    ...full,
    source: takePairRows(full.source, rows),
    target: takePairRows(full.target, rows),
    split: formatSplit(name, start, stop, n, shuffle),
    ...(full.names === undefined ? {} : { names: Array.from(rows, (r) => full.names![r]!) }),
  };
}

/** The images at `rows` of one side, copied. */
export function takePairRows(b: PairImages, rows: Int32Array): PairImages {
  const size = b.height * b.width * b.channels;
  const data = new (b.data.constructor as new (n: number) => PairImages['data'])(rows.length * size);
  rows.forEach((r, i) => data.set(b.data.subarray(r * size, (r + 1) * size), i * size));
  return { ...b, data, n: rows.length };
}
