import { writeFileAtomic } from '../io/atomic.js';
import { imageSize, type ImageBatchU8 } from '../io/image.js';
import { encodePng } from '../io/png.js';
import { drawText, fillRect, TEXT_HEIGHT, textWidth, type Canvas } from './tiny-font.js';

/**
 * The neighbour panel: one row per suspicious generated sample, the sample (red frame) then its nearest training
 * images, each labelled below with its distance (3x5 pixel digits, tiny-font.ts); the sample's label is its
 * generated index. The same facts go to a legend JSON beside the PNG (`x.png` -> `x.legend.json`).
 *
 * @example
 * const rows = suspiciousSamples(perSample, 8);                 // generated indices, most suspicious first
 * await writePanel('panel.png', { generated, train, rows: [{ sample: 3, neighbours: [12, 40], distances: [0, 5.2] }], space: 'pixel' });
 */
export interface PanelRow {
  /** Index of the generated sample. */
  readonly sample: number;
  /** Training row indices, nearest first, and their distances. */
  readonly neighbours: ArrayLike<number>;
  readonly distances: ArrayLike<number>;
}

export interface PanelInput {
  readonly generated: ImageBatchU8;
  readonly train: ImageBatchU8;
  readonly rows: readonly PanelRow[];
  /** Space the distances were measured in, for the legend ('pixel' or 'features'). */
  readonly space: string;
}

/**
 * Generated indices ordered by suspicion: ratio d1 / d2 of nearest to second-nearest training distance ascending,
 * then d1 ascending (a copy has d1 ~ 0 and a small ratio); the first `count`.
 */
export function suspiciousSamples(s: { d1: ArrayLike<number>; d2: ArrayLike<number> }, count: number): number[] {
  const ratio = (i: number) => (s.d2[i]! > 0 ? s.d1[i]! / s.d2[i]! : 0);
  const order = Array.from({ length: s.d1.length }, (_, i) => i);
  order.sort((a, b) => ratio(a) - ratio(b) || s.d1[a]! - s.d1[b]! || a - b);
  return order.slice(0, count);
}

/** The panel as an RGB image. */
export function panelImage(p: PanelInput): Canvas {
  const { height: h, width: w } = p.generated;
  const scale = Math.max(1, Math.round(56 / Math.max(h, w)));
  const ts = 2; // text scale
  const cols = 1 + Math.max(0, ...p.rows.map((r) => r.neighbours.length));
  const tileW = Math.max(w * scale, textWidth('0.000e+00', ts));
  const rowH = h * scale + TEXT_HEIGHT * ts + 10;
  const gap = 12;
  const width = 4 + cols * (tileW + 4) + gap;
  const height = 4 + p.rows.length * (rowH + 4);
  const c: Canvas = { pixels: new Uint8Array(width * height * 3).fill(255), width, height, channels: 3 };
  p.rows.forEach((r, y) => {
    const y0 = 4 + y * (rowH + 4);
    fillRect(c, 2, y0 - 2, w * scale + 4, h * scale + 4, [220, 30, 30]);
    drawTile(c, p.generated, r.sample, 4, y0, scale);
    drawText(c, `#${r.sample}`, { x: 4, y: y0 + h * scale + 4, scale: ts, color: [200, 0, 0] });
    for (let k = 0; k < r.neighbours.length; k++) {
      const x0 = 4 + gap + (k + 1) * (tileW + 4);
      drawTile(c, p.train, r.neighbours[k]!, x0, y0, scale);
      drawText(c, formatDistance(r.distances[k]!), { x: x0, y: y0 + h * scale + 4, scale: ts, color: [0, 0, 0] });
    }
  });
  return c;
}

/** Writes the panel PNG and its legend JSON (atomically); returns the legend path. */
export async function writePanel(path: string, p: PanelInput): Promise<string> {
  const c = panelImage(p);
  await writeFileAtomic(path, encodePng(c.pixels, c.width, c.height, 3));
  const legendPath = path.replace(/\.png$/i, '') + '.legend.json';
  const legend = {
    space: p.space,
    layout: 'one row per generated sample (red frame, labelled #index), then its nearest training images left to right, each labelled with its distance',
    rows: p.rows.map((r) => ({ sample: r.sample, neighbours: Array.from(r.neighbours, (t, k) => ({ train_index: t, distance: r.distances[k]! })) })),
  };
  await writeFileAtomic(legendPath, `${JSON.stringify(legend, null, 2)}\n`);
  return legendPath;
}

/** Three significant digits; exponent form outside [0.001, 10000). */
export function formatDistance(d: number): string {
  if (d === 0) return '0';
  return d >= 0.001 && d < 10000 ? String(Number(d.toPrecision(3))) : d.toExponential(2);
}

function drawTile(c: Canvas, b: ImageBatchU8, index: number, x0: number, y0: number, scale: number): void {
  const size = imageSize(b);
  for (let y = 0; y < b.height * scale; y++) {
    for (let x = 0; x < b.width * scale; x++) {
      const s = index * size + (Math.floor(y / scale) * b.width + Math.floor(x / scale)) * b.channels;
      const d = ((y0 + y) * c.width + x0 + x) * 3;
      for (let k = 0; k < 3; k++) c.pixels[d + k] = b.data[s + (b.channels >= 3 ? k : 0)]!;
    }
  }
}
