import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { decodeImage, luma, parseResize, resizeImage, RESIZE_FILTERS, toChannels, type DecodedImage } from '../../src/io/image-codec.js';
import { encodePng } from '../../src/io/png.js';

function img(width: number, height: number, channels: 1 | 3, values: number[]): DecodedImage {
  return { data: Uint8Array.from(values), width, height, channels };
}

describe('resizeImage', () => {
  it('keeps a constant image constant with every filter, up and down', () => {
    const c = img(7, 5, 3, new Array(7 * 5 * 3).fill(173));
    for (const filter of RESIZE_FILTERS) {
      for (const [h, w] of [[28, 28], [2, 3], [5, 7], [11, 4]] as const) {
        const r = resizeImage(c, { height: h, width: w, filter });
        expect(r.data.length, filter).toBe(h * w * 3);
        expect(r.data.every((v) => v === 173), `${filter} ${h}x${w}`).toBe(true);
      }
    }
  });

  it('nearest 2x upscale of 2x2 repeats each pixel in a 2x2 block', () => {
    const r = resizeImage(img(2, 2, 1, [10, 20, 30, 40]), { height: 4, width: 4, filter: 'nearest' });
    expect([...r.data]).toEqual([10, 10, 20, 20, 10, 10, 20, 20, 30, 30, 40, 40, 30, 30, 40, 40]);
  });

  it('area downscale by an integer factor averages each block', () => {
    const src = img(4, 2, 1, [0, 10, 100, 200, 20, 30, 50, 250]);
    const r = resizeImage(src, { height: 1, width: 2, filter: 'area' });
    expect([...r.data]).toEqual([15, 150]); // (0+10+20+30)/4, (100+200+50+250)/4
    const rgb = resizeImage(img(2, 2, 3, [0, 0, 0, 100, 10, 1, 200, 20, 2, 255, 30, 4]), { height: 1, width: 1, filter: 'area' });
    expect([...rgb.data]).toEqual([139, 15, 2]); // 138.75, 15, 1.75
  });

  it('bilinear 2x upscale interpolates at quarter positions (PIL convention)', () => {
    const r = resizeImage(img(2, 1, 1, [0, 100]), { height: 1, width: 4, filter: 'bilinear' });
    expect([...r.data]).toEqual([0, 25, 75, 100]);
  });

  it('bicubic preserves a linear ramp in the interior and stays in 0..255', () => {
    const ramp = img(8, 1, 1, [0, 32, 64, 96, 128, 160, 192, 224]);
    const r = resizeImage(ramp, { height: 1, width: 16, filter: 'bicubic' });
    expect(r.data[8]).toBe(120); // centre of output 8 is source x=4.25-0.5 -> 3.75 * 32 = 120
    const edge = resizeImage(img(4, 1, 1, [0, 0, 255, 255]), { height: 1, width: 16, filter: 'bicubic' });
    expect(Math.min(...edge.data)).toBe(0);
    expect(Math.max(...edge.data)).toBe(255);
  });

  it('returns the same image when the size already matches', () => {
    const a = img(2, 2, 1, [1, 2, 3, 4]);
    expect(resizeImage(a, { height: 2, width: 2, filter: 'bicubic' })).toBe(a);
  });
});

describe('parseResize', () => {
  it('parses HxW and validates the filter', () => {
    expect(parseResize('28x28', 'area')).toEqual({ height: 28, width: 28, filter: 'area' });
    expect(parseResize('32X24')).toEqual({ height: 32, width: 24, filter: 'bilinear' });
    expect(() => parseResize('28', 'area')).toThrow(/--resize '28'/);
    expect(() => parseResize('0x5')).toThrow(GenbenchError);
    expect(() => parseResize('28x28', 'lanczos')).toThrow(/--filter 'lanczos'.*nearest, bilinear, bicubic, area/);
  });
});

describe('decodeImage and channels', () => {
  it('decodes gray, RGB and RGBA PNGs to their channel count', () => {
    const g = decodeImage(encodePngGray([0, 128, 255, 7], 2, 2), 'g.png');
    expect([g.width, g.height, g.channels, ...g.data]).toEqual([2, 2, 1, 0, 128, 255, 7]);
    const rgba = decodeImage(encodePng(Uint8Array.of(255, 0, 0, 9), 1, 1, 4), 'a.png');
    expect([rgba.channels, ...rgba.data]).toEqual([4, 255, 0, 0, 9]);
  });

  it('decodes JPEGs: colour as RGB', () => {
    const rgba = new Uint8Array(8 * 8 * 4).fill(200);
    const bytes = jpeg.encode({ data: rgba, width: 8, height: 8 }, 95).data;
    const d = decodeImage(bytes, 'x.jpg');
    expect([d.width, d.height, d.channels]).toEqual([8, 8, 3]);
    expect(d.data.every((v) => Math.abs(v - 200) <= 2)).toBe(true);
  });

  it('converts channels: BT.601 luma, gray replicated, alpha dropped', () => {
    expect(luma(255, 0, 0)).toBe(76);
    expect(luma(0, 255, 0)).toBe(150);
    expect(luma(0, 0, 255)).toBe(29);
    expect([...toChannels(img(1, 1, 3, [255, 255, 255]), 1).data]).toEqual([255]);
    expect([...toChannels(img(1, 1, 1, [9]), 3).data]).toEqual([9, 9, 9]);
    const rgba: DecodedImage = { data: Uint8Array.of(1, 2, 3, 0), width: 1, height: 1, channels: 4 };
    expect([...toChannels(rgba, 3).data]).toEqual([1, 2, 3]);
  });

  it('names the file for corrupt or unknown data', () => {
    const png = encodePng(new Uint8Array(16), 4, 4, 1);
    expect(() => decodeImage(png.subarray(0, 40), 'cut.png')).toThrow(/cut\.png: corrupt PNG/);
    expect(() => decodeImage(Uint8Array.of(0xff, 0xd8, 0xff, 0x00, 1, 2), 'bad.jpg')).toThrow(/bad\.jpg: corrupt JPEG/);
    expect(() => decodeImage(Uint8Array.of(1, 2, 3, 4), 'x.gif')).toThrow(/x\.gif: not a PNG or JPEG/);
  });
});

/** A true grayscale PNG (colour type 0) via pngjs. */
function encodePngGray(values: number[], width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  values.forEach((v, i) => {
    png.data[i * 4] = png.data[i * 4 + 1] = png.data[i * 4 + 2] = v;
    png.data[i * 4 + 3] = 255;
  });
  return PNG.sync.write(png, { colorType: 0, inputHasAlpha: true });
}
