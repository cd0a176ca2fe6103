import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { sha256File } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { decodeImage, type ResizeSpec } from '../io/image-codec.js';
import { toUint8, type ImageBatchU8, type ValueRange } from '../io/image.js';
import { checkPixels } from '../io/limits.js';
import { parseNpyHeader, readNpy, readNpyHeader, type NpyArray } from '../io/npy.js';
import { openImageFolder, resizeRecord, stackImages } from './image-folder.js';
import { maxNpzBytes, parseNpz, readWithHash } from './npz.js';
import { listZip, readZipMember, readZipMemberPrefix } from './zip.js';

/**
 * A set of images given as they are, to score without a generator (`genbench evaluate --generated`, `genbench
 * features --input`): a folder of PNG/JPEG files (image-folder.ts: sorted by relative path), a `.zip` of PNG/JPEG
 * files (sorted by member name), a `.npy` array, or one array of a `.npz` (the member `images`, else the only one).
 *
 * Arrays: uint8 as they are (what `genbench sample --out` writes: [N, H, W, C]); float16/32/64 need their value
 * `range` and are quantised like a generator's samples (io/image.ts toUint8). Shapes [N, H, W], [N, H, W, C] or
 * [N, C, H, W] (C = 1 or 3; channels first only when the last axis cannot be channels) are read as NHWC.
 * `files` holds the sha256 of what was read by name (a folder: the sha256 of its "<sha256>  <path>" manifest).
 *
 * @example
 * const set = await loadImageSet('samples.npy');
 * set.images.n;   // 64
 * set.files;      // { 'samples.npy': '9c1e...' }
 * set.details;    // { source: 'npy', dtype: 'uint8', shape: '64x28x28x1', layout: 'NHWC' }
 */
export interface ImageSet {
  /** The file or folder name without its extension. */
  readonly name: string;
  /** Absolute path. */
  readonly path: string;
  readonly files: Record<string, string>;
  readonly images: ImageBatchU8;
  /** How the images were read (source kind, dtype, shape, layout, range), for the report. */
  readonly details: Record<string, string | number>;
}

