import { GenbenchError } from '../errors.js';
import { resizeImage, type ResizeSpec } from '../io/image-codec.js';
import type { ImageBatchU8 } from '../io/image.js';
import { quantileOf } from '../stats/quantile.js';
import type { NiftiHeader, NiftiVolume } from './nifti.js';

/**
 * 2-D slices of a volume as 8-bit images: the plane's voxel axis found from the affine, an intensity window, a
 * square pad and genbench's one resize (`resizeImage`).
 *
 * Planes: axial slices are normal to world z (superior), coronal to world y (anterior), sagittal to world x (right);
 * the voxel axis of each is the one whose direction is closest to that world axis, so a volume stored in another
 * axis order slices the same. In-plane orientation (neurological): axial and coronal images have the subject's right
 * (+x) to the right; axial images have anterior (+y) at the top, coronal and sagittal superior (+z) at the top;
 * sagittal images have anterior to the right.
 *
 * Windows map voxel values v to u8 = round-half-even(255 clip((v - lo) / (hi - lo), 0, 1)): `percentile` takes lo
 * and hi as percentiles (numpy's linear interpolation) of every voxel of the named volume (MRI, whose units are
 * arbitrary), `level` is a CT window in Hounsfield units (lo = level - width / 2, hi = level + width / 2), `range`
 * gives lo and hi as they are. `labels` (a label map, e.g. an anatomical parcellation) keeps each voxel's integer
 * label as its u8 value (lo 0, hi 255: the identity on 0..255; `labelCount` checks the volume holds only such
 * integers), and a labelled side is resized with `nearest`, never interpolated.
 *
 * @example
 * const g = planeGeometry(vol, 'axial');             // { normal: 2, rows: 1, cols: 0, ... }
 * const [lo, hi] = windowBounds({ kind: 'percentile', low: 0.5, high: 99.5, of: 'source' }, { source, target }); // [0, 178]
 * volumeSlices(vol, g, [90, 91], [lo, hi], { height: 64, width: 64, filter: 'area' }, 'pad-square').n; // 2
 */
export type Plane = 'axial' | 'coronal' | 'sagittal';

export type IntensityWindow =
  | { readonly kind: 'percentile'; readonly low: number; readonly high: number; readonly of: 'source' | 'target' }
  | { readonly kind: 'level'; readonly level: number; readonly width: number }
  | { readonly kind: 'range'; readonly min: number; readonly max: number }
  | { readonly kind: 'labels' };

export type Fit = 'pad-square' | 'stretch';

export interface PlaneGeometry {
  readonly plane: Plane;
  /** Voxel axis normal to the plane (the slice index runs along it). */
  readonly normal: 0 | 1 | 2;
  /** Voxel axis along image rows (top to bottom) and along columns (left to right). */
  readonly rows: 0 | 1 | 2;
  readonly cols: 0 | 1 | 2;
  /** Whether the voxel index decreases down the rows / along the columns. */
  readonly rowsFlipped: boolean;
  readonly colsFlipped: boolean;
  /** Number of slices along the normal. */
  readonly count: number;
}

/** World axes: normal, image columns, image rows (each read with its positive direction up or to the right). */
const PLANE_AXES: Readonly<Record<Plane, readonly [number, number, number]>> = {
  axial: [2, 0, 1],
  coronal: [1, 0, 2],
  sagittal: [0, 1, 2],
};

/** The voxel axes of a plane from the affine's direction cosines. */
export function planeGeometry(h: Pick<NiftiHeader, 'affine' | 'dims'>, plane: Plane): PlaneGeometry {
  const [wNormal, wCols, wRows] = PLANE_AXES[plane];
  const free = [0, 1, 2];
  const take = (world: number): 0 | 1 | 2 => {
    const row = h.affine[world]!;
    const best = free.reduce((a, b) => (Math.abs(row[b]!) > Math.abs(row[a]!) ? b : a));
    free.splice(free.indexOf(best), 1);
    return best as 0 | 1 | 2;
  };
  const normal = take(wNormal);
  const cols = take(wCols);
  const rows = take(wRows);
  return {
    plane,
    normal,
    rows,
    cols,
    colsFlipped: h.affine[wCols]![cols]! < 0,
    rowsFlipped: h.affine[wRows]![rows]! > 0, // the top row is the largest world coordinate
    count: h.dims[normal],
  };
}

/** The window's [lo, hi] in voxel units; a window that is empty (hi <= lo) is an INPUT error naming the volume. */
export function windowBounds(w: IntensityWindow, volumes: { readonly source: NiftiVolume; readonly target: NiftiVolume }): [number, number] {
  let lo: number;
  let hi: number;
  let what: string;
  if (w.kind === 'percentile') {
    const vol = volumes[w.of];
    [lo, hi] = percentiles(vol.data, [w.low, w.high]) as [number, number];
    what = `${vol.path}: percentiles ${w.low} and ${w.high}`;
  } else if (w.kind === 'level') {
    lo = w.level - w.width / 2;
    hi = w.level + w.width / 2;
    what = `window level ${w.level} width ${w.width}`;
  } else if (w.kind === 'range') {
    [lo, hi] = [w.min, w.max];
    what = `window ${w.min}..${w.max}`;
  } else {
    return [0, 255];
  }
  if (!(hi > lo)) throw new GenbenchError('INPUT', `${what} give an empty intensity window [${lo}, ${hi}]; choose a wider window`);
  return [lo, hi];
}

