import type { Matrix } from '../linalg/matrix.js';
import type { Rng } from '../rng.js';

/**
 * k-means cells for the data-copying test (Meehan et al. 2020 partition the space by k-means fitted on the training
 * set). Initialisation k-means++ (Arthur & Vassilvitskii 2007) from a seeded Rng, then Lloyd iterations until no
 * assignment changes (or `maxIter`); an empty cluster takes the point farthest from its centre. One initialisation
 * (sklearn's default n_init = 10 is not reproduced: the seed is recorded instead). Distances are exact float64
 * squared Euclidean distances by direct differences, so `assignCells` with the same centres gives the same labels as
 * any exact implementation (sklearn `KMeans.predict`) away from exact ties; ties go to the lower centre index.
 *
 * @example
 * const { centers, labels } = kmeans(trainFeatures, { k: 10, rng: new Rng(0) });
 * centers.rows;                              // 10
 * assignCells(generated, centers);           // Int32Array: each row's nearest centre
 */
export interface KmeansOptions {
  readonly k: number;
  readonly rng: Rng;
  /** Lloyd iterations at most (default 100). */
  readonly maxIter?: number;
}

export interface KmeansResult {
  readonly centers: Matrix;
  readonly labels: Int32Array;
  /** Lloyd iterations run. */
  readonly iterations: number;
}

export function kmeans(x: Matrix, opts: KmeansOptions): KmeansResult {
  const { k } = opts;
  if (!Number.isInteger(k) || k < 1 || k > x.rows) throw new RangeError(`k-means needs 1 <= k <= ${x.rows} rows, got k = ${k}`);
  const centers = initPlusPlus(x, k, opts.rng);
  let labels: Int32Array = new Int32Array(x.rows).fill(-1);
  let it = 0;
  for (; it < (opts.maxIter ?? 100); it++) {
    const next = assignCells(x, centers);
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    if (!changed) break;
    updateCenters(x, centers, labels);
  }
  return { centers, labels, iterations: it };
}

/** Each row's nearest centre (exact float64 squared Euclidean distances; ties to the lower index). */
export function assignCells(x: Matrix, centers: Matrix): Int32Array {
  if (x.cols !== centers.cols) throw new RangeError(`rows have ${x.cols} features but the centres have ${centers.cols}`);
  const out = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = Infinity;
    for (let c = 0; c < centers.rows; c++) {
      const d = sqDist(x, i, centers, c);
      if (d < best) {
        best = d;
        out[i] = c;
      }
    }
  }
  return out;
}

function sqDist(a: Matrix, i: number, b: Matrix, j: number): number {
  const d = a.cols;
  let s = 0;
  for (let k = 0, p = i * d, q = j * d; k < d; k++, p++, q++) {
    const t = a.data[p]! - b.data[q]!;
    s += t * t;
  }
  return s;
}

function initPlusPlus(x: Matrix, k: number, rng: Rng): Matrix {
  const d = x.cols;
  const centers = { rows: k, cols: d, data: new Float64Array(k * d) };
  const first = rng.int(x.rows);
  centers.data.set(x.data.subarray(first * d, (first + 1) * d), 0);
  const closest = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) closest[i] = sqDist(x, i, centers, 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < x.rows; i++) total += closest[i]!;
    let pick = 0;
    if (total > 0) {
      let r = rng.float() * total;
      for (pick = 0; pick < x.rows - 1; pick++) {
        r -= closest[pick]!;
        if (r < 0) break;
      }
    } else pick = rng.int(x.rows); // every point sits on a centre already
    centers.data.set(x.data.subarray(pick * d, (pick + 1) * d), c * d);
    for (let i = 0; i < x.rows; i++) closest[i] = Math.min(closest[i]!, sqDist(x, i, centers, c));
  }
  return centers;
}

function updateCenters(x: Matrix, centers: Matrix, labels: Int32Array): void {
  const d = x.cols;
  const sums = new Float64Array(centers.rows * d);
  const counts = new Int32Array(centers.rows);
  for (let i = 0; i < x.rows; i++) {
    const c = labels[i]!;
    counts[c]!++;
    for (let k = 0; k < d; k++) sums[c * d + k]! += x.data[i * d + k]!;
  }
  for (let c = 0; c < centers.rows; c++) {
    if (counts[c] === 0) {
      const far = farthestPoint(x, centers, labels);
      centers.data.set(x.data.subarray(far * d, (far + 1) * d), c * d);
      labels[far] = c;
      continue;
    }
    for (let k = 0; k < d; k++) centers.data[c * d + k] = sums[c * d + k]! / counts[c]!;
  }
}

function farthestPoint(x: Matrix, centers: Matrix, labels: Int32Array): number {
  let best = 0;
  let far = -1;
  for (let i = 0; i < x.rows; i++) {
    const dist = sqDist(x, i, centers, labels[i]!);
    if (dist > far) {
      far = dist;
      best = i;
    }
  }
  return best;
}
