import { Rng } from '../rng.js';
import type { ImageBatchU8 } from '../io/image.js';
import { requireSplit, resolveSlice, formatSplit, sliceSplit } from './split-spec.js';
import type { Dataset, DatasetSplit } from './types.js';

/**
 * Synthetic convex polygons, after Lucic et al. 2017 ("Are GANs Created Equal? A Large-Scale Study", the
 * triangles/polygons task where sample quality is checkable): one white filled convex polygon of 3 to 6 vertices on
 * a black 28x28 grayscale image, label = vertex count.
 *
 * Image i of a split is drawn from its own Rng seeded by (seed, i), so any slice is generated without the rest.
 * Vertices sit at jittered angles on an ellipse (always convex), rotated and placed uniformly so the whole polygon
 * lies in [1.5, 26.5]^2, leaving at least one black pixel on every border. Rejection keeps it non-degenerate: every
 * interior angle in [MIN_ANGLE, MAX_ANGLE] (no vertex is a near-straight corner), every edge >= MIN_EDGE px, area
 * >= MIN_AREA px^2. Anti-aliasing by 4x4 supersampling: value = round(255 * covered subpixel centres / 16).
 */
export const POLYGON_SIZE = 28;
const SS = 4; // subpixels per pixel along each axis
const MARGIN = 1.5;
const MIN_ANGLE = (25 * Math.PI) / 180;
const MAX_ANGLE = (150 * Math.PI) / 180;
const MIN_EDGE = 3;
const MIN_AREA = 40;
/** Grey level for each count of covered subpixels: round(255 * count / SS^2). */
const LEVELS = Uint8Array.from({ length: SS * SS + 1 }, (_, c) => Math.round((255 * c) / (SS * SS)));

type Point = readonly [number, number];

/**
 * Generates images [start, stop) of the polygon stream with this seed.
 *
 * @example
 * const { images, labels } = generatePolygons({ seed: 1, start: 0, stop: 100 });
 * images.n; // 100, each 28x28x1; labels[i] in 3..6
 */
export function generatePolygons(opts: { seed: number; start: number; stop: number }): { images: ImageBatchU8; labels: Int32Array } {
  const n = opts.stop - opts.start;
  const px = POLYGON_SIZE * POLYGON_SIZE;
  const data = new Uint8Array(n * px);
  const labels = new Int32Array(n);
  const cover = new Uint8Array(px);
  for (let i = 0; i < n; i++) {
    const rng = new Rng(mixSeed(opts.seed, opts.start + i));
    const k = 3 + rng.int(4);
    labels[i] = k;
    rasterize(randomPolygon(rng, k), cover);
    for (let p = 0; p < px; p++) data[i * px + p] = LEVELS[cover[p]!]!;
  }
  return { images: { data, n, height: POLYGON_SIZE, width: POLYGON_SIZE, channels: 1 }, labels };
}

/**
 * A 32-bit seed for image `index` of stream `seed` (murmur3 finaliser over both).
 *
 * @example
 * new Rng(mixSeed(2, 17)); // the stream that draws image 17 of the test split
 */
export function mixSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ index) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A random convex polygon with k vertices (counter-clockwise) that passes the non-degeneracy checks.
 *
 * @example
 * randomPolygon(new Rng(0), 3); // [[x0, y0], [x1, y1], [x2, y2]], all within [1.5, 26.5]
 */
export function randomPolygon(rng: Rng, k: number): Point[] {
  for (;;) {
    const step = (2 * Math.PI) / k;
    const phase = rng.float() * 2 * Math.PI;
    const radius = 7 + rng.float() * 5.5;
    const aspect = 0.7 + rng.float() * 0.3;
    const rot = rng.float() * Math.PI;
    const pts: Point[] = [];
    for (let j = 0; j < k; j++) {
      const a = phase + step * (j + (rng.float() - 0.5) * 0.6);
      const x = radius * Math.cos(a);
      const y = radius * aspect * Math.sin(a);
      pts.push([x * Math.cos(rot) - y * Math.sin(rot), x * Math.sin(rot) + y * Math.cos(rot)]);
    }
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const room = POLYGON_SIZE - 2 * MARGIN;
    const w = Math.max(...xs) - Math.min(...xs);
    const h = Math.max(...ys) - Math.min(...ys);
    if (w > room || h > room) continue;
    const dx = MARGIN - Math.min(...xs) + rng.float() * (room - w);
    const dy = MARGIN - Math.min(...ys) + rng.float() * (room - h);
    const placed = pts.map(([x, y]) => [x + dx, y + dy] as const);
    if (wellShaped(placed)) return placed;
  }
}

/**
 * Whether interior angles, edge lengths and area of a convex polygon are within the limits.
 *
 * @example
 * wellShaped([[2, 2], [20, 2], [11, 20]]); // true
 */
