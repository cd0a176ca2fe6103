import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { sha256File } from '../assets/index.js';
import { GenbenchError } from '../errors.js';
import { checkArrayValues } from '../io/limits.js';
import { maxNpzBytes, readWithHash } from './npz.js';

/**
 * A reader of NIfTI-1 volumes (`.nii`, and `.nii.gz` inflated with node:zlib): the 348-byte header (dims, datatype,
 * pixdim, vox_offset, scl_slope / scl_inter, qform and sform), then the voxels of one 3-D volume as float32 with the
 * scaling applied (value = stored * scl_slope + scl_inter when scl_slope is not 0). Either byte order is read (told
 * apart by sizeof_hdr). Single-file NIfTI-1 only (magic `n+1`): NIfTI-2, `.hdr`/`.img` pairs, 4-D series, complex
 * and RGB voxels are UNSUPPORTED errors naming the file.
 *
 * Bounded memory: the header is inflated alone first; the voxel bytes it declares are checked against
 * GENBENCH_MAX_NPZ_BYTES (the budget of uncompressed bytes, default 2 GiB) before anything else is inflated, and the
 * inflation stops at vox_offset + the declared bytes, so a gzip bomb costs no more than the volume it declares.
 *
 * The affine maps voxel indices (i, j, k) to world millimetres as nibabel chooses it: the sform when sform_code > 0,
 * else the qform (quaternion, qfac from pixdim[0]) when qform_code > 0, else the pixdim scaling alone.
 *
 * @example
 * const v = await readNifti('ch2.nii.gz');
 * v.dims;    // [181, 217, 181]
 * v.affine;  // [[1, 0, 0, -90], [0, 1, 0, -125], [0, 0, 1, -71]]
 * v.data[i + 181 * (j + 217 * k)]; // voxel (i, j, k)
 */
export interface NiftiHeader {
  readonly dims: readonly [number, number, number];
  readonly datatype: NiftiDatatype;
  readonly pixdim: readonly [number, number, number];
  readonly voxOffset: number;
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** Rows 0..2 of the 4x4 voxel-to-world matrix. */
  readonly affine: readonly (readonly [number, number, number, number])[];
  /** Which of the header's transforms the affine is: 'sform', 'qform' or 'pixdim'. */
  readonly affineFrom: 'sform' | 'qform' | 'pixdim';
  readonly littleEndian: boolean;
}

export interface NiftiVolume extends NiftiHeader {
  readonly path: string;
  readonly sha256: string;
  /** Voxels, scaled, x fastest: data[i + nx * (j + ny * k)]. */
  readonly data: Float32Array;
}

export type NiftiDatatype = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

const DATATYPES: Readonly<Record<number, { name: NiftiDatatype; bytes: number }>> = {
  2: { name: 'uint8', bytes: 1 },
  4: { name: 'int16', bytes: 2 },
  8: { name: 'int32', bytes: 4 },
  16: { name: 'float32', bytes: 4 },
  64: { name: 'float64', bytes: 8 },
  256: { name: 'int8', bytes: 1 },
  512: { name: 'uint16', bytes: 2 },
  768: { name: 'uint32', bytes: 4 },
};

const HEADER_BYTES = 348;

/** Reads a volume (header checked and budgeted before its voxels are inflated or read). */
export async function readNifti(path: string): Promise<NiftiVolume> {
  const gz = await isGzip(path);
  if (gz) {
    const { bytes, sha256 } = await readWithHash(path);
    const header = parseNiftiHeader(await gunzipPrefix(bytes, HEADER_BYTES, path), path);
    const need = header.voxOffset + voxelBytes(header, path);
    const raw = await gunzipPrefix(bytes, need, path);
    if (raw.length < need) throw truncated(path, header, raw.length);
    return { ...header, path, sha256, data: decodeVoxels(raw, header) };
  }
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(HEADER_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEADER_BYTES, 0);
    const header = parseNiftiHeader(head.subarray(0, bytesRead), path);
    const need = header.voxOffset + voxelBytes(header, path);
    const raw = new Uint8Array(need);
    const got = (await fh.read(raw, 0, need, 0)).bytesRead;
    if (got < need) throw truncated(path, header, got);
    return { ...header, path, sha256: await sha256File(path), data: decodeVoxels(raw, header) };
  } finally {
    await fh.close();
  }
}

