/**
 * A 3x5 pixel font for the characters of distances and indices ("0-9 . - # e +" and space), to label neighbour
 * panels without a font dependency. Each glyph is 5 rows of 3 bits (bit 2 = left column).
 *
 * @example
 * drawText(canvas, { width: 200, channels: 3 }, '4.21', { x: 2, y: 60, scale: 2, color: [0, 0, 0] });
 */
const GLYPHS: Readonly<Record<string, readonly number[]>> = {
  '0': [7, 5, 5, 5, 7],
  '1': [2, 6, 2, 2, 7],
  '2': [7, 1, 7, 4, 7],
  '3': [7, 1, 3, 1, 7],
  '4': [5, 5, 7, 1, 1],
  '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7],
  '7': [7, 1, 1, 2, 2],
  '8': [7, 5, 7, 5, 7],
  '9': [7, 5, 7, 1, 7],
  '.': [0, 0, 0, 0, 2],
  '-': [0, 0, 7, 0, 0],
  '+': [0, 2, 7, 2, 0],
  '#': [5, 7, 5, 7, 5],
  'e': [0, 7, 7, 4, 7],
  ' ': [0, 0, 0, 0, 0],
};

/** Width in pixels of `text` at `scale` (3 columns + 1 space per character). */
export function textWidth(text: string, scale: number): number {
  return Math.max(0, text.length * 4 - 1) * scale;
}

export const TEXT_HEIGHT = 5;

export interface Canvas {
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** Draws `text` with its top-left corner at (x, y); unknown characters are drawn as '#'; clipped to the canvas. */
export function drawText(c: Canvas, text: string, at: { x: number; y: number; scale: number; color: readonly number[] }): void {
  let x0 = at.x;
  for (const ch of text) {
    const g = GLYPHS[ch] ?? GLYPHS['#']!;
    for (let r = 0; r < 5; r++) {
      for (let col = 0; col < 3; col++) {
        if (((g[r]! >> (2 - col)) & 1) === 0) continue;
        fillRect(c, x0 + col * at.scale, at.y + r * at.scale, at.scale, at.scale, at.color);
      }
    }
    x0 += 4 * at.scale;
  }
}

/** Fills a w x h rectangle (clipped) with `color` (one value per channel; the first is used for gray canvases). */
export function fillRect(c: Canvas, x: number, y: number, w: number, h: number, color: readonly number[]): void {
  for (let yy = Math.max(0, y); yy < Math.min(c.height, y + h); yy++) {
    for (let xx = Math.max(0, x); xx < Math.min(c.width, x + w); xx++) {
      const p = (yy * c.width + xx) * c.channels;
      for (let k = 0; k < c.channels; k++) c.pixels[p + k] = color[Math.min(k, color.length - 1)]!;
    }
  }
}
