import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';

/**
 * Small NIfTI-1 files written at test time (nothing committed): a 348-byte header (+4 bytes of extension flag) and
 * the voxels, x fastest, in either byte order, with an sform, a qform or neither.
 */
export interface NiftiSpec {
  readonly dims: readonly [number, number, number];
  readonly datatype?: 'uint8' | 'int16' | 'float32';
  /** Stored values, x fastest (fewer than the dims declare make a truncated file). */
  readonly values: ArrayLike<number>;
  /** Rows 0..2 of the sform (sform_code 1); default the identity with offsets 0. */
  readonly sform?: readonly (readonly number[])[];
  /** Quaternion b, c, d and offsets, written with qform_code 1 and no sform. */
  readonly qform?: { readonly b: number; readonly c: number; readonly d: number; readonly offset: readonly [number, number, number]; readonly qfac?: number };
  readonly pixdim?: readonly [number, number, number];
  readonly slope?: number;
  readonly inter?: number;
  readonly bigEndian?: boolean;
}

const CODES = { uint8: [2, 8], int16: [4, 16], float32: [16, 32] } as const;

export function niftiBytes(s: NiftiSpec): Uint8Array {
  const type = s.datatype ?? 'uint8';
  const [code, bitpix] = CODES[type];
  const n = s.values.length; // may be fewer than the dims declare (truncated files, bombs)
  const out = new Uint8Array(352 + n * (bitpix / 8));
  const dv = new DataView(out.buffer);
  const le = s.bigEndian !== true;
  dv.setInt32(0, 348, le);
  [3, ...s.dims, 1, 1, 1, 1].forEach((d, i) => dv.setInt16(40 + 2 * i, d, le));
  dv.setInt16(70, code, le);
  dv.setInt16(72, bitpix, le);
  const pix = s.pixdim ?? [1, 1, 1];
  [s.qform?.qfac ?? 1, ...pix].forEach((p, i) => dv.setFloat32(76 + 4 * i, p, le));
  dv.setFloat32(108, 352, le);
  dv.setFloat32(112, s.slope ?? 1, le);
  dv.setFloat32(116, s.inter ?? 0, le);
  if (s.qform !== undefined) {
    dv.setInt16(252, 1, le);
    [s.qform.b, s.qform.c, s.qform.d, ...s.qform.offset].forEach((v, i) => dv.setFloat32(256 + 4 * i, v, le));
  } else {
    dv.setInt16(254, 1, le);
    const sform = s.sform ?? [[pix[0], 0, 0, 0], [0, pix[1], 0, 0], [0, 0, pix[2], 0]];
    sform.forEach((row, r) => row.forEach((v, c) => dv.setFloat32(280 + 16 * r + 4 * c, v, le)));
  }
  out.set([0x6e, 0x2b, 0x31, 0], 344); // 'n+1\0'
  for (let i = 0; i < n; i++) {
    const v = s.values[i]!;
    if (type === 'uint8') dv.setUint8(352 + i, v);
    else if (type === 'int16') dv.setInt16(352 + 2 * i, v, le);
    else dv.setFloat32(352 + 4 * i, v, le);
  }
  return out;
}

/** Writes the volume as .nii, or gzipped when the path ends in .gz. */
export async function writeNifti(path: string, s: NiftiSpec): Promise<void> {
  const bytes = niftiBytes(s);
  await writeFile(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}

/** A small test volume: value = x + 10 y + 50 z (x fastest), uint8 for dims up to 5x5x4. */
export function rampValues(dims: readonly [number, number, number]): number[] {
  const out: number[] = [];
  for (let z = 0; z < dims[2]; z++) for (let y = 0; y < dims[1]; y++) for (let x = 0; x < dims[0]; x++) out.push(x + 10 * y + 50 * z);
  return out;
}
