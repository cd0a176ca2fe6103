import { open, type FileHandle } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { MAX_ARRAY_VALUES } from './limits.js';

/**
 * NumPy `.npy` files (format 1.0, 2.0 and 3.0 headers), C order, little-endian.
 * Reads float16 (widened to float32), float32, float64, uint8, int32 and int64 (as Float64 when |values| < 2^53,
 * else an error); writes float32, float64, uint8 and int32. Anything else (Fortran order, big-endian, object
 * arrays, other dtypes) is a clear error naming the file. Files are read header first and then in chunks, so the
 * shape is checked before any data is read and files over 2 GiB read too.
 *
 * @example
 * const a = await readNpy('real.npy'); // { dtype: 'float32', shape: [2000, 64], data: Float32Array(128000) }
 */
export type NpyDtype = 'float16' | 'float32' | 'float64' | 'uint8' | 'int32' | 'int64';
export type NpyData = Float32Array | Float64Array | Uint8Array | Int32Array;

export interface NpyArray {
  /** dtype as stored in the file (float16 data is returned as Float32Array, int64 as Float64Array). */
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: NpyData;
}

const DESCR: Record<string, NpyDtype> = {
  '<f2': 'float16',
  '<f4': 'float32',
  '<f8': 'float64',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<i4': 'int32',
  '<i8': 'int64',
};
const ITEMSIZE: Record<NpyDtype, number> = { float16: 2, float32: 4, float64: 8, uint8: 1, int32: 4, int64: 8 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** What a .npy header says: dtype, shape, and where the data starts. */
export interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** Number of values (product of the shape). */
  readonly count: number;
  /** Byte offset of the data. */
  readonly dataOffset: number;
  /** Bytes of data the shape and dtype call for. */
  readonly dataBytes: number;
}

/** Bytes read to find a header: the magic, the length field and the header text (numpy pads it to 64-byte lines). */
const HEADER_PROBE = 65536 + 12;
/** Data is read in chunks of this size (no 2 GiB single-read limit; memory is the array itself). */
const READ_CHUNK = 64 * 2 ** 20;

/**
 * Reads a .npy file: the header first (dtype, shape, size checked before any data is read), then the data in
 * chunks straight into the typed array, so files over 2 GiB read too.
 */
export async function readNpy(path: string): Promise<NpyArray> {
  const fh = await openNpy(path);
  try {
    const { header, fileBytes } = await headerOf(fh, path);
    checkDataSize(header, fileBytes, path);
    const payload = new ArrayBuffer(header.dataBytes);
    for (let done = 0; done < header.dataBytes;) {
      const chunk = new Uint8Array(payload, done, Math.min(READ_CHUNK, header.dataBytes - done));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, header.dataOffset + done);
      if (bytesRead === 0) throw new GenbenchError('INPUT', `${path}: truncated while reading (the file shrank?)`);
      done += bytesRead;
    }
    return { dtype: header.dtype, shape: header.shape, data: decode(header.dtype, payload, header.count, path) };
  } catch (e) {
    throw readError(path, e);
  } finally {
    await fh.close();
  }
}

/**
 * Reads only the header of a .npy file (dtype, shape, data size, checked against the file's length): for checking
 * inputs, e.g. two feature files' widths, before any data is read.
 *
 * @example
 * await readNpyHeader('real.npy'); // { dtype: 'float32', shape: [2000, 64], count: 128000, dataOffset: 128, dataBytes: 512000 }
 */
export async function readNpyHeader(path: string): Promise<NpyHeader> {
  const fh = await openNpy(path);
  try {
    const { header, fileBytes } = await headerOf(fh, path);
    checkDataSize(header, fileBytes, path);
    return header;
  } catch (e) {
    throw readError(path, e);
  } finally {
    await fh.close();
  }
}

