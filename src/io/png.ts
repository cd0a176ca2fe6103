import { PNG } from 'pngjs';
import type { ImageBatchU8 } from './image.js';
import { writeFileAtomic } from './atomic.js';

/**
 * PNG encoding of images and image grids (pngjs: pure JS, no native build, maintained since 2015).
 */

/** Encodes one HxWxC uint8 image (C = 1, 3 or 4) as PNG bytes (RGBA internally). */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  return PNG.sync.write(rgbaPng(pixels, width, height, channels));
}

function rgbaPng(pixels: Uint8Array, width: number, height: number, channels: number): PNG {
  const png = new PNG({ width, height, colorType: 6 });
  const out = png.data;
  for (let p = 0, n = width * height; p < n; p++) {
    const s = p * channels;
    const d = p * 4;
    if (channels === 1) {
      out[d] = out[d + 1] = out[d + 2] = pixels[s]!;
      out[d + 3] = 255;
    } else {
      out[d] = pixels[s]!;
      out[d + 1] = pixels[s + 1]!;
      out[d + 2] = pixels[s + 2]!;
      out[d + 3] = channels === 4 ? pixels[s + 3]! : 255;
    }
  }
  return png;
}

/**
 * Encodes one HxWxC uint8 image as a PNG of the same channels (1 gray, 3 RGB, 4 RGBA), so decoding it gives back
 * the same pixels and channel count (encodePng always writes RGBA).
 *
 * @example
 * encodePngAs(new Uint8Array(784), 28, 28, 1); // a grayscale PNG that decodeImage reads as { channels: 1 }
 */
export function encodePngAs(pixels: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const colorType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  return PNG.sync.write(rgbaPng(pixels, width, height, channels), { colorType });
}

export interface GridOptions {
  /** Images per row (default: ceil(sqrt(n))). */
  readonly columns?: number;
  /** Padding between and around tiles in pixels (default 2). */
  readonly padding?: number;
  /** Padding grey level (default 255, white). */
  readonly background?: number;
  /** Integer upscaling of each tile by pixel repetition (default 1). */
  readonly scale?: number;
}

/** Lays a batch out as one image: tiles in reading order, padding around and between them. */
export function gridImage(batch: ImageBatchU8, opts: GridOptions = {}): { pixels: Uint8Array; width: number; height: number; channels: number } {
  const cols = Math.max(1, opts.columns ?? Math.ceil(Math.sqrt(batch.n)));
  const rows = Math.max(1, Math.ceil(batch.n / cols));
  const pad = opts.padding ?? 2;
  const scale = opts.scale ?? 1;
  const th = batch.height * scale;
  const tw = batch.width * scale;
  const c = batch.channels === 1 ? 1 : 3;
  const width = cols * tw + (cols + 1) * pad;
  const height = rows * th + (rows + 1) * pad;
  const pixels = new Uint8Array(width * height * c).fill(opts.background ?? 255);
  const tileSize = batch.height * batch.width * batch.channels;
  for (let i = 0; i < batch.n; i++) {
    const x0 = pad + (i % cols) * (tw + pad);
    const y0 = pad + Math.floor(i / cols) * (th + pad);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const s = i * tileSize + (Math.floor(y / scale) * batch.width + Math.floor(x / scale)) * batch.channels;
        const d = ((y0 + y) * width + x0 + x) * c;
        for (let k = 0; k < c; k++) pixels[d + k] = batch.data[s + k]!;
      }
    }
  }
  return { pixels, width, height, channels: c };
}

/** Writes a PNG grid of the batch to `path` (atomically). */
export async function writeGridPng(path: string, batch: ImageBatchU8, opts: GridOptions = {}): Promise<void> {
  const g = gridImage(batch, opts);
  await writeFileAtomic(path, encodePng(g.pixels, g.width, g.height, g.channels));
}