/**
 * Parses the NIfTI-1 header at the start of `bytes` (`name` in errors).
 *
 * @example
 * parseNiftiHeader(first348Bytes, 'ch2.nii.gz').datatype; // 'uint8'
 */
export function parseNiftiHeader(bytes: Uint8Array, name: string): NiftiHeader {
  if (bytes.length < HEADER_BYTES) throw new GenbenchError('INPUT', `${name}: ${bytes.length} bytes, shorter than a NIfTI-1 header (348); not a NIfTI file`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const size = dv.getInt32(0, true);
  const le = size === HEADER_BYTES;
  if (!le && dv.getInt32(0, false) !== HEADER_BYTES) {
    const nifti2 = size === 540 || dv.getInt32(0, false) === 540;
    throw new GenbenchError(nifti2 ? 'UNSUPPORTED' : 'INPUT', `${name}: ${nifti2 ? 'a NIfTI-2 header; genbench reads NIfTI-1 (convert with nibabel or fslchfiletype)' : 'not a NIfTI-1 file (sizeof_hdr is not 348)'}`);
  }
  const magic = String.fromCharCode(...bytes.subarray(344, 347));
  if (magic === 'ni1') throw new GenbenchError('UNSUPPORTED', `${name}: a .hdr/.img pair (magic ni1); save it as one .nii or .nii.gz file`);
  if (magic !== 'n+1') throw new GenbenchError('INPUT', `${name}: magic '${magic}' is not NIfTI-1 'n+1'`);
  const i16 = (o: number) => dv.getInt16(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const rank = i16(40);
  const dim = Array.from({ length: 7 }, (_, i) => i16(42 + 2 * i));
  if (rank < 3 || rank > 7 || dim.slice(0, 3).some((d) => d < 1)) throw new GenbenchError('INPUT', `${name}: dim [${[rank, ...dim].join(', ')}] does not describe a 3-D volume`);
  if (dim.slice(3, rank).some((d) => d > 1)) throw new GenbenchError('UNSUPPORTED', `${name}: holds ${dim.slice(3, rank).reduce((a, b) => a * b, 1)} volumes (dim [${dim.slice(0, rank).join(', ')}]); give one 3-D volume`);
  const code = i16(70);
  const type = DATATYPES[code];
  if (type === undefined) throw new GenbenchError('UNSUPPORTED', `${name}: NIfTI datatype ${code} is not supported (uint8, int8, int16, uint16, int32, uint32, float32, float64 are)`);
  const voxOffset = f32(108);
  if (!(voxOffset >= HEADER_BYTES) || !Number.isInteger(voxOffset)) throw new GenbenchError('INPUT', `${name}: vox_offset ${voxOffset} is not a whole number of bytes after the header`);
  const pix = Array.from({ length: 4 }, (_, i) => f32(76 + 4 * i));
  const dims = [dim[0]!, dim[1]!, dim[2]!] as const;
  const pixdim = [pix[1]!, pix[2]!, pix[3]!] as const;
  const qformCode = i16(252);
  const sformCode = i16(254);
  const slope = f32(112);
  const { affine, from } = chooseAffine(dv, le, qformCode, sformCode, pix[0]!, pixdim);
  if (affine.some((row) => row.some((v) => !Number.isFinite(v)))) throw new GenbenchError('INPUT', `${name}: the ${from} transform holds non-finite values`);
  return {
    dims,
    datatype: type.name,
    pixdim,
    voxOffset,
    sclSlope: Number.isFinite(slope) ? slope : 0,
    sclInter: Number.isFinite(f32(116)) ? f32(116) : 0,
    qformCode,
    sformCode,
    affine,
    affineFrom: from,
    littleEndian: le,
  };
}

type Row = [number, number, number, number];

function chooseAffine(dv: DataView, le: boolean, qformCode: number, sformCode: number, qfac: number, pixdim: readonly [number, number, number]): { affine: Row[]; from: NiftiHeader['affineFrom'] } {
  const f32 = (o: number) => dv.getFloat32(o, le);
  if (sformCode > 0) return { affine: [0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => f32(280 + 16 * r + 4 * c)) as Row), from: 'sform' };
  const [dx, dy, dz] = pixdim;
  if (qformCode > 0) {
    const [b, c, d] = [f32(256), f32(260), f32(264)];
    const a = Math.sqrt(Math.max(0, 1 - b * b - c * c - d * d));
    const R = [
      [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
      [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
      [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - b * b - c * c],
    ];
    const q = qfac < 0 ? -1 : 1;
    const offset = [f32(268), f32(272), f32(276)];
    return { affine: R.map((row, r) => [row[0]! * dx, row[1]! * dy, row[2]! * dz * q, offset[r]!] as Row), from: 'qform' };
  }
  return { affine: [[dx, 0, 0, 0], [0, dy, 0, 0], [0, 0, dz, 0]], from: 'pixdim' };
}

/** The voxel bytes a header declares, within the budget and the largest typed array. */
function voxelBytes(h: NiftiHeader, name: string): number {
  const voxels = h.dims[0] * h.dims[1] * h.dims[2];
  const bytes = voxels * DATATYPE_BYTES[h.datatype];
  checkArrayValues(voxels, `${name}: ${h.dims.join('x')} voxels`);
  const limit = maxNpzBytes();
  if (bytes > limit) throw new GenbenchError('INPUT', `${name}: ${h.dims.join('x')} ${h.datatype} voxels are ${bytes} bytes, over the limit of ${limit} (raise GENBENCH_MAX_NPZ_BYTES to allow it)`);
  return bytes;
}

const DATATYPE_BYTES = Object.fromEntries(Object.values(DATATYPES).map((t) => [t.name, t.bytes])) as Record<NiftiDatatype, number>;

function truncated(name: string, h: NiftiHeader, got: number): GenbenchError {
  return new GenbenchError('INPUT', `${name}: truncated: the header declares ${h.dims.join('x')} ${h.datatype} voxels from byte ${h.voxOffset} (${h.voxOffset + voxelBytes(h, name)} bytes) but the file holds ${got}`);
}

/** Stored voxels to float32, scaled by scl_slope / scl_inter (no scaling when scl_slope is 0, as the standard says). */
function decodeVoxels(raw: Uint8Array, h: NiftiHeader): Float32Array {
  const n = h.dims[0] * h.dims[1] * h.dims[2];
  const scale = h.sclSlope !== 0 && (h.sclSlope !== 1 || h.sclInter !== 0);
  if (h.datatype === 'uint8' && !scale) return Float32Array.from(raw.subarray(h.voxOffset, h.voxOffset + n));
  const dv = new DataView(raw.buffer, raw.byteOffset + h.voxOffset, n * DATATYPE_BYTES[h.datatype]);
  const le = h.littleEndian;
  const read: Record<NiftiDatatype, (i: number) => number> = {
    uint8: (i) => dv.getUint8(i),
    int8: (i) => dv.getInt8(i),
    int16: (i) => dv.getInt16(2 * i, le),
    uint16: (i) => dv.getUint16(2 * i, le),
    int32: (i) => dv.getInt32(4 * i, le),
    uint32: (i) => dv.getUint32(4 * i, le),
    float32: (i) => dv.getFloat32(4 * i, le),
    float64: (i) => dv.getFloat64(8 * i, le),
  };
  const get = read[h.datatype];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = scale ? get(i) * h.sclSlope + h.sclInter : get(i);
  return out;
}

async function isGzip(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read the volume (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  try {
    const b = new Uint8Array(2);
    await fh.read(b, 0, 2, 0);
    return b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The first `n` bytes of gzip data (fewer when it is shorter), inflating no further than they need. */
function gunzipPrefix(bytes: Uint8Array, n: number, name: string): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const out = new Uint8Array(n);
    let got = 0;
    const gz = createGunzip();
    gz.on('data', (chunk: Buffer) => {
      const k = Math.min(chunk.length, n - got);
      out.set(chunk.subarray(0, k), got);
      got += k;
      if (got >= n) {
        gz.destroy();
        resolve(out);
      }
    });
    gz.on('end', () => resolve(out.subarray(0, got)));
    gz.on('error', (e: NodeJS.ErrnoException) => {
      if (got >= n || e.code === 'Z_BUF_ERROR') resolve(out.subarray(0, got)); // Z_BUF_ERROR: the data ends early (truncated)
      else reject(new GenbenchError('INPUT', `${name}: corrupt gzip data after ${got} bytes (${e.message})`));
    });
    gz.end(bytes);
  });
}
