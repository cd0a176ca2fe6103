import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { displayPixels, serveImage } from '../../src/rating/serve-image.js';
import { Rng } from '../../src/rng.js';

/** The one display path of rating images: same shape, dither, encoder and PNG options for every source. */

const shape = { height: 28, width: 28, channels: 1 };

function batch(n: number, height: number, width: number, channels: number, f: (i: number, p: number) => number): ImageBatchU8 {
  const size = height * width * channels;
  const data = new Uint8Array(n * size);
  for (let i = 0; i < n; i++) for (let p = 0; p < size; p++) data[i * size + p] = f(i, p);
  return { data, n, height, width, channels };
}

function bytesOf(url: string): Buffer {
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

/** PNG chunks: type and, for IHDR, the bytes (size, bit depth, colour type, compression, filter, interlace). */
function chunks(png: Buffer): Array<{ type: string; data: Buffer }> {
  const out: Array<{ type: string; data: Buffer }> = [];
  for (let at = 8; at < png.length;) {
    const len = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + len) });
    at += 12 + len;
  }
  return out;
}

describe('serveImage', () => {
  const real = batch(4, 28, 28, 1, (i, p) => ((p + i) % 5 === 0 ? 255 : 0));
  const fake = batch(4, 32, 32, 3, (i, p) => (p * 7 + i) % 256); // another size and RGB: brought to the display shape

  it('writes real and generated images with the same PNG layout and options, and no metadata', () => {
    const rng = new Rng(1);
    const a = chunks(bytesOf(serveImage(real, 0, shape, rng)));
    const b = chunks(bytesOf(serveImage(fake, 0, shape, rng)));
    expect(a.map((c) => c.type).filter((t) => t !== 'IDAT')).toEqual(['IHDR', 'IEND']);
    expect(b.map((c) => c.type)).toEqual(a.map((c) => c.type));
    expect(b[0]!.data.equals(a[0]!.data)).toBe(true); // identical IHDR: 28x28, 8-bit RGBA, same filter and interlace
    const decoded = PNG.sync.read(bytesOf(serveImage(fake, 1, shape, rng)));
    expect([decoded.width, decoded.height]).toEqual([28, 28]);
  });

  it('dithers each serving by at most one grey level, differently every time', () => {
    const rng = new Rng(2);
    const raw = real.data.subarray(0, 784);
    const first = displayPixels(real, 0, shape, rng);
    const second = displayPixels(real, 0, shape, rng);
    expect(Buffer.from(first).equals(Buffer.from(raw))).toBe(false);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    expect(first.every((v, p) => Math.abs(v - raw[p]!) <= 1 && v >= 0 && v <= 255)).toBe(true);
    const changed = first.filter((v, p) => v !== raw[p]).length / first.length;
    expect(changed).toBeGreaterThan(0.2); // about 1/3 of the black and white pixels move (clamped), 2/3 of the others
    expect(changed).toBeLessThan(0.5);
    expect(bytesOf(serveImage(real, 0, shape, rng)).equals(bytesOf(serveImage(real, 0, shape, rng)))).toBe(false);
  });
});
