import * as zlib from 'node:zlib';
import { GenbenchError } from '../errors.js';

/**
 * A zip reader for `.npz` archives that never inflates more than it was told to: members are listed from the
 * central directory (zip64 included) with their declared sizes, so a caller can check them against a budget first,
 * and a member is inflated with its declared size as the hard output limit (a member that inflates to more, or to
 * less, is an INPUT error), then checked against its CRC-32. Stored (0) and deflated (8) members only.
 *
 * @example
 * const entries = listZip(bytes, 'x.npz'); // [{ name: 'test_images.npy', size: 367040, ... }]
 * readZipMember(bytes, entries[0], 'x.npz'); // Uint8Array(367040)
 */
export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  /** Declared uncompressed size in bytes. */
  readonly size: number;
  readonly crc32: number;
  /** Offset of the local file header. */
  readonly headerOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const FULL32 = 0xffffffff;

/** The members of a zip archive, from its central directory; `name` names the archive in errors. */
export function listZip(bytes: Uint8Array, name: string): ZipEntry[] {
  const fail = (why: string): never => {
    throw new GenbenchError('INPUT', `${name}: not a valid .npz (zip) archive (${why})`);
  };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number): number => (o + 4 <= bytes.length ? dv.getUint32(o, true) : fail('unexpected end of file'));
  const u16 = (o: number): number => (o + 2 <= bytes.length ? dv.getUint16(o, true) : fail('unexpected end of file'));
  const u64 = (o: number): number => u32(o) + u32(o + 4) * 2 ** 32;
  let e = bytes.length - 22;
  const stop = Math.max(0, e - 0xffff);
  while (e >= stop && !(bytes[e] === 0x50 && dv.getUint32(e, true) === EOCD)) e--;
  if (e < stop) fail('no end of central directory record');
  let count = u16(e + 10);
  let offset = u32(e + 16);
  if ((count === 0xffff || offset === FULL32) && e >= 20 && u32(e - 20) === ZIP64_LOCATOR) {
    const z = u64(e - 12);
    if (u32(z) !== ZIP64_EOCD) fail('bad zip64 end of central directory');
    count = u64(z + 32);
    offset = u64(z + 48);
  }
  const entries: ZipEntry[] = [];
  for (let i = 0, o = offset; i < count; i++) {
    if (u32(o) !== CENTRAL) fail(`bad central directory entry ${i}`);
    const nameLen = u16(o + 28);
    const extraLen = u16(o + 30);
    if (o + 46 + nameLen + extraLen > bytes.length) fail('unexpected end of file');
    const entryName = new TextDecoder().decode(bytes.subarray(o + 46, o + 46 + nameLen));
    let size = u32(o + 24);
    let compressedSize = u32(o + 20);
    let headerOffset = u32(o + 42);
    // zip64 extra field (id 1): 8-byte values for each of the three that read 0xffffffff, in this order
    for (let x = o + 46 + nameLen, end = x + extraLen; x + 4 <= end; x += 4 + u16(x + 2)) {
      if (u16(x) !== 1) continue;
      let p = x + 4;
      if (size === FULL32) {
        size = u64(p);
        p += 8;
      }
      if (compressedSize === FULL32) {
        compressedSize = u64(p);
        p += 8;
      }
      if (headerOffset === FULL32) headerOffset = u64(p);
    }
    entries.push({ name: entryName, method: u16(o + 10), compressedSize, size, crc32: u32(o + 16), headerOffset });
    o += 46 + nameLen + extraLen + u16(o + 32);
  }
  return entries;
}

/** The compressed bytes of a member. */
function memberData(bytes: Uint8Array, entry: ZipEntry, name: string): Uint8Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const o = entry.headerOffset;
  if (o + 30 > bytes.length || dv.getUint32(o, true) !== LOCAL) {
    throw new GenbenchError('INPUT', `${name}: not a valid .npz (zip) archive (bad local header of ${entry.name})`);
  }
  const start = o + 30 + dv.getUint16(o + 26, true) + dv.getUint16(o + 28, true);
  if (start + entry.compressedSize > bytes.length) throw new GenbenchError('INPUT', `${name}:${entry.name}: truncated (the archive ends inside this member)`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new GenbenchError('UNSUPPORTED', `${name}:${entry.name}: compression method ${entry.method} is not supported (stored or deflated are; save with np.savez or np.savez_compressed)`);
  }
  return bytes.subarray(start, start + entry.compressedSize);
}

/**
 * Inflates one member, never to more than its declared size; the result must have exactly that size and CRC-32.
 *
 * @example
 * readZipMember(bytes, listZip(bytes, 'x.npz')[0], 'x.npz').length; // the member's declared size
 */
export function readZipMember(bytes: Uint8Array, entry: ZipEntry, name: string): Uint8Array {
  const where = `${name}:${entry.name}`;
  const data = memberData(bytes, entry, name);
  let out: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw new GenbenchError('INPUT', `${where}: stored member of ${entry.compressedSize} bytes declares ${entry.size}`);
    out = data;
  } else {
    try {
      out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new GenbenchError('INPUT', `${where}: inflates to more than the ${entry.size} bytes it declares (a corrupt or hostile archive)`);
      }
      throw new GenbenchError('INPUT', `${where}: corrupt deflate data (${(e as Error).message})`);
    }
  }
  if (out.length !== entry.size) throw new GenbenchError('INPUT', `${where}: truncated: inflates to ${out.length} bytes but declares ${entry.size}`);
  const crc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (crc !== undefined && crc(out) >>> 0 !== entry.crc32) throw new GenbenchError('INPUT', `${where}: CRC-32 mismatch (the archive is corrupt)`);
  return out;
}

/**
 * The first `n` bytes of a member (fewer when it is shorter), inflating only what they need: for reading a
 * `.npy` header before deciding to inflate the rest.
 *
 * @example
 * readZipMemberPrefix(bytes, entry, 'x.npz', 4096); // Uint8Array(4096) starting with \x93NUMPY
 */
export function readZipMemberPrefix(bytes: Uint8Array, entry: ZipEntry, name: string, n: number): Uint8Array {
  const data = memberData(bytes, entry, name);
  if (entry.method === 0) return data.subarray(0, n);
  // inflate ever longer prefixes of the compressed data until they give n bytes: deflate expands at most 1032x, so
  // each try's output is bounded by 1032 x its input and a bomb yields its first n bytes from a few hundred bytes
  for (let take = 256; ; take *= 4) {
    const part = data.subarray(0, Math.min(take, data.length));
    let out: Uint8Array;
    try {
      out = zlib.inflateRawSync(part, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: 1032 * part.length + 1024 });
    } catch (e) {
      throw new GenbenchError('INPUT', `${name}:${entry.name}: corrupt deflate data (${(e as Error).message})`);
    }
    if (out.length >= n || part.length === data.length) return out.subarray(0, n);
  }
}
