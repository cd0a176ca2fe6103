/**
 * Precision, recall, density and coverage on two-sample resamples, with the k-NN radii recomputed on every
 * resample.
 *
 * A resample gives each generated row a multiplicity w_g and each reference row a multiplicity v_j: 0 or 1 for
 * the half-samples genbench's intervals use (metrics/bootstrap.ts), so every radius is a k-th neighbour distance
 * among distinct drawn rows, as the point value's are among all rows. With-replacement draws also work: copies of a
 * row are never counted as its own neighbours (the radius of row j is the smallest distance at which the
 * multiplicities of the OTHER rows of its set, in order of distance, add up to k), because a drawn-twice row is at
 * distance 0 from its copy and its ball would collapse. Then, per resample (cmp is '<=' or '<' as the point value's
 * parameters say; N = sum w, M = sum v):
 *   precision = sum_g w_g [exists j, v_j > 0: d(g, j) cmp r_j] / N        (reference radii, kPr)
 *   density   = sum_g w_g sum_j v_j [d(g, j) cmp r_j] / (kDc N)           (reference radii, kDc)
 *   recall    = sum_j v_j [exists g, w_g > 0: d(g, j) cmp r_g] / M        (generated radii, kPr)
 *   coverage  = sum_j v_j [exists g, w_g > 0: d(g, j) cmp r_j] / M        (reference radii, kDc)
 * So every interval covers the sampling of both sets, the manifolds included.
 *
 * Cost: the neighbour lists of each set (its L = 2 max(k) + 24 nearest other rows) and the generated x reference pairs
 * closer than the largest radius any resample gives are found in one tiled pass each (gemm products in float32,
 * distances in float64); each resample then costs O((n + m) L + pairs), not a k-NN search.
 *
 * @example
 * const values = await prdcResampled({ generated, reference }, draws, { kPr: 3, kDc: 5, comparePr: '<=', compareDc: '<' });
 * values.precision.length; // draws.generated.length
 */
import { gemm } from '../src/linalg/gemm.js';
import { rowSqNorms } from '../src/linalg/ball-counts.js';
import { rowSlice, type Matrix } from '../src/linalg/matrix.js';
import type { Progress } from '../src/progress.js';
import type { BallCompare } from './precision-recall.js';
import { weightsOf } from './resample.js';
import type { FeatureSets, ResampleDraws } from './types.js';

export interface PrdcResampleParams {
  readonly kPr: number;
  readonly kDc: number;
  readonly comparePr: BallCompare;
  readonly compareDc: BallCompare;
}

/** Sorted nearest other rows of each row of a set: L distances and indices per row. */
interface NeighbourTable {
  readonly l: number;
  readonly dist: Float64Array;
  readonly index: Int32Array;
}

const TILE_VALUES = 2 ** 23;

/** Squared distances of a tile of rows of x against all rows of y, in float64 from float32 products. */
async function distanceTile(x: Matrix, r0: number, r1: number, y: Matrix, xn: Float64Array, yn: Float64Array): Promise<Float64Array> {
  const g = await gemm(rowSlice(x, r0, r1), y, { transB: true, dtype: 'float32' });
  const m = y.rows;
  const out = g.data;
  for (let i = r0; i < r1; i++) {
    const o = (i - r0) * m;
    for (let j = 0; j < m; j++) out[o + j] = Math.max(0, xn[i]! + yn[j]! - 2 * out[o + j]!);
  }
  return out;
}

async function neighbourTable(x: Matrix, l: number): Promise<NeighbourTable> {
  const n = x.rows;
  const cap = Math.min(l, n - 1);
  const dist = new Float64Array(n * cap).fill(Infinity);
  const index = new Int32Array(n * cap).fill(-1);
  const norms = rowSqNorms(x);
  const tile = Math.max(1, Math.min(n, Math.floor(TILE_VALUES / n)));
  for (let r0 = 0; r0 < n; r0 += tile) {
    const r1 = Math.min(n, r0 + tile);
    const t = await distanceTile(x, r0, r1, x, norms, norms);
    for (let i = r0; i < r1; i++) {
      const o = (i - r0) * n;
      const base = i * cap;
      let worst = Infinity;
      for (let j = 0; j < n; j++) {
        const d = t[o + j]!;
        if (d >= worst || j === i) continue;
        let p = cap - 1;
        while (p > 0 && dist[base + p - 1]! > d) {
          dist[base + p] = dist[base + p - 1]!;
          index[base + p] = index[base + p - 1]!;
          p--;
        }
        dist[base + p] = d;
        index[base + p] = j;
        worst = dist[base + cap - 1]!;
      }
    }
  }
  for (let i = 0; i < dist.length; i++) dist[i] = Math.sqrt(dist[i]!);
  return { l: cap, dist, index };
}

/** Radius of every row for k, given the multiplicities of the rows of its own set (see the module comment). */
function radii(t: NeighbourTable, w: Float64Array, k: number, out: Float64Array): Float64Array {
  const rows = out.length;
  for (let i = 0; i < rows; i++) {
    let c = 0;
    let r = t.dist[i * t.l + t.l - 1]!;
    for (let p = 0; p < t.l; p++) {
      c += w[t.index[i * t.l + p]!]!;
      if (c >= k) {
        r = t.dist[i * t.l + p]!;
        break;
      }
    }
    out[i] = r;
  }
  return out;
}

