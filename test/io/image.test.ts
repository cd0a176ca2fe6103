import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { nchwToNhwc, roundHalfEven, toFloat, toUint8 } from '../../src/io/image.js';
import { encodePng, gridImage } from '../../src/io/png.js';

describe('image conversions', () => {
  it('rounds halves to even like NumPy', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, 3]);
  });

  it('maps [-1,1] and [0,1] floats to 8 bits with clipping', () => {
    const b = { data: new Float32Array([-1, 1, 0, -2, 2, 0.5]), n: 1, height: 1, width: 6, channels: 1, range: [-1, 1] as const };
    expect(Array.from(toUint8(b).data)).toEqual([0, 255, 128, 0, 255, 191]); // 127.5 -> 128 (even), 191.25 -> 191
    const s = { ...b, data: new Float32Array([0, 1, 0.5, -0.1, 1.1, 0.2]), range: [0, 1] as const };
    expect(Array.from(toUint8(s).data)).toEqual([0, 255, 128, 0, 255, 51]);
  });

  it('toFloat inverts toUint8 on 8-bit values', () => {
    const u = { data: Uint8Array.from({ length: 256 }, (_, i) => i), n: 1, height: 16, width: 16, channels: 1 };
    expect(Array.from(toUint8(toFloat(u, [-1, 1])).data)).toEqual(Array.from(u.data));
  });

  it('converts NCHW to NHWC', () => {
    // n=1, c=2, h=1, w=3: planes [1,2,3] and [4,5,6]
    expect(Array.from(nchwToNhwc(new Float32Array([1, 2, 3, 4, 5, 6]), 1, 2, 1, 3))).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('png grids', () => {
  it('lays out tiles with padding in reading order', () => {
    const data = new Uint8Array([10, 20, 30]); // three 1x1 grayscale images
    const g = gridImage({ data, n: 3, height: 1, width: 1, channels: 1 }, { columns: 2, padding: 1, background: 0 });
    expect([g.width, g.height]).toEqual([5, 5]);
    expect(g.pixels[1 * 5 + 1]).toBe(10);
    expect(g.pixels[1 * 5 + 3]).toBe(20);
    expect(g.pixels[3 * 5 + 1]).toBe(30);
    expect(g.pixels[3 * 5 + 3]).toBe(0);
  });

  it('encodes a PNG that decodes to the same pixels', () => {
    const px = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 7) % 256);
    const png = PNG.sync.read(Buffer.from(encodePng(px, 4, 3, 3)));
    expect([png.width, png.height]).toEqual([4, 3]);
    for (let p = 0; p < 12; p++) for (let k = 0; k < 3; k++) expect(png.data[p * 4 + k]).toBe(px[p * 3 + k]);
  });
});
