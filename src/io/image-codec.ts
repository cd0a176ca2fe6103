import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { GenbenchError } from '../errors.js';
import { checkPixels, maxPixels } from './limits.js';

/**
 * Decoding of PNG (pngjs) and JPEG (jpeg-js) files into plain 8-bit pixels, channel conversion, and THE one resize
 * implementation of genbench (every resize goes through `resizeImage`, and the filter is recorded).
 *
 * Channel rules: grayscale -> RGB repeats the value; RGB -> grayscale is ITU-R BT.601 luma,
 * L = round(0.299 R + 0.587 G + 0.114 B) (the rule PIL's `convert('L')` uses); an alpha channel is dropped, never
 * composited. 16-bit PNGs are rescaled to 8 bits by pngjs.
 *
 * Image dimensions are read from the header (PNG IHDR, JPEG start of frame) and checked against the pixel budget
 * (GENBENCH_MAX_PIXELS, default 64 MP) before anything is decoded, so a small file that declares a huge image is
 * refused without allocating it.
 */

/** One decoded image, HxWxC row-major uint8 (C = 1 gray, 3 RGB, 4 RGBA). */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

export type ResizeFilter = 'nearest' | 'bilinear' | 'bicubic' | 'area';
export const RESIZE_FILTERS: readonly ResizeFilter[] = ['nearest', 'bilinear', 'bicubic', 'area'];

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

/**
 * Decodes PNG or JPEG bytes (told apart by their magic bytes); `name` is used in error messages.
 *
 * @example
 * decodeImage(readFileSync('a.png'), 'a.png'); // { width: 28, height: 28, channels: 1, data: Uint8Array(784) }
 */
export function decodeImage(bytes: Uint8Array, name: string): DecodedImage {
  if (PNG_MAGIC.every((m, i) => bytes[i] === m)) return decodePng(bytes, name);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes, name);
  throw new GenbenchError('INPUT', `${name}: not a PNG or JPEG file (unknown magic bytes); convert it to PNG`);
}

function decodePng(bytes: Uint8Array, name: string): DecodedImage {
  const size = pngSize(bytes);
  if (size === undefined) throw new GenbenchError('INPUT', `${name}: corrupt PNG (no IHDR header); re-export the image`);
  checkPixels(size.width, size.height, name);
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new GenbenchError('INPUT', `${name}: corrupt PNG (${(e as Error).message}); re-export the image`, { cause: e });
  }
  const { width, height } = png;
  const rgba = png.data;
  // colorType bits: 1 palette, 2 colour, 4 alpha. Palette images are expanded to RGB(A) by pngjs.
  const color = (png.colorType & 2) !== 0;
  const alpha = (png.colorType & 4) !== 0 || (png as { alpha?: boolean }).alpha === true;
  // Gray + alpha keeps only the gray value (alpha is always dropped downstream).
  const channels: 1 | 3 | 4 = color ? (alpha ? 4 : 3) : 1;
  return { data: fromRgba(rgba, width * height, channels), width, height, channels };
}

/** Width and height from a PNG's IHDR chunk (the first chunk, right after the 8-byte signature). */
function pngSize(b: Uint8Array): { width: number; height: number } | undefined {
  if (b.length < 24 || String.fromCharCode(b[12]!, b[13]!, b[14]!, b[15]!) !== 'IHDR') return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

function fromRgba(rgba: Uint8Array, pixels: number, channels: 1 | 3 | 4): Uint8Array {
  if (channels === 4) return new Uint8Array(rgba.subarray(0, pixels * 4));
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) for (let k = 0; k < channels; k++) out[p * channels + k] = rgba[p * 4 + k]!;
  return out;
}

