import { readFile } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';

/**
 * NumPy `.npy` files (format 1.0, 2.0 and 3.0 headers), C order, little-endian.
 * Reads float16 (widened to float32), float32, float64, uint8, int32 and int64 (as Float64 when |values| < 2^53,
 * else an error); writes float32, float64, uint8 and int32. Anything else (Fortran order, big-endian, object
 * arrays, other dtypes) is a clear error naming the file.
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

export async function readNpy(path: string): Promise<NpyArray> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read .npy file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  return parseNpy(buf, path);
}

/** Parses the bytes of a .npy file; `name` is used in error messages. */
export function parseNpy(bytes: Uint8Array, name: string): NpyArray {
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
    headerLen = dv.getUint32(8, true);
    offset = 12;
  } else {
    return fail(`unsupported .npy format version ${major}`);
  }
  const header = new TextDecoder('latin1').decode(bytes.subarray(offset, offset + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`malformed .npy header: ${header.trim()}`);
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
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(`bad shape (${shapeText})`);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = offset + headerLen;
  const nbytes = count * ITEMSIZE[dtype];
  if (bytes.length - start < nbytes) {
    fail(`truncated: header says ${shape.join('x')} ${dtype} (${nbytes} bytes) but ${bytes.length - start} bytes follow`);
  }
  // Copy into a fresh, aligned buffer (the payload offset need not be a multiple of the item size; Buffer.slice shares memory).
  const payload = new Uint8Array(nbytes);
  payload.set(bytes.subarray(start, start + nbytes));
  return { dtype, shape, data: decode(dtype, payload, count, name) };
}

function decode(dtype: NpyDtype, p: Uint8Array, count: number, name: string): NpyData {
  switch (dtype) {
    case 'uint8':
      return p;
    case 'float32':
      return new Float32Array(p.buffer, p.byteOffset, count);
    case 'float64':
      return new Float64Array(p.buffer, p.byteOffset, count);
    case 'int32':
      return new Int32Array(p.buffer, p.byteOffset, count);
    case 'float16': {
      const h = new Uint16Array(p.buffer, p.byteOffset, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(h[i]!);
      return out;
    }
    case 'int64': {
      const b = new BigInt64Array(p.buffer, p.byteOffset, count);
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
