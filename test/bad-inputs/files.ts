import { createHash } from 'node:crypto';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import * as zlib from 'node:zlib';
import { encodeModel } from '../../src/io/onnx-model.js';

/**
 * The bad-input corpus, made at test time in a temp folder (nothing large is committed): decompression bombs (a PNG
 * and two .npz archives that are a few MB on disk and declare gigabytes), sparse .npy files that declare gigabytes,
 * a generator that emits NaN for some latents, broken manifests. Every builder is deterministic.
 */

/** CRC-32 (IEEE), as PNG chunks and zip entries use it. */
export function crc32(data: Uint8Array): number {
  const fast = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (fast !== undefined) return fast(data) >>> 0;
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/**
 * Raw deflate data for `prefix` followed by `zeros` zero bytes, built from one compressed 64 MiB run of zeros repeated:
 * a sync-flushed chunk compressed against a window of zeros decodes the same wherever it stands after 32 KiB of
 * zeros, so 5 GB of zeros cost about 5 MB (deflate's ~1000:1) and a few hundred ms. `zeros` must be
 * 32768 + k * 2^26 for an integer k >= 0.
 */
export function deflateZeros(prefix: Uint8Array, zeros: number): Uint8Array {
  const RUN = 2 ** 26;
  const k = (zeros - 32768) / RUN;
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`zeros must be 32768 + k * 2^26, got ${zeros}`);
  const head = zlib.deflateRawSync(Buffer.concat([prefix, Buffer.alloc(32768)]), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const run = k === 0 ? Buffer.alloc(0) : zlib.deflateRawSync(Buffer.alloc(RUN), { level: 9, dictionary: Buffer.alloc(32768), finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const end = Uint8Array.of(0x03, 0x00); // a final, empty fixed-Huffman block
  const out = new Uint8Array(head.length + k * run.length + end.length);
  out.set(head, 0);
  for (let i = 0; i < k; i++) out.set(run, head.length + i * run.length);
  out.set(end, head.length + k * run.length);
  return out;
}

/** A PNG chunk: length, type, data, CRC. */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * A valid 8-bit grayscale PNG of `side` x `side` black pixels whose pixel data is a deflate bomb: 30000 gives a
 * ~1 MB file that decodes to 900 MB of pixels (5.9 GB of RAM in a decoder that does not check the header first).
 * `side` * (side + 1) - 32768 must be a multiple of 2^26 (30000 is not: the rows are padded with a last run).
 */
export function bombPng(side: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, side);
  dv.setUint32(4, side);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit, grayscale, deflate, adaptive filtering, no interlace
  // the raw stream is side rows of (filter byte 0 + side zero pixels): all zeros, rounded up to the bomb's granularity
  const raw = side * (side + 1);
  const zeros = 32768 + Math.ceil((raw - 32768) / 2 ** 26) * 2 ** 26;
  const deflated = deflateZeros(new Uint8Array(0), zeros);
  const idat = new Uint8Array(2 + deflated.length + 4);
  idat.set([0x78, 0xda], 0);
  idat.set(deflated, 2);
  new DataView(idat.buffer).setUint32(2 + deflated.length, ((zeros % 65521) << 16) | 1); // adler-32 of zeros
  const sig = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  return Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array(0))]);
}

/** The header of a .npy array of `shape` (format 1.0, no data), padded as numpy pads it. */
export function npyHeader(shape: readonly number[], dtype: 'uint8' | 'float32' = 'uint8'): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype === 'uint8' ? '|u1' : '<f4'}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const header = dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11) + '\n';
  const out = new Uint8Array(10 + header.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  return out;
}

interface ZipMember {
  readonly name: string;
  readonly deflated: Uint8Array;
  /** The uncompressed size the archive declares (true or not). */
  readonly size: number;
  readonly crc: number;
}

/** A zip archive of deflated members, with zip64 extra fields where a size needs them. */
export function zipArchive(members: readonly ZipMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = new TextEncoder().encode(m.name);
    const big = m.size >= 0xffffffff || m.deflated.length >= 0xffffffff;
    const extra = new Uint8Array(big ? 20 : 0);
    if (big) {
      const e = new DataView(extra.buffer);
      e.setUint16(0, 1, true);
      e.setUint16(2, 16, true);
      e.setBigUint64(4, BigInt(m.size), true);
      e.setBigUint64(12, BigInt(m.deflated.length), true);
    }
    const local = new Uint8Array(30 + name.length + extra.length);
    const l = new DataView(local.buffer);
    l.setUint32(0, 0x04034b50, true);
    l.setUint16(4, big ? 45 : 20, true);
    l.setUint16(8, 8, true);
    l.setUint32(14, m.crc, true);
    l.setUint32(18, big ? 0xffffffff : m.deflated.length, true);
    l.setUint32(22, big ? 0xffffffff : m.size, true);
    l.setUint16(26, name.length, true);
    l.setUint16(28, extra.length, true);
    local.set(name, 30);
    local.set(extra, 30 + name.length);
    const c = new Uint8Array(46 + name.length + extra.length);
    const cd = new DataView(c.buffer);
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 45, true);
    cd.setUint16(6, big ? 45 : 20, true);
    cd.setUint16(10, 8, true);
    cd.setUint32(16, m.crc, true);
    cd.setUint32(20, big ? 0xffffffff : m.deflated.length, true);
    cd.setUint32(24, big ? 0xffffffff : m.size, true);
    cd.setUint16(28, name.length, true);
    cd.setUint16(30, extra.length, true);
    cd.setUint32(42, offset, true);
    c.set(name, 46);
    c.set(extra, 46 + name.length);
    parts.push(local, m.deflated);
    central.push(c);
    offset += local.length + m.deflated.length;
  }
  const cdSize = central.reduce((a, c) => a + c.length, 0);
  const eocd = new Uint8Array(22);
  const e = new DataView(eocd.buffer);
  e.setUint32(0, 0x06054b50, true);
  e.setUint16(8, members.length, true);
  e.setUint16(10, members.length, true);
  e.setUint32(12, cdSize, true);
  e.setUint32(16, offset, true);
  return Buffer.concat([...parts, ...central, eocd]);
}

