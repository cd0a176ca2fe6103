import { toUint8, type ImageBatchU8 } from '../io/image.js';
import { colourLabels } from '../io/label-colours.js';
import type { PairImages } from './paired.js';

/**
 * Images of a pair (or a triplet: input | output | target) joined side by side into one tile each, for PNG grids in
 * which every tile is one pair. Float images are quantised for display like samples (io/image.ts toUint8); gray
 * sides are repeated to RGB when another side is RGB. Label maps (a segmentation task's targets and outputs,
 * `labels: true`) are quantised the same way (the value in the 0..255 scale is the label, as Dice reads it) and drawn
 * in the categorical colour map of io/label-colours.ts: background black, label k one fixed colour in every panel.
 *
 * @example
 * const tiles = sideBySide([asDisplay(split.source), asDisplay(split.target)], 16); // 16 tiles of 64x128
 * await writeGridPng('pairs.png', tiles, { columns: 4, padding: TILE_PADDING });
 * asDisplay(split.target, { labels: true }).channels; // 3 (RGB colours of the labels)
 */
export function asDisplay(b: PairImages, o: { readonly labels?: boolean } = {}): ImageBatchU8 {
  const u8 =
    b.data instanceof Uint8Array && b.range[0] === 0 && b.range[1] === 255
      ? { data: b.data, n: b.n, height: b.height, width: b.width, channels: b.channels }
      : toUint8({ data: Float32Array.from(b.data), n: b.n, height: b.height, width: b.width, channels: b.channels, range: b.range });
  return o.labels === true && u8.channels === 1 ? colourLabels(u8) : u8;
}

/** Padding between pair tiles in grids (wider than the gap between the sides of a pair). */
export const TILE_PADDING = 6;

/** The first `count` rows of batches of one height, joined left to right (a 1-px grey gap between sides). */
export function sideBySide(sides: readonly ImageBatchU8[], count: number): ImageBatchU8 {
  const n = Math.min(count, ...sides.map((s) => s.n));
  const height = sides[0]!.height;
  const channels = sides.some((s) => s.channels === 3) ? 3 : 1;
  const gap = 1;
  const width = sides.reduce((a, s) => a + s.width, 0) + gap * (sides.length - 1);
  const data = new Uint8Array(n * height * width * channels).fill(128); // the gap between sides: mid-grey, unlike the grid's white padding between tiles
  for (let i = 0; i < n; i++) {
    let x0 = 0;
    for (const s of sides) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < s.width; x++) {
          const src = ((i * s.height + y) * s.width + x) * s.channels;
          const dst = ((i * height + y) * width + x0 + x) * channels;
          for (let k = 0; k < channels; k++) data[dst + k] = s.data[src + (s.channels === 1 ? 0 : k)]!;
        }
      }
      x0 += s.width + gap;
    }
  }
  return { data, n, height, width, channels };
}