/** Generated x reference pairs with d <= bound of either end, sorted by generated row. */
async function closePairs(g: Matrix, r: Matrix, boundG: Float64Array, boundR: Float64Array): Promise<{ gen: Int32Array; ref: Int32Array; dist: Float64Array }> {
  const gn = rowSqNorms(g);
  const rn = rowSqNorms(r);
  const m = r.rows;
  const bg2 = boundG.map((v) => v * v * (1 + 1e-9));
  const br2 = boundR.map((v) => v * v * (1 + 1e-9));
  let gen: number[] = [];
  let ref: number[] = [];
  let dist: number[] = [];
  const tile = Math.max(1, Math.min(g.rows, Math.floor(TILE_VALUES / m)));
  for (let r0 = 0; r0 < g.rows; r0 += tile) {
    const r1 = Math.min(g.rows, r0 + tile);
    const t = await distanceTile(g, r0, r1, r, gn, rn);
    for (let i = r0; i < r1; i++) {
      const o = (i - r0) * m;
      const bi = bg2[i]!;
      for (let j = 0; j < m; j++) {
        const d = t[o + j]!;
        if (d <= bi || d <= br2[j]!) {
          gen.push(i);
          ref.push(j);
          dist.push(Math.sqrt(d));
        }
      }
    }
  }
  const out = { gen: Int32Array.from(gen), ref: Int32Array.from(ref), dist: Float64Array.from(dist) };
  gen = ref = dist = [];
  return out;
}

function total(w: Float64Array): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i]!;
  return s;
}

function inside(d: number, r: number, cmp: BallCompare): boolean {
  return cmp === '<' ? d < r : d <= r;
}

/** All four metrics on every resample (see the module comment). */
export async function prdcResampled(sets: FeatureSets, draws: ResampleDraws, p: PrdcResampleParams, progress?: Progress): Promise<Record<'precision' | 'recall' | 'density' | 'coverage', Float64Array>> {
  const { generated: g, reference: r } = sets;
  const n = g.rows;
  const m = r.rows;
  const b = draws.generated.length;
  const l = 2 * Math.max(p.kPr, p.kDc) + 24; // a half-sample's k-th drawn neighbour is about the 2k-th of all
  const refTable = await neighbourTable(r, l);
  const genTable = await neighbourTable(g, l);
  const ws = Array.from({ length: b }, (_, k) => weightsOf(draws.generated, k, n));
  const vs = Array.from({ length: b }, (_, k) => weightsOf(draws.reference, k, m));
  const refPr = vs.map((v) => radii(refTable, v, p.kPr, new Float64Array(m)));
  const refDc = vs.map((v) => radii(refTable, v, p.kDc, new Float64Array(m)));
  const genPr = ws.map((w) => radii(genTable, w, p.kPr, new Float64Array(n)));
  const maxOf = (rs: Float64Array[], size: number, other?: Float64Array[]) => {
    const out = new Float64Array(size);
    for (const x of [...rs, ...(other ?? [])]) for (let i = 0; i < size; i++) out[i] = Math.max(out[i]!, x[i]!);
    return out;
  };
  const pairs = await closePairs(g, r, maxOf(genPr, n), maxOf(refPr, m, refDc));
  const out = { precision: new Float64Array(b), recall: new Float64Array(b), density: new Float64Array(b), coverage: new Float64Array(b) };
  const covered = new Uint8Array(m);
  const recalled = new Uint8Array(m);
  progress?.start(b, 'prdc bootstrap');
  for (let k = 0; k < b; k++) {
    const [w, v, rPr, rDc, gPr] = [ws[k]!, vs[k]!, refPr[k]!, refDc[k]!, genPr[k]!];
    covered.fill(0);
    recalled.fill(0);
    let prec = 0;
    let dens = 0;
    for (let q = 0; q < pairs.gen.length;) {
      const gi = pairs.gen[q]!;
      const wg = w[gi]!;
      let hit = 0;
      for (; q < pairs.gen.length && pairs.gen[q] === gi; q++) {
        if (wg === 0) continue;
        const j = pairs.ref[q]!;
        const vj = v[j]!;
        if (vj === 0) continue;
        const d = pairs.dist[q]!;
        if (inside(d, rPr[j]!, p.comparePr)) hit = 1;
        if (inside(d, rDc[j]!, p.compareDc)) {
          dens += wg * vj;
          covered[j] = 1;
        }
        if (inside(d, gPr[gi]!, p.comparePr)) recalled[j] = 1;
      }
      prec += wg * hit;
    }
    const nw = total(w);
    out.precision[k] = prec / nw;
    out.density[k] = dens / (p.kDc * nw);
    let rec = 0;
    let cov = 0;
    for (let j = 0; j < m; j++) {
      rec += v[j]! * recalled[j]!;
      cov += v[j]! * covered[j]!;
    }
    const mv = total(v);
    out.recall[k] = rec / mv;
    out.coverage[k] = cov / mv;
    progress?.tick();
  }
  progress?.stop();
  return out;
}