/**
 * An .npz whose test_images.npy is 5 GB of zero images (153601 x 128 x 256 uint8) in ~5 MB, sizes declared
 * truthfully (zip64). The CRC is left 0: a reader must refuse the member long before it could check it.
 */
export function bombNpzHonest(): Uint8Array {
  const k = 75;
  const header = npyHeader([1 + k * 2048, 128, 256]);
  const data = 32768 + k * 2 ** 26;
  return zipArchive([{ name: 'test_images.npy', deflated: deflateZeros(header, data), size: header.length + data, crc: 0 }]);
}

/**
 * An .npz within the byte budget (1.07 GB) whose one image is 32769 x 32768 pixels: over the pixel budget, so it is
 * refused from the member's header before anything is inflated.
 */
export function bombNpzPixels(): Uint8Array {
  const k = 16;
  const header = npyHeader([1, 1 + k * 2048, 32768]);
  const data = 32768 + k * 2 ** 26;
  return zipArchive([{ name: 'test_images.npy', deflated: deflateZeros(header, data), size: header.length + data, crc: 0 }]);
}

/**
 * An .npz whose test_images.npy declares 10 x 28 x 28 (the size its header calls for) but inflates to 64 MiB more:
 * a reader that trusts the declared size must stop inflating there.
 */
export function bombNpzLying(): Uint8Array {
  const header = npyHeader([10, 28, 28]);
  const deflated = deflateZeros(header, 32768 + 2 ** 26);
  return zipArchive([{ name: 'test_images.npy', deflated, size: header.length + 10 * 28 * 28, crc: 0 }]);
}

/**
 * A sparse .npy file: a float32 [rows, cols] header and the file extended to its full size without writing data
 * (a 3 GB file costs nothing on disk). Any reader that reads it whole before checking shapes is slow and huge.
 */
export async function sparseNpy(path: string, rows: number, cols: number): Promise<void> {
  const header = npyHeader([rows, cols], 'float32');
  await mkdir(dirname(path), { recursive: true });
  const fh = await open(path, 'w');
  try {
    await fh.write(header, 0, header.length, 0);
    await fh.truncate(header.length + rows * cols * 4);
  } finally {
    await fh.close();
  }
}

/**
 * A tiny ONNX generator (latent 784 -> 28x28 gray). `nan: true` computes tanh(log(z + 4)): NaN wherever a latent
 * value is below -4, i.e. for a few percent of images, never for the load-time probe latent of seed 0; otherwise
 * tanh(z + 4). Writes X.onnx and its manifest X.genbench.json.
 */
export async function onnxGenerator(onnxPath: string, opts: { nan: boolean }): Promise<void> {
  const bytes = encodeModel(
    {
      name: 'tiny_generator',
      nodes: [
        { op: 'Add', inputs: ['z', 'c'], outputs: ['zc'] },
        { op: opts.nan ? 'Log' : 'Identity', inputs: ['zc'], outputs: ['l'] },
        { op: 'Tanh', inputs: ['l'], outputs: ['t'] },
        { op: 'Reshape', inputs: ['t', 'shape'], outputs: ['x'] },
      ],
      initializers: [
        { name: 'c', dims: [1], data: Float32Array.of(4) },
        { name: 'shape', dims: [4], data: BigInt64Array.of(-1n, 1n, 28n, 28n) },
      ],
      inputs: [{ name: 'z', type: 'float32', shape: ['N', 784] }],
      outputs: [{ name: 'x', type: 'float32', shape: ['N', 1, 28, 28] }],
    },
    { opset: 13 },
  );
  await writeFile(onnxPath, bytes);
  await writeManifest(onnxPath, { name: opts.nan ? 'nan-generator' : 'tiny-generator', file: onnxPath.split('/').pop()!, latent_dim: 784, sha256: createHash('sha256').update(bytes).digest('hex') });
}

/** Writes X.genbench.json beside X.onnx: a valid generator manifest with `fields` replacing defaults. */
export async function writeManifest(onnxPath: string, fields: Record<string, unknown>): Promise<void> {
  const manifest = {
    name: 'gen',
    format: 'onnx',
    file: onnxPath.split('/').pop(),
    input: 'z',
    latent_dim: 784,
    output: 'x',
    output_layout: 'NCHW',
    output_range: '[-1,1]',
    image_shape: [1, 28, 28],
    conditional: null,
    ...fields,
  };
  await writeFile(onnxPath.replace(/\.onnx$/, '.genbench.json'), JSON.stringify(manifest));
}