export function wellShaped(pts: readonly Point[]): boolean {
  const k = pts.length;
  let area2 = 0;
  for (let j = 0; j < k; j++) {
    const [ax, ay] = pts[(j + k - 1) % k]!;
    const [bx, by] = pts[j]!;
    const [cx, cy] = pts[(j + 1) % k]!;
    area2 += bx * cy - cx * by;
    const e1x = ax - bx, e1y = ay - by, e2x = cx - bx, e2y = cy - by;
    const l1 = Math.hypot(e1x, e1y);
    if (l1 < MIN_EDGE) return false;
    const angle = Math.acos(Math.max(-1, Math.min(1, (e1x * e2x + e1y * e2y) / (l1 * Math.hypot(e2x, e2y)))));
    if (angle < MIN_ANGLE || angle > MAX_ANGLE) return false;
  }
  return Math.abs(area2) / 2 >= MIN_AREA;
}

/**
 * Counts, per pixel, the SSxSS subpixel centres inside the convex polygon. Scanline fill: each subpixel row's
 * centre line crosses a convex polygon in one interval [xl, xr]; the centres inside it are counted per pixel.
 */
function rasterize(pts: readonly Point[], cover: Uint8Array): void {
  cover.fill(0);
  const k = pts.length;
  const S = POLYGON_SIZE * SS;
  for (let r = 0; r < S; r++) {
    const y = (r + 0.5) / SS;
    let xl = Infinity;
    let xr = -Infinity;
    for (let j = 0; j < k; j++) {
      const [x0, y0] = pts[j]!;
      const [x1, y1] = pts[(j + 1) % k]!;
      if ((y < y0) === (y < y1)) continue; // edge does not cross this line (half-open rule)
      const x = x0 + ((y - y0) / (y1 - y0)) * (x1 - x0);
      if (x < xl) xl = x;
      if (x > xr) xr = x;
    }
    if (xl > xr) continue;
    const c0 = Math.max(0, Math.ceil(xl * SS - 0.5));
    const c1 = Math.min(S - 1, Math.floor(xr * SS - 0.5));
    const row = Math.floor(r / SS) * POLYGON_SIZE;
    if (c1 < c0) continue;
    const p0 = (c0 / SS) | 0;
    const p1 = (c1 / SS) | 0;
    if (p0 === p1) {
      cover[row + p0]! += c1 - c0 + 1;
      continue;
    }
    cover[row + p0]! += SS * (p0 + 1) - c0;
    cover[row + p1]! += c1 - SS * p1 + 1;
    for (let p = p0 + 1; p < p1; p++) cover[row + p]! += SS;
  }
}

/** Split seeds of the built-in `polygons` dataset; changing them changes every recipe that uses it. */
const SPLITS = [
  { name: 'train', count: 60000, seed: 1 },
  { name: 'test', count: 10000, seed: 2 },
] as const;

/**
 * The `polygons` dataset: no download, generated on demand (only the requested slice), deterministic.
 *
 * @example
 * const test = await polygons.load('test[:1000]'); // 1000 images 28x28x1, labels 3..6
 */
export const polygons: Dataset = {
  name: 'polygons',
  description: 'synthetic anti-aliased convex polygons (3 to 6 vertices), 28x28 grayscale, label = vertex count',
  license: 'generated by genbench (no licence restrictions); after Lucic et al. 2017',
  splits: SPLITS.map(({ name, count }) => ({ name, count, note: 'generated, no download' })),
  shape: { height: POLYGON_SIZE, width: POLYGON_SIZE, channels: 1 },
  classNames: ['3', '4', '5', '6'],
  async load(split: string): Promise<DatasetSplit> {
    const info = requireSplit('polygons', this.splits, split);
    const s = SPLITS.find((x) => x.name === info.name)!;
    const { shuffle, start, stop } = resolveSlice(split, s.count);
    const source = { files: [], preprocessing: { generator: 'polygons-v1', seed: s.seed, supersampling: SS } };
    if (shuffle !== undefined) {
      // a shuffled selection needs rows from anywhere in the split: generate it whole, then pick
      const whole = generatePolygons({ seed: s.seed, start: 0, stop: s.count });
      return sliceSplit({ images: whole.images, labels: whole.labels.map((l) => l - 3), split: s.name, source }, split);
    }
    const { images, labels } = generatePolygons({ seed: s.seed, start, stop });
    // labels are vertex counts 3..6; class index = count - 3
    const classes = labels.map((l) => l - 3);
    return { images, labels: classes, split: formatSplit(s.name, start, stop, s.count), source };
  },
  async available(split: string): Promise<boolean> {
    requireSplit('polygons', this.splits, split);
    return true;
  },
};