/**
 * The largest label of a label volume whose voxels (after scl_slope/inter) are integers 0..255; anything else is an
 * INPUT error naming the volume (a label map with other values would lose labels in 8 bits).
 *
 * @example
 * labelCount(aal); // 116
 */
export function labelCount(vol: NiftiVolume): number {
  let max = 0;
  for (let i = 0; i < vol.data.length; i++) {
    const v = vol.data[i]!;
    if (!(v >= 0 && v <= 255 && v === Math.floor(v))) {
      throw new GenbenchError('INPUT', `${vol.path}: voxel ${i} holds ${v}, not a label 0..255; a 'labels' window needs an integer label map of at most 255 labels`);
    }
    if (v > max) max = v;
  }
  return max;
}

/**
 * Percentiles (0..100) of the values, numpy's default linear interpolation between order statistics (stats
 * quantileOf). Integer values spanning at most 2^16 levels (uint8 and int16 volumes) are counted in a histogram;
 * anything else is sorted.
 *
 * @example
 * percentiles(Float32Array.of(4, 1, 3, 2), [50, 100]); // [2.5, 4]
 */
export function percentiles(values: Float32Array, qs: readonly number[]): number[] {
  const at = orderStatistic(values);
  return qs.map((q) => quantileOf(at, values.length, q / 100));
}

/** The k-th smallest value (0-based) of the values, by a histogram of integer levels or a sorted copy. */
function orderStatistic(values: Float32Array): (k: number) => number {
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    if (integral && v !== Math.floor(v)) integral = false;
  }
  if (!integral || max - min >= 65536) {
    const sorted = Float32Array.from(values).sort();
    return (k) => sorted[k]!;
  }
  const counts = new Float64Array(max - min + 2);
  for (let i = 0; i < values.length; i++) counts[values[i]! - min + 1]!++;
  for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!; // counts[l]: values below level min + l
  return (k) => {
    let lo = 0;
    let hi = counts.length - 2; // the largest level l with counts[l] <= k
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (counts[mid]! <= k) lo = mid;
      else hi = mid - 1;
    }
    return min + lo;
  };
}

/** Slices `indices` along the normal, windowed to 8 bits, fitted (square pad or stretch) and resized. */
export function volumeSlices(vol: NiftiVolume, g: PlaneGeometry, indices: readonly number[], window: readonly [number, number], size: ResizeSpec, fit: Fit): ImageBatchU8 {
  const out = new Uint8Array(indices.length * size.height * size.width);
  indices.forEach((k, i) => {
    let img = windowedSlice(vol, g, k, window);
    if (fit === 'pad-square') img = padSquare(img);
    out.set(resizeImage({ ...img, channels: 1 }, size).data, i * size.height * size.width);
  });
  return { data: out, n: indices.length, height: size.height, width: size.width, channels: 1 };
}

function windowedSlice(vol: NiftiVolume, g: PlaneGeometry, k: number, [lo, hi]: readonly [number, number]): { data: Uint8Array; height: number; width: number } {
  const dims = vol.dims;
  const stride = [1, dims[0], dims[0] * dims[1]] as const;
  const height = dims[g.rows];
  const width = dims[g.cols];
  // voxel offset of pixel (r, c) = base + r * rowStep + c * colStep, the flips folded into base and steps
  const rowStep = g.rowsFlipped ? -stride[g.rows] : stride[g.rows];
  const colStep = g.colsFlipped ? -stride[g.cols] : stride[g.cols];
  const base = k * stride[g.normal] + (g.rowsFlipped ? (height - 1) * stride[g.rows] : 0) + (g.colsFlipped ? (width - 1) * stride[g.cols] : 0);
  const data = new Uint8Array(height * width);
  const scale = 255 / (hi - lo);
  const src = vol.data;
  for (let r = 0; r < height; r++) {
    const row = base + r * rowStep;
    for (let c = 0; c < width; c++) {
      const v = src[row + c * colStep]!;
      const x = ((v < lo ? lo : v > hi ? hi : v) - lo) * scale;
      let u = Math.round(x); // rounds halves up; x >= 0, so an odd result at an exact half moves down to the even one
      if (u - x === 0.5 && (u & 1) === 1) u -= 1;
      data[r * width + c] = u;
    }
  }
  return { data, height, width };
}

/** Centres the image on a black square of side max(height, width). */
function padSquare(img: { data: Uint8Array; height: number; width: number }): { data: Uint8Array; height: number; width: number } {
  const side = Math.max(img.height, img.width);
  if (img.height === side && img.width === side) return img;
  const data = new Uint8Array(side * side);
  const top = Math.floor((side - img.height) / 2);
  const left = Math.floor((side - img.width) / 2);
  for (let r = 0; r < img.height; r++) data.set(img.data.subarray(r * img.width, (r + 1) * img.width), (top + r) * side + left);
  return { data, height: side, width: side };
}
