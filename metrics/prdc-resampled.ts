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
 * So every interval covers the sampling of both sets, the manifolds included. Precision's and density's variance is
 * read differently, by the law of total variance (prdcResampled): their values on reference-only resamples are a
 * second pass over the same pairs.
 *
 * Cost: the neighbour lists of each set (its L = 2 max(k) + 24 nearest other rows) and the generated x reference pairs
 * closer than the largest radius any resample gives are found in one tiled pass each (gemm products in float32,
 * distances in float64); each resample then costs O((n + m) L + pairs), not a k-NN search.
 *
 * @example
 * const r = await prdcResampled({ generated, reference }, draws, { kPr: 3, kDc: 5, comparePr: '<=', compareDc: '<' });
 * r.values.recall.length; // draws.generated.length
 * r.variance.precision; // { generated: 1.1e-4, reference: 3.0e-5, total: 1.4e-4, monteCarloError: 0.02 }
 */
import { gemm } from '../src/linalg/gemm.js';
import { rowSqNorms } from '../src/linalg/ball-counts.js';
import { rowSlice, type Matrix } from '../src/linalg/matrix.js';
import type { Progress } from '../src/progress.js';
import { normalQuantile } from '../src/stats/normal.js';
import { sampleVariance } from '../src/stats/quantile.js';
import type { BallCompare } from './precision-recall.js';
import { ones, weightsOf } from './resample.js';
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

/** Generated x reference pairs (row indices and distance), sorted by generated row. */
interface ClosePairs {
  readonly gen: Int32Array;
  readonly ref: Int32Array;
  readonly dist: Float64Array;
}

