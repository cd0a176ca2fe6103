import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { GenbenchError } from '../errors.js';
import { decodeImage, resizeImage, toChannels, type DecodedImage, type ResizeSpec } from '../io/image-codec.js';
import type { ImageBatchU8 } from '../io/image.js';
import { checkArrayValues } from '../io/limits.js';
import { silentProgress, type Progress } from '../progress.js';
import { requireSplit, sliceSplit } from './split-spec.js';
import type { Dataset, DatasetSplit } from './types.js';

/**
 * A folder of PNG/JPEG images as a Dataset with one split, `all`. Files are found recursively and ordered by their
 * relative path (byte order of the '/'-separated path, so every machine sees the same order). When every image lies
 * inside a sub-folder, the top-level sub-folder names are the classes (sorted) and images are labelled by them.
 *
 * Channels: `channels` 1 or 3 forces gray or RGB; by default the folder is gray when every file is, else RGB.
 * RGBA alpha is dropped; RGB -> gray is ITU-R BT.601 luma (see io/image-codec.ts). Images of different sizes are an
 * error unless `resize` is given; the resize and the channel choice are recorded in `source.preprocessing`.
 * The recipe gets one source entry for the folder, whose sha256 is that of the manifest
 * "<sha256 of file>  <relative path>\n" over all files in order (`sha256sum`'s line format).
 */
export interface ImageFolderOptions {
  readonly resize?: ResizeSpec;
  readonly channels?: 1 | 3;
  readonly progress?: Progress;
}

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/**
 * Relative '/'-separated paths of every PNG/JPEG under `root`, sorted.
 *
 * @example
 * await listImageFiles('samples'); // ['cat/a.jpg', 'cat/b.png', 'dog/c.png']
 */
export async function listImageFiles(root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${root}: cannot read image folder (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const files = entries
    .filter((d) => d.isFile() && IMAGE_EXT.test(d.name))
    .map((d) => relative(root, join(d.parentPath, d.name)).split(sep).join('/'));
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Opens and decodes a folder of images (all of it, once).
 *
 * @example
 * const ds = await openImageFolder('samples/', { resize: parseResize('28x28', 'area'), channels: 1 });
 * (await ds.load('all')).images.n; // number of image files
 */
export async function openImageFolder(root: string, opts: ImageFolderOptions = {}): Promise<Dataset> {
  const files = await listImageFiles(root);
  if (files.length === 0) throw new GenbenchError('INPUT', `${root}: no .png, .jpg or .jpeg files found (searched recursively)`);
  const progress = opts.progress ?? silentProgress;
  const manifest = createHash('sha256');
  const decoded: DecodedImage[] = [];
  progress.start(files.length, 'decoding images');
  for (const rel of files) {
    const path = join(root, rel);
    const bytes = await readFile(path).catch((e: NodeJS.ErrnoException) => {
      throw new GenbenchError('INPUT', `${path}: cannot read image (${e.code ?? e.message})`);
    });
    manifest.update(`${createHash('sha256').update(bytes).digest('hex')}  ${rel}\n`);
    decoded.push(decodeImage(bytes, path));
    progress.tick();
  }
  progress.stop();
  const channels: 1 | 3 = opts.channels ?? (decoded.every((d) => d.channels === 1) ? 1 : 3);
  const images = stackImages(decoded, { where: files.map((f) => join(root, f)), names: files }, channels, opts.resize);
  const classes = classOf(files);
  const preprocessing: Record<string, string | number> = { channels, channelRule: 'alpha dropped; gray = BT.601 luma', ...resizeRecord(opts.resize) };
  const full: DatasetSplit = {
    images,
    ...(classes ? { labels: classes.labels } : {}),
    split: 'all',
    source: { files: [{ path: root, sha256: manifest.digest('hex') }], preprocessing },
  };
  const splits = [{ name: 'all', count: images.n }];
  return {
    name: root,
    description: `image folder ${root} (${images.n} files)`,
    license: 'unknown (a user-provided folder)',
    splits,
    shape: { height: images.height, width: images.width, channels },
    ...(classes ? { classNames: classes.names } : {}),
    async load(split: string): Promise<DatasetSplit> {
      requireSplit(root, splits, split);
      return sliceSplit(full, split);
    },
    async available(): Promise<boolean> {
      return true;
    },
  };
}

/**
 * Decoded images as one batch of `channels` channels: resized to `resize` when given, else all of the first one's
 * size (another size is an INPUT error naming the file and saying to pass --resize). `where[i]` names image i in
 * messages; `names[0]` is the first image as the message calls it.
 *
 * @example
 * stackImages(decoded, { where: ['a/x.png', 'a/y.png'], names: ['x.png', 'y.png'] }, 1, parseResize('28x28'));
 * // { data, n: 2, height: 28, width: 28, channels: 1 }
 */
export function stackImages(decoded: readonly DecodedImage[], label: { where: readonly string[]; names: readonly string[] }, channels: 1 | 3, resize: ResizeSpec | undefined): ImageBatchU8 {
  const first = decoded[0]!;
  const height = resize?.height ?? first.height;
  const width = resize?.width ?? first.width;
  const size = height * width * channels;
  checkArrayValues(decoded.length * size, `${decoded.length} images of ${height}x${width}x${channels}`);
  const data = new Uint8Array(decoded.length * size);
  decoded.forEach((img, i) => {
    if (!resize && (img.height !== height || img.width !== width)) {
      throw new GenbenchError('INPUT', `${label.where[i]}: image is ${img.height}x${img.width} but ${label.names[0]} is ${height}x${width}; pass --resize HxW (and --filter) to resize them all`);
    }
    let out = toChannels(img, channels);
    if (resize) out = resizeImage(out, resize);
    data.set(out.data, i * size);
  });
  return { data, n: decoded.length, height, width, channels };
}

/** The record of a resize for recipes and cache keys: `{ resize: '28x28', filter: 'bilinear' }`, or none. */
export function resizeRecord(resize: ResizeSpec | undefined): Record<string, string> {
  return resize === undefined ? {} : { resize: `${resize.height}x${resize.width}`, filter: resize.filter };
}

/**
 * The resize in a loading record (a folder's `source.preprocessing`, an image set's `details`), or undefined.
 *
 * @example
 * resizeOf({ channels: 1, channelRule: '...', resize: '28x28', filter: 'area' }); // { resize: '28x28', filter: 'area' }
 */
export function resizeOf(loading: Readonly<Record<string, string | number>> | undefined): Record<string, string> | undefined {
  const size = loading?.['resize'];
  return typeof size === 'string' ? { resize: size, filter: String(loading!['filter']) } : undefined;
}

/** Class labels from the first path component, when every file lies in a sub-folder. */
function classOf(files: string[]): { names: string[]; labels: Int32Array } | undefined {
  if (!files.every((f) => f.includes('/'))) return undefined;
  const top = files.map((f) => f.slice(0, f.indexOf('/')));
  const names = [...new Set(top)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { names, labels: Int32Array.from(top, (t) => names.indexOf(t)) };
}