function decodeJpeg(bytes: Uint8Array, name: string): DecodedImage {
  const frame = jpegFrame(bytes);
  if (frame !== undefined) checkPixels(frame.width, frame.height, name);
  let img: { width: number; height: number; data: Uint8Array };
  try {
    const limits = { maxResolutionInMP: maxPixels() / 1e6, maxMemoryUsageInMB: Math.ceil((maxPixels() * 8) / 2 ** 20) + 64 };
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, ...limits });
  } catch (e) {
    throw new GenbenchError('INPUT', `${name}: corrupt JPEG (${(e as Error).message}); re-export the image`, { cause: e });
  }
  const { width, height, data } = img;
  if (frame?.components !== 1) return { data, width, height, channels: 3 };
  return { data: fromRgb(data, width * height), width, height, channels: 1 };
}

function fromRgb(rgb: Uint8Array, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) out[p] = rgb[p * 3]!;
  return out;
}

/** Size and number of colour components (1 = grayscale) from a JPEG's start-of-frame header, if found. */
function jpegFrame(b: Uint8Array): { width: number; height: number; components: number } | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]!, components: b[i + 9]! };
    i += 2 + len;
  }
  return undefined;
}

/**
 * Converts an image to 1 (gray) or 3 (RGB) channels: alpha dropped, RGB -> gray by BT.601 luma, gray -> RGB repeated.
 *
 * @example
 * toChannels({ data: Uint8Array.of(255, 0, 0), width: 1, height: 1, channels: 3 }, 1).data; // Uint8Array [76]
 */
export function toChannels(img: DecodedImage, channels: 1 | 3): DecodedImage {
  if (img.channels === channels) return img;
  const pixels = img.width * img.height;
  const out = new Uint8Array(pixels * channels);
  const c = img.channels;
  for (let p = 0; p < pixels; p++) {
    const s = p * c;
    if (channels === 3) {
      for (let k = 0; k < 3; k++) out[p * 3 + k] = img.data[c === 1 ? s : s + k]!;
    } else {
      out[p] = c === 1 ? img.data[s]! : luma(img.data[s]!, img.data[s + 1]!, img.data[s + 2]!);
    }
  }
  return { data: out, width: img.width, height: img.height, channels };
}

/**
 * ITU-R BT.601 luma of an 8-bit RGB triple, rounded.
 *
 * @example
 * luma(0, 255, 0); // 150
 */
export function luma(r: number, g: number, b: number): number {
  return Math.round((r * 299 + g * 587 + b * 114) / 1000);
}

/** A target size and the filter used to reach it; recorded in recipes as e.g. `28x28 bilinear`. */
export interface ResizeSpec {
  readonly height: number;
  readonly width: number;
  readonly filter: ResizeFilter;
}

/**
 * Parses `--resize HxW` (e.g. '28x28' or '32X24') and a filter name into a ResizeSpec, or throws a USAGE error naming
 * the flag: each side 1 to 8192, and height x width within the pixel budget (GENBENCH_MAX_PIXELS, see limits.ts).
 *
 * @example
 * parseResize('28x28', 'area'); // { height: 28, width: 28, filter: 'area' }
 */
export function parseResize(size: string, filter: string = 'bilinear'): ResizeSpec {
  const m = /^(\d+)[xX](\d+)$/.exec(size.trim());
  const height = Number(m?.[1]);
  const width = Number(m?.[2]);
  if (!m || height < 1 || width < 1) throw new GenbenchError('USAGE', `--resize '${size}': expected HEIGHTxWIDTH such as 28x28 (1 to 8192 each)`);
  const limit = maxPixels();
  if (height * width > limit) {
    throw new GenbenchError('USAGE', `--resize '${size}': ${height * width} pixels per image, over the limit of ${limit} (raise GENBENCH_MAX_PIXELS to allow it)`);
  }
  if (height > 8192 || width > 8192) throw new GenbenchError('USAGE', `--resize '${size}': expected HEIGHTxWIDTH such as 28x28 (1 to 8192 each)`);
  if (!(RESIZE_FILTERS as readonly string[]).includes(filter)) {
    throw new GenbenchError('USAGE', `--filter '${filter}': unknown resize filter; use one of ${RESIZE_FILTERS.join(', ')}`);
  }
  return { height, width, filter: filter as ResizeFilter };
}