/** Generated x reference pairs with d <= bound of either end, sorted by generated row. */
async function closePairs(g: Matrix, r: Matrix, boundG: Float64Array, boundR: Float64Array): Promise<ClosePairs> {
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

/** Scratch flags of one pass over the close pairs (which reference rows are covered, recalled), reused by every pass. */
interface PassState {
  readonly covered: Uint8Array;
  readonly recalled: Uint8Array;
}

/** Per generated row, the running sum and sum of squares of its precision and density terms over resamples. */
class RowTerms {
  readonly hit: Float64Array[];
  readonly dens: Float64Array[];
  constructor(n: number) {
    this.hit = [new Float64Array(n), new Float64Array(n)];
    this.dens = [new Float64Array(n), new Float64Array(n)];
  }

  add(g: number, hit: number, dens: number): void {
    this.hit[0]![g] += hit;
    this.hit[1]![g] += hit * hit;
    this.dens[0]![g] += dens;
    this.dens[1]![g] += dens * dens;
  }

  /** Sum over rows of each row's sample variance of its term across b resamples, over n^2: the diagonal of Var(mean). */
  diagonal(b: number): { precision: number; density: number } {
    const d = ([s1, s2]: Float64Array[]) => {
      let t = 0;
      for (let i = 0; i < s1!.length; i++) t += (s2![i]! - (s1![i]! * s1![i]!) / b) / (b - 1);
      return t / s1!.length ** 2;
    };
    return { precision: d(this.hit), density: d(this.dens) };
  }
}

interface Radii {
  readonly refPr: Float64Array;
  readonly refDc: Float64Array;
  readonly genPr: Float64Array;
}

/** The four values for generated multiplicities w and reference multiplicities v (see the module comment); with
 * `terms`, each drawn generated row's precision and density terms are added to it. */
function onePass(pairs: ClosePairs, w: Float64Array, v: Float64Array, rr: Radii, p: PrdcResampleParams, st: PassState, terms?: RowTerms): Record<PrdcId, number> {
  const { covered, recalled } = st;
  covered.fill(0);
  recalled.fill(0);
  let prec = 0;
  let dens = 0;
  for (let q = 0; q < pairs.gen.length;) {
    const gi = pairs.gen[q]!;
    const wg = w[gi]!;
    let hit = 0;
    let dg = 0;
    for (; q < pairs.gen.length && pairs.gen[q] === gi; q++) {
      if (wg === 0) continue;
      const j = pairs.ref[q]!;
      const vj = v[j]!;
      if (vj === 0) continue;
      const d = pairs.dist[q]!;
      if (inside(d, rr.refPr[j]!, p.comparePr)) hit = 1;
      if (inside(d, rr.refDc[j]!, p.compareDc)) {
        dg += vj;
        covered[j] = 1;
      }
      if (inside(d, rr.genPr[gi]!, p.comparePr)) recalled[j] = 1;
    }
    prec += wg * hit;
    dens += wg * dg;
    if (terms !== undefined && wg > 0) terms.add(gi, hit, dg / p.kDc);
  }
  const nw = total(w);
  let rec = 0;
  let cov = 0;
  for (let j = 0; j < v.length; j++) {
    rec += v[j]! * recalled[j]!;
    cov += v[j]! * covered[j]!;
  }
  const mv = total(v);
  return { precision: prec / nw, density: dens / (p.kDc * nw), recall: rec / mv, coverage: cov / mv };
}

type PrdcId = 'precision' | 'recall' | 'density' | 'coverage';

/** Variance of precision or density at full size, decomposed by the law of total variance (see prdcResampled). */
export interface DecomposedVariance {
  /** E Var(T | reference): the sample variance of the generated rows' terms over n (the terms are independent given the reference). */
  readonly generated: number;
  /** Var E(T | reference): the off-diagonal part of T's spread over reference half-samples with every generated row kept. */
  readonly reference: number;
  readonly total: number;
  /** Relative Monte-Carlo sd of sqrt(total) (only the reference part is resampled). */
  readonly monteCarloError: number;
}

export interface PrdcResampled {
  /** The four metrics on every resample of `draws`; precision and density on the reference-only resamples when `variance` has them. */
  readonly values: Record<PrdcId, Float64Array>;
  /** Precision's and density's variance at full size, when computed by decomposition. */
  readonly variance: Partial<Record<'precision' | 'density', DecomposedVariance>>;
}

/**
 * All four metrics on every resample (see the module comment), and precision's and density's variance by
 * decomposition. Both are means over generated rows of a term h(g; R) that depends on the row and the reference set
 * R, so Var T = E Var(T | R) + Var E(T | R):
 * - E Var(T | R): given R the terms are independent, so it is the sample variance of the terms at full size over n,
 *   computed exactly, with no resampling (with Agresti-Coull's z^2 pseudo-rows, so that a set with no hit, where
 *   that variance is 0, still gets the interval a count of zero allows);
 * - Var E(T | R): T is recomputed on the reference half-samples with every generated row kept, and the diagonal of
 *   that spread (each generated row's own variance across the resamples, over n^2) is removed: it is pair-specific
 *   noise (which row falls in which ball) that E Var(T | R) already holds, and what is left is the covariance the
 *   reference induces between rows, i.e. the variance of E(T | R).
 * Halving both sets at once counts that pair-specific part twice and inflates it again through the halves' larger
 * radii: in 256 dimensions with precision near 0.01 its intervals were 1.6-2x wider than needed. Recall and coverage
 * keep the two-sample half-samples (recall's terms are means over reference rows of a generated-set property, and
 * coverage's depend on the reference rows' own radii, so neither splits this way). With the reference held fixed
 * (`draws.reference` null) the variance is E Var(T | R) alone.
 */
export async function prdcResampled(sets: FeatureSets, draws: ResampleDraws, p: PrdcResampleParams, progress?: Progress): Promise<PrdcResampled> {
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
  const allG = ones(n);
  const allR = ones(m);
  const full: Radii = { refPr: radii(refTable, allR, p.kPr, new Float64Array(m)), refDc: radii(refTable, allR, p.kDc, new Float64Array(m)), genPr: radii(genTable, allG, p.kPr, new Float64Array(n)) };
  const maxOf = (rs: Float64Array[], size: number, other?: Float64Array[]) => {
    const out = new Float64Array(size);
    for (const x of [...rs, ...(other ?? [])]) for (let i = 0; i < size; i++) out[i] = Math.max(out[i]!, x[i]!);
    return out;
  };
  const pairs = await closePairs(g, r, maxOf([...genPr, full.genPr], n), maxOf([...refPr, full.refPr], m, [...refDc, full.refDc]));
  const st: PassState = { covered: new Uint8Array(m), recalled: new Uint8Array(m) };
  const values: Record<PrdcId, Float64Array> = { precision: new Float64Array(b), recall: new Float64Array(b), density: new Float64Array(b), coverage: new Float64Array(b) };
  const decompose = draws.reference !== null && b >= 2;
  progress?.start(decompose ? 2 * b : b, 'prdc bootstrap');
  for (let k = 0; k < b; k++) {
    const v = onePass(pairs, ws[k]!, vs[k]!, { refPr: refPr[k]!, refDc: refDc[k]!, genPr: genPr[k]! }, p, st);
    for (const id of Object.keys(values) as PrdcId[]) values[id][k] = v[id];
    progress?.tick();
  }
  // E Var(T | R): the generated rows' terms at full size.
  const own = new RowTerms(n);
  onePass(pairs, allG, allR, full, p, st, own);
  // With z^2 / 2 pseudo-rows holding one hit (one ball, for density) and z^2 / 2 holding none (Agresti-Coull): a set
  // with no hit still gets an interval as wide as a count of zero allows, and with many hits nothing changes.
  const z2 = normalQuantile(0.975) ** 2;
  const ownVar = (s: Float64Array, unit: number) => {
    let t = (z2 / 2) * unit;
    let q = (z2 / 2) * unit * unit;
    for (let i = 0; i < n; i++) {
      t += s[i]!;
      q += s[i]! * s[i]!;
    }
    const size = n + z2;
    return (q - (t * t) / size) / (size - 1) / size;
  };
  const generated = { precision: ownVar(own.hit[0]!, 1), density: ownVar(own.dens[0]!, 1 / p.kDc) };
  const variance: Partial<Record<'precision' | 'density', DecomposedVariance>> = {};
  if (draws.reference !== null && b < 2) {
    progress?.stop();
    return { values, variance };
  }
  if (!decompose) {
    for (const id of ['precision', 'density'] as const) variance[id] = { generated: generated[id], reference: 0, total: generated[id], monteCarloError: 0 };
    progress?.stop();
    return { values, variance };
  }
  // Var E(T | R): reference half-samples with every generated row kept, less the diagonal.
  const terms = new RowTerms(n);
  const onRef = { precision: new Float64Array(b), density: new Float64Array(b) };
  for (let k = 0; k < b; k++) {
    const v = onePass(pairs, allG, vs[k]!, { refPr: refPr[k]!, refDc: refDc[k]!, genPr: full.genPr }, p, st, terms);
    onRef.precision[k] = v.precision;
    onRef.density[k] = v.density;
    progress?.tick();
  }
  progress?.stop();
  const half = draws.reference![0]!.length;
  const scale = m > half ? half / (m - half) : 1; // the delete-d jackknife's factor (1 for even m)
  const diag = terms.diagonal(b);
  for (const id of ['precision', 'density'] as const) {
    const spread = sampleVariance(onRef[id]);
    const reference = scale * Math.max(0, spread - diag[id]);
    const tot = generated[id] + reference;
    // Only the reference part is resampled: its spread's relative sd is about sqrt(2 / (b - 1)), and sqrt halves it.
    const monteCarloError = tot > 0 ? (0.5 * Math.sqrt(2 / (b - 1)) * scale * spread) / tot : 0;
    variance[id] = { generated: generated[id], reference, total: tot, monteCarloError };
    values[id] = onRef[id];
  }
  return { values, variance };
}