async function openNpy(path: string): Promise<FileHandle> {
  try {
    const fh = await open(path, 'r');
    const info = await fh.stat();
    if (!info.isFile()) {
      await fh.close();
      throw new GenbenchError('INPUT', `${path}: not a regular file (give a .npy file)`);
    }
    return fh;
  } catch (e) {
    if (e instanceof GenbenchError) throw e;
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read .npy file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}

async function headerOf(fh: FileHandle, path: string): Promise<{ header: NpyHeader; fileBytes: number }> {
  const fileBytes = (await fh.stat()).size;
  const probe = new Uint8Array(Math.min(HEADER_PROBE, fileBytes));
  await fh.read(probe, 0, probe.length, 0);
  return { header: parseNpyHeader(probe, path), fileBytes };
}

function checkDataSize(h: NpyHeader, available: number, name: string): void {
  if (available - h.dataOffset < h.dataBytes) {
    throw new GenbenchError('INPUT', `${name}: truncated: header says ${h.shape.join('x')} ${h.dtype} (${h.dataBytes} bytes) but ${Math.max(0, available - h.dataOffset)} bytes follow`);
  }
}

function readError(path: string, e: unknown): unknown {
  if (e instanceof GenbenchError || typeof (e as NodeJS.ErrnoException)?.code !== 'string') return e;
  return new GenbenchError('INPUT', `${path}: cannot read .npy file (${(e as NodeJS.ErrnoException).code})`, { cause: e });
}

/**
 * Parses a .npy header from the first bytes of a file (or a zip member); `name` is used in error messages.
 * Shapes whose data would not fit one typed array are refused here, before anything is allocated.
 *
 * @example
 * parseNpyHeader(encodeNpy(new Float32Array(6), [2, 3]), 'x.npy'); // { dtype: 'float32', shape: [2, 3], count: 6, dataOffset: 128, dataBytes: 24 }
 */
export function parseNpyHeader(bytes: Uint8Array, name: string): NpyHeader {
  const fail = (what: string): never => {
    throw new GenbenchError('INPUT', `${name}: ${what}`);
  };
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) fail('not a .npy file (bad magic string)');
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let offset: number;
  if (major === 1) {
    headerLen = dv.getUint16(8, true);
    offset = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerLen = dv.getUint32(8, true);
    offset = 12;
  } else {
    return fail(`unsupported .npy format version ${major}`);
  }
  if (offset + headerLen > bytes.length) fail(`truncated or oversized header (${headerLen} bytes)`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`malformed .npy header: ${header.trim().slice(0, 200)}`);
  if (fortran === 'True') fail('Fortran-order arrays are not supported; save with np.ascontiguousarray(a)');
  if (descr!.startsWith('>')) fail(`big-endian dtype '${descr}' is not supported; save with a.astype(a.dtype.newbyteorder('<'))`);
  if (descr === '|O') fail('object arrays are not supported (save a numeric array)');
  const dtype = DESCR[descr!];
  if (dtype === undefined) {
    return fail(`dtype '${descr}' is not supported (float16/32/64, uint8, int32, int64 are)`);
  }
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count) || count > MAX_ARRAY_VALUES) fail(`shape (${shape.join(', ')}) has ${count.toPrecision(3)} values, more than one array holds (${MAX_ARRAY_VALUES})`);
  return { dtype, shape, count, dataOffset: offset + headerLen, dataBytes: count * ITEMSIZE[dtype] };
}

/** Parses the bytes of a .npy file; `name` is used in error messages. */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
  const h = parseNpyHeader(bytes, name);
  checkDataSize(h, bytes.length, name);
  // Copy into a fresh, aligned buffer (the payload offset need not be a multiple of the item size; Buffer.slice shares memory).
  const payload = new ArrayBuffer(h.dataBytes);
  new Uint8Array(payload).set(bytes.subarray(h.dataOffset, h.dataOffset + h.dataBytes));
  return { dtype: h.dtype, shape: h.shape, data: decode(h.dtype, payload, h.count, name) };
}

/** The typed array over `buf` (aligned, holding exactly the data; it may be larger than one Uint8Array can view). */
function decode(dtype: NpyDtype, buf: ArrayBuffer, count: number, name: string): NpyData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(buf, 0, count);
    case 'float32':
      return new Float32Array(buf, 0, count);
    case 'float64':
      return new Float64Array(buf, 0, count);
    case 'int32':
      return new Int32Array(buf, 0, count);
    case 'float16': {
      const h = new Uint16Array(buf, 0, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(h[i]!);
      return out;
    }
    case 'int64': {
      const b = new BigInt64Array(buf, 0, count);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = b[i]!;
        if (v > 9007199254740991n || v < -9007199254740991n) {
          throw new GenbenchError('INPUT', `${name}: int64 value ${v} at index ${i} does not fit a float64 exactly`);
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}

/** IEEE 754 half precision bits to a number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Serialises an array as .npy format 1.0 bytes (dtype from the typed array: f4, f8, u1, i4). */
export function encodeNpy(data: Float32Array | Float64Array | Uint8Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`shape ${shape.join('x')} has ${count} values, data has ${data.length}`);
  const descr =
    data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : data instanceof Uint8Array ? '|u1' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Writes a .npy file atomically. */
export async function writeNpy(
  path: string,
  data: Float32Array | Float64Array | Uint8Array | Int32Array,
  shape: readonly number[],
): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}
