import { luma, resizeImage } from '../io/image-codec.js';
import { imageSize, type ImageBatchU8 } from '../io/image.js';
import { encodePng } from '../io/png.js';
import type { Rng } from '../rng.js';

/**
 * The one path every image shown to a rater takes, real, generated and vigilance alike: the image is brought to the
 * display shape of the model's dataset (bilinear resize of the one resize implementation, channels by luma or
 * replication), kept as uint8, given a fresh ±1 grey-level dither drawn for this serving (invisible, but no served
 * image is byte- or pixel-identical to a dataset file or to an earlier serving), and written by the same PNG encoder
 * with the same options (RGBA, no metadata chunks). So the bytes say nothing about where an image came from;
 * only its content does.
 */

/** Height, width and channels of the images raters see next to a model. */
export interface DisplayShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Image `i` of a batch through the shared display path, as a PNG data URL.
 *
 * @example
 * serveImage(batch, 0, { height: 28, width: 28, channels: 1 }, rng); // 'data:image/png;base64,iVBORw0KGgo...'
 */
export function serveImage(batch: ImageBatchU8, i: number, shape: DisplayShape, rng: Rng): string {
  const pixels = displayPixels(batch, i, shape, rng);
  const png = encodePng(pixels, shape.width, shape.height, shape.channels);
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}

/**
 * The pixels `serveImage` encodes: image `i` at the display shape, dithered by -1, 0 or +1 per value (uniform,
 * clamped to 0..255).
 *
 * @example
 * displayPixels(batch, 0, { height: 28, width: 28, channels: 1 }, rng).length; // 784
 */
export function displayPixels(batch: ImageBatchU8, i: number, shape: DisplayShape, rng: Rng): Uint8Array {
  const size = imageSize(batch);
  const src = batch.data.subarray(i * size, (i + 1) * size);
  const shaped = toShape({ data: src, height: batch.height, width: batch.width, channels: batch.channels }, shape);
  const out = new Uint8Array(shaped.length);
  for (let p = 0; p < out.length; p++) out[p] = Math.min(255, Math.max(0, shaped[p]! + rng.int(3) - 1));
  return out;
}

function toShape(img: { data: Uint8Array; height: number; width: number; channels: number }, shape: DisplayShape): Uint8Array {
  let data = img.data;
  if (img.channels !== shape.channels) data = convertChannels(data, img.channels, shape.channels);
  if (img.height === shape.height && img.width === shape.width) return data;
  const channels = shape.channels as 1 | 3 | 4;
  return resizeImage({ data, height: img.height, width: img.width, channels }, { height: shape.height, width: shape.width, filter: 'bilinear' }).data;
}

/** Gray to RGB(A) by replication, RGB(A) to gray by Rec. 601 luma, RGB <-> RGBA by dropping or adding opaque alpha. */
function convertChannels(data: Uint8Array, from: number, to: number): Uint8Array {
  const n = data.length / from;
  const out = new Uint8Array(n * to);
  for (let p = 0; p < n; p++) {
    const s = p * from;
    const r = data[s]!;
    const g = from >= 3 ? data[s + 1]! : r;
    const b = from >= 3 ? data[s + 2]! : r;
    if (to === 1) out[p] = luma(r, g, b);
    else {
      out[p * to] = r;
      out[p * to + 1] = g;
      out[p * to + 2] = b;
      if (to === 4) out[p * to + 3] = from === 4 ? data[s + 3]! : 255;
    }
  }
  return out;
}
