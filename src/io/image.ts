/**
 * In-memory image batches. Layout is always NHWC (batch, height, width, channels), row-major.
 * Datasets hold uint8 images; generators produce float images in a declared value range.
 */
export interface ImageBatchU8 {
  readonly data: Uint8Array;
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export type ValueRange = readonly [number, number];

export interface ImageBatchF32 {
  readonly data: Float32Array;
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** The range the values are meant to lie in, e.g. [-1, 1] for tanh outputs, [0, 1] for sigmoid outputs. */
  readonly range: ValueRange;
}

/** Number of values in one image. */
export function imageSize(b: { height: number; width: number; channels: number }): number {
  return b.height * b.width * b.channels;
}

/**
 * Float images to 8-bit: u8 = clip(round((x - lo) / (hi - lo) * 255), 0, 255), computed in float64 with
 * round-half-to-even (NumPy's rule, used to make the shared reference samples). For [-1, 1] this is
 * round((x + 1) * 127.5); for [0, 1] it is round(x * 255).
 */
export function toUint8(b: ImageBatchF32): ImageBatchU8 {
  const [lo, hi] = b.range;
  const scale = 255 / (hi - lo);
  const out = new Uint8Array(b.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = roundHalfEven((b.data[i]! - lo) * scale);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { data: out, n: b.n, height: b.height, width: b.width, channels: b.channels };
}

/** 8-bit images to floats in `range` (the inverse scaling of toUint8). */
export function toFloat(b: ImageBatchU8, range: ValueRange): ImageBatchF32 {
  const [lo, hi] = range;
  const scale = (hi - lo) / 255;
  const out = new Float32Array(b.data.length);
  for (let i = 0; i < out.length; i++) out[i] = b.data[i]! * scale + lo;
  return { data: out, n: b.n, height: b.height, width: b.width, channels: b.channels, range };
}

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; move exact halves to the even neighbour.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Images [from, to) of a batch, sharing no memory with it. */
export function sliceImages(b: ImageBatchU8, from: number, to: number): ImageBatchU8 {
  const size = imageSize(b);
  return { ...b, data: b.data.slice(from * size, to * size), n: to - from };
}

/** The images at `rows` (in that order) of a batch, sharing no memory with it. */
export function takeImageRows(b: ImageBatchU8, rows: ArrayLike<number>): ImageBatchU8 {
  const size = imageSize(b);
  const data = new Uint8Array(rows.length * size);
  for (let i = 0; i < rows.length; i++) data.set(b.data.subarray(rows[i]! * size, (rows[i]! + 1) * size), i * size);
  return { ...b, data, n: rows.length };
}

/** NCHW float data (PyTorch/ONNX layout) to NHWC. */
export function nchwToNhwc(src: Float32Array, n: number, c: number, h: number, w: number): Float32Array {
  if (c === 1) return src;
  const out = new Float32Array(src.length);
  const plane = h * w;
  for (let i = 0; i < n; i++) {
    const base = i * c * plane;
    for (let p = 0; p < plane; p++) for (let k = 0; k < c; k++) out[base + p * c + k] = src[base + k * plane + p]!;
  }
  return out;
}