/** Filter kernels on the destination-pixel scale, with their support radius (PIL's definitions). */
const KERNELS: Record<Exclude<ResizeFilter, 'nearest'>, { support: number; f: (x: number) => number }> = {
  area: { support: 0.5, f: (x) => (x >= -0.5 && x < 0.5 ? 1 : 0) },
  bilinear: { support: 1, f: (x) => Math.max(0, 1 - Math.abs(x)) },
  bicubic: { support: 2, f: cubic },
};

/** Keys' cubic convolution kernel with a = -0.5 (PIL's BICUBIC). */
function cubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/** For each destination index along one axis: the first source index and the normalised weights. */
export interface AxisWeights {
  readonly start: Int32Array;
  readonly weights: Float64Array[];
}

export function axisWeights(inSize: number, outSize: number, filter: ResizeFilter): AxisWeights {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights: Float64Array[] = [];
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    if (filter === 'nearest') {
      start[i] = Math.min(inSize - 1, Math.floor(center));
      weights.push(Float64Array.of(1));
      continue;
    }
    const k = KERNELS[filter];
    const fscale = Math.max(scale, 1); // widen the kernel when shrinking (antialiasing)
    const support = k.support * fscale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    const w = new Float64Array(Math.max(1, hi - lo));
    let sum = 0;
    for (let j = lo; j < hi; j++) sum += w[j - lo] = k.f((j + 0.5 - center) / fscale);
    if (sum === 0) w[0] = sum = 1;
    for (let j = 0; j < w.length; j++) w[j]! /= sum;
    start[i] = lo;
    weights.push(w);
  }
  return { start, weights };
}

/**
 * Resizes one HxWxC uint8 image. Separable convolution resampling after PIL's `Image.resize` (pixel centres at
 * i + 0.5, the kernel widened by the shrink factor so downscaling is antialiased): `nearest` picks the source pixel
 * under the destination centre, `bilinear` is the triangle kernel, `bicubic` Keys' cubic (a = -0.5), `area` the box
 * kernel (an integer-factor shrink averages each block exactly). Rows first, then columns, in float64; the result is
 * rounded half away from zero and clipped to 0..255 once at the end.
 *
 * @example
 * resizeImage({ data: Uint8Array.of(0, 100, 200, 255), width: 2, height: 2, channels: 1 },
 *   { height: 1, width: 1, filter: 'area' }).data; // Uint8Array [139]
 */
export function resizeImage(img: DecodedImage, spec: ResizeSpec): DecodedImage {
  const { width: w0, height: h0, channels: c } = img;
  const { width: w1, height: h1 } = spec;
  if (w0 === w1 && h0 === h1) return img;
  const ax = axisWeights(w0, w1, spec.filter);
  const ay = axisWeights(h0, h1, spec.filter);
  const tmp = new Float64Array(h0 * w1 * c); // horizontal pass
  for (let y = 0; y < h0; y++) {
    for (let x = 0; x < w1; x++) {
      const wts = ax.weights[x]!;
      const s0 = ax.start[x]!;
      for (let k = 0; k < c; k++) {
        let acc = 0;
        for (let j = 0; j < wts.length; j++) acc += wts[j]! * img.data[(y * w0 + s0 + j) * c + k]!;
        tmp[(y * w1 + x) * c + k] = acc;
      }
    }
  }
  const out = new Uint8Array(h1 * w1 * c); // vertical pass
  for (let y = 0; y < h1; y++) {
    const wts = ay.weights[y]!;
    const s0 = ay.start[y]!;
    for (let x = 0; x < w1 * c; x++) {
      let acc = 0;
      for (let j = 0; j < wts.length; j++) acc += wts[j]! * tmp[(s0 + j) * w1 * c + x]!;
      const v = Math.round(acc);
      out[y * w1 * c + x] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { data: out, width: w1, height: h1, channels: c };
}