export interface ImageSetOptions {
  /** Value range of float arrays, e.g. [-1, 1] or [0, 1]; uint8 arrays and image files need none. */
  readonly range?: ValueRange;
  /** Resize every image of a folder or .zip (image files of several sizes need it); arrays are read as they are. */
  readonly resize?: ResizeSpec;
  /** The flag that gives `range`, named in messages (default --generated-range). */
  readonly rangeFlag?: string;
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/**
 * Reads a set of images (see ImageSet): headers and sizes are checked before pixel data is read or decoded.
 *
 * @example
 * (await loadImageSet('pngs/')).images;                            // { n: 64, height: 28, width: 28, channels: 1, data }
 * await loadImageSet('x.npy', { range: [-1, 1] });                 // float32 samples, quantised like a generator's
 */
export async function loadImageSet(path: string, opts: ImageSetOptions = {}): Promise<ImageSet> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: no such file or folder (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const abs = resolve(path);
  const name = basename(abs).replace(/\.(npy|npz|zip)$/i, '');
  if (isDir) return fromFolder(path, abs, name, opts.resize);
  const lower = path.toLowerCase();
  if (lower.endsWith('.npy')) return fromNpy(path, abs, name, opts);
  if (lower.endsWith('.npz')) return fromNpz(path, abs, name, opts);
  if (lower.endsWith('.zip')) return fromZip(path, abs, name, opts.resize);
  throw new GenbenchError('USAGE', `${path}: expected a folder of PNG/JPEG images, a .zip of them, a .npy or a .npz of images`);
}

async function fromFolder(path: string, abs: string, name: string, resize: ResizeSpec | undefined): Promise<ImageSet> {
  const ds = await openImageFolder(path, resize === undefined ? {} : { resize });
  const split = await ds.load('all');
  const details = { source: 'folder', count: split.images.n, shape: shapeText(split.images), hash: 'sha256 of the "<sha256>  <relative path>" lines of the files in path order', ...resizeRecord(resize) };
  return { name, path: abs, files: { [`${basename(abs)}/`]: split.source.files[0]!.sha256 }, images: split.images, details };
}

async function fromNpy(path: string, abs: string, name: string, opts: ImageSetOptions): Promise<ImageSet> {
  const h = await readNpyHeader(path);
  checkImageArray(h.dtype, h.shape, path, opts.range, opts.rangeFlag);
  const array = await readNpy(path);
  const { images, layout } = toImages(array, path, opts.range);
  const details = { source: 'npy', dtype: array.dtype, shape: array.shape.join('x'), layout, ...rangeDetail(array, opts.range) };
  return { name, path: abs, files: { [basename(abs)]: await sha256File(path) }, images, details };
}

async function fromNpz(path: string, abs: string, name: string, opts: ImageSetOptions): Promise<ImageSet> {
  const { bytes, sha256 } = await readWithHash(path);
  const entries = listZip(bytes, path).filter((e) => e.name.endsWith('.npy'));
  const members = entries.map((e) => e.name.slice(0, -4));
  const member = members.includes('images') ? 'images' : members.length === 1 ? members[0]! : undefined;
  if (member === undefined) throw new GenbenchError('INPUT', `${path}: name the image array 'images' (np.savez(f, images=x)) or store only one array; members: ${members.join(', ') || 'none'}`);
  const where = `${path}:${member}.npy`;
  const h = parseNpyHeader(readZipMemberPrefix(bytes, entries[members.indexOf(member)]!, path, 65536 + 12), where);
  checkImageArray(h.dtype, h.shape, where, opts.range, opts.rangeFlag); // before the member is inflated
  const array = parseNpz(bytes, path, (m) => m === member).get(member)!;
  const { images, layout } = toImages(array, where, opts.range);
  const details = { source: 'npz', member, dtype: array.dtype, shape: array.shape.join('x'), layout, ...rangeDetail(array, opts.range) };
  return { name, path: abs, files: { [basename(abs)]: sha256 }, images, details };
}

async function fromZip(path: string, abs: string, name: string, resize: ResizeSpec | undefined): Promise<ImageSet> {
  const { bytes, sha256 } = await readWithHash(path);
  const entries = listZip(bytes, path)
    .filter((e) => IMAGE_EXT.test(e.name) && !e.name.startsWith('__MACOSX/'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (entries.length === 0) throw new GenbenchError('INPUT', `${path}: no .png, .jpg or .jpeg members`);
  const declared = entries.reduce((s, e) => s + e.size, 0);
  if (declared > maxNpzBytes()) throw new GenbenchError('INPUT', `${path}: its images declare ${declared} bytes, over the limit of ${maxNpzBytes()} (raise GENBENCH_MAX_NPZ_BYTES to allow it)`);
  const where = entries.map((e) => `${path}:${e.name}`);
  const decoded = entries.map((e, i) => decodeImage(readZipMember(bytes, e, path), where[i]!));
  const channels: 1 | 3 = decoded.every((d) => d.channels === 1) ? 1 : 3;
  const images = stackImages(decoded, { where, names: entries.map((e) => e.name) }, channels, resize);
  const details = { source: 'zip', count: images.n, shape: shapeText(images), order: 'member names, sorted', channelRule: 'alpha dropped; gray = BT.601 luma', ...resizeRecord(resize) };
  return { name, path: abs, files: { [basename(abs)]: sha256 }, images, details };
}

/** dtype, rank, channels and pixel budget of an image array, from its header (before its data is read). */
function checkImageArray(dtype: string, shape: readonly number[], where: string, range: ValueRange | undefined, flag = '--generated-range'): void {
  if (dtype !== 'uint8' && !dtype.startsWith('float')) throw new GenbenchError('INPUT', `${where}: dtype ${dtype} is not an image dtype; save uint8 images (or float with ${flag})`);
  if (dtype !== 'uint8' && range === undefined) throw new GenbenchError('USAGE', `${where}: ${dtype} images need their value range: pass ${flag} -1,1 (or 0,1 or 0,255); uint8 images need none`);
  const l = layoutOf(shape);
  if (l === undefined) throw new GenbenchError('INPUT', `${where}: expected images [N,H,W], [N,H,W,C] or [N,C,H,W] with C 1 or 3, got shape (${shape.join(', ')})`);
  checkPixels(l.width, l.height, where);
  if (shape[0]! < 2) throw new GenbenchError('INPUT', `${where}: ${shape[0]} image${shape[0] === 1 ? '' : 's'}; at least 2 are needed`);
}

function layoutOf(s: readonly number[]): { layout: 'NHWC' | 'NCHW'; height: number; width: number; channels: number } | undefined {
  const ch = (c: number | undefined) => c === 1 || c === 3;
  if (s.length === 3) return { layout: 'NHWC', height: s[1]!, width: s[2]!, channels: 1 };
  if (s.length !== 4) return undefined;
  if (ch(s[3])) return { layout: 'NHWC', height: s[1]!, width: s[2]!, channels: s[3]! };
  if (ch(s[1])) return { layout: 'NCHW', height: s[2]!, width: s[3]!, channels: s[1]! };
  return undefined;
}

function toImages(a: NpyArray, where: string, range: ValueRange | undefined): { images: ImageBatchU8; layout: string } {
  const l = layoutOf(a.shape)!;
  const n = a.shape[0]!;
  let data: Uint8Array;
  if (a.dtype === 'uint8') data = a.data as Uint8Array;
  else {
    for (let i = 0; i < a.data.length; i++) {
      if (!Number.isFinite(a.data[i]!)) throw new GenbenchError('INPUT', `${where}: non-finite pixel value ${a.data[i]} at flat index ${i}`);
    }
    data = toUint8({ data: Float32Array.from(a.data), n, height: l.height, width: l.width, channels: l.channels, range: range! }).data;
  }
  if (l.layout === 'NCHW') data = nchwToNhwcU8(data, n, l.channels, l.height, l.width);
  return { images: { data, n, height: l.height, width: l.width, channels: l.channels }, layout: l.layout };
}

function nchwToNhwcU8(src: Uint8Array, n: number, c: number, h: number, w: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) for (let p = 0; p < plane; p++) out[(i * plane + p) * c + k] = src[(i * c + k) * plane + p]!;
  return out;
}

function rangeDetail(a: NpyArray, range: ValueRange | undefined): Record<string, string> {
  return a.dtype === 'uint8' || range === undefined ? {} : { range: `[${range[0]},${range[1]}]`, quantisation: 'uint8 as for generator samples' };
}

function shapeText(b: ImageBatchU8): string {
  return `${b.n}x${b.height}x${b.width}x${b.channels}`;
}

/**
 * A value range from the command line: '-1,1', '[0,1]' or '0,255'.
 *
 * @example
 * parseValueRange('-1,1'); // [-1, 1]
 */
export function parseValueRange(text: string, flag = '--generated-range'): ValueRange {
  const m = /^\[?\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]?$/.exec(text);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && hi > lo)) throw new GenbenchError('USAGE', `${flag}: expected LO,HI with LO < HI, e.g. -1,1 or 0,1, got '${text}'`);
  return [lo, hi];
}
