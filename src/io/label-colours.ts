import type { ImageBatchU8 } from './image.js';

/**
 * The categorical colour map of label maps in PNG grids (segmentation targets and outputs): label 0 (background)
 * black, label k >= 1 the HSL colour of hue k * 137.508° (the golden angle, so labels close in number get far-apart
 * hues), saturation 0.7 and lightness cycling through 0.5, 0.65, 0.38 with k mod 3 (so the few hues that come
 * close again after many turns differ in lightness). Fixed, so label k has one colour in every panel, grid and run;
 * the 255 labels a uint8 map can hold all get distinct colours, none of them black or grey.
 *
 * @example
 * labelColour(0); // [0, 0, 0]
 * labelColour(1); // [103, 228, 140] (hue 137.5°, lightness 0.65)
 * colourLabels({ data: Uint8Array.of(0, 1), n: 1, height: 1, width: 2, channels: 1 }).channels; // 3
 */
export const GOLDEN_ANGLE = 137.50776405003785;
const SATURATION = 0.7;
const LIGHTNESS = [0.5, 0.65, 0.38] as const;

/** RGB (0..255) of label `k` (an integer 0..255). */
export function labelColour(k: number): [number, number, number] {
  if (k === 0) return [0, 0, 0];
  return hslToRgb((k * GOLDEN_ANGLE) % 360, SATURATION, LIGHTNESS[k % 3]!);
}

/** The 256 colours of labels 0..255 as one RGB table (label k at 3k..3k+2). */
export const LABEL_PALETTE: Uint8Array = (() => {
  const t = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) t.set(labelColour(k), 3 * k);
  return t;
})();

/** A one-channel batch of label maps (pixel value = label) as RGB images in the colour map. */
export function colourLabels(b: ImageBatchU8): ImageBatchU8 {
  if (b.channels !== 1) throw new RangeError(`label maps have one channel, got ${b.channels}`);
  const data = new Uint8Array(b.data.length * 3);
  for (let i = 0; i < b.data.length; i++) data.set(LABEL_PALETTE.subarray(3 * b.data[i]!, 3 * b.data[i]! + 3), 3 * i);
  return { ...b, data, channels: 3 };
}

/** HSL (hue in degrees, saturation and lightness in [0, 1]) to RGB rounded to 0..255 (the CSS Color 4 formula). */
function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const a = s * Math.min(l, 1 - l);
  const f = (n: number): number => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}
