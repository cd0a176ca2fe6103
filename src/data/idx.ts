import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { GenbenchError } from '../errors.js';
import type { ImageBatchU8 } from '../io/image.js';

/**
 * IDX files (LeCun's MNIST format): magic 0x00 0x00, a type byte (0x08 = unsigned byte, the only type accepted),
 * the number of dimensions, then each dimension as a big-endian uint32, then the values in row-major order.
 * Files may be gzip-compressed (detected by the 0x1f 0x8b magic, not by the file name).
 */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Parses IDX bytes (raw or gzip); `name` (usually the path) appears in every error.
 *
 * @example
 * parseIdx(readFileSync('t10k-labels-idx1-ubyte.gz'), 't10k-labels...'); // { dims: [10000], data: Uint8Array(10000) }
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const fail = (what: string): never => {
    throw new GenbenchError('INPUT', `${name}: ${what}`);
  };
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = gunzipSync(bytes);
    } catch (e) {
      return fail(`corrupt or truncated gzip data (${(e as Error).message}); download the file again`);
    }
  }
  if (raw.length < 4 || raw[0] !== 0 || raw[1] !== 0) return fail('not an IDX file (bad magic number); expected an MNIST-style idx file');
  if (raw[2] !== 0x08) return fail(`IDX type 0x${raw[2]!.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const ndims = raw[3]!;
  if (ndims < 1 || ndims > 4) return fail(`IDX header declares ${ndims} dimensions (expected 1 to 4)`);
  const headerLen = 4 + 4 * ndims;
  if (raw.length < headerLen) return fail(`truncated: ${raw.length} bytes, shorter than its ${headerLen}-byte header`);
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(dv.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const have = raw.length - headerLen;
  if (have < count) {
    return fail(`truncated: header says ${dims.join('x')} (${count} bytes of data) but only ${have} bytes follow; download the file again`);
  }
  if (have > count) return fail(`${have - count} unexpected bytes after the ${dims.join('x')} data; the file is damaged`);
  return { dims, data: raw.slice(headerLen) };
}

/** Reads and parses an IDX file; a missing file is NOT_FOUND naming the path. */
export async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read IDX file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return parseIdx(bytes, path);
}

/**
 * Reads an IDX image file (3 dimensions: N, H, W) and its IDX label file (1 dimension: N) and checks they agree.
 *
 * @example
 * const { images, labels } = await readIdxPair('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz');
 * images.n; // 10000
 */
export async function readIdxPair(imagesPath: string, labelsPath: string): Promise<{ images: ImageBatchU8; labels: Int32Array }> {
  const [img, lab] = await Promise.all([readIdx(imagesPath), readIdx(labelsPath)]);
  if (img.dims.length !== 3) {
    throw new GenbenchError('INPUT', `${imagesPath}: expected an image file with 3 dimensions (N, H, W), got ${img.dims.join('x')}`);
  }
  if (lab.dims.length !== 1) {
    throw new GenbenchError('INPUT', `${labelsPath}: expected a label file with 1 dimension (N), got ${lab.dims.join('x')}`);
  }
  const [n, height, width] = img.dims as [number, number, number];
  if (lab.dims[0] !== n) {
    throw new GenbenchError('INPUT', `${labelsPath}: ${lab.dims[0]} labels but ${imagesPath} holds ${n} images; use files of the same split`);
  }
  return { images: { data: img.data, n, height, width, channels: 1 }, labels: Int32Array.from(lab.data) };
}
