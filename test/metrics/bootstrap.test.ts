import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prdcResampled } from '../../metrics/prdc-resampled.js';
import { bootstrapGroup, DECOMPOSED_METHOD, percentile, percentileBootstrap, recentredInterval, RECENTRED_METHOD } from '../../metrics/bootstrap.js';
import { getMetric } from '../../metrics/index.js';
import { kidResampled, mmd2Unbiased } from '../../metrics/kid.js';
import { prdcWithContributions } from '../../metrics/prdc.js';
import type { FeatureMetricDescriptor, FeatureSets, MetricDescriptor, MetricParams } from '../../metrics/types.js';
import { rowSlice, type Matrix } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';
import { normalQuantile } from '../../src/stats/normal.js';
import { sampleVariance } from '../../src/stats/quantile.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { loadMatrix } from './load.js';

const shared = optionalSharedAssets();
const gauss = (rng: Rng, rows: number, cols: number, shift = 0): Matrix => ({ rows, cols, data: rng.fillNormal(new Float64Array(rows * cols)).map((x) => x + shift) });
const halfWidth = (ci: readonly [number, number]) => (ci[1] - ci[0]) / 2;
const params = (d: MetricDescriptor, over: MetricParams = {}): MetricParams => ({ ...d.defaults, ...over });

describe('bootstrap building blocks', () => {
  it('interpolates percentiles as numpy (linear), equal infinite neighbours stay infinite', () => {
    const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(v, 0.025)).toBeCloseTo(1.225, 12);
    expect(percentile(v, 0.975)).toBeCloseTo(9.775, 12);
    expect(percentile([1, Infinity, Infinity], 0.9)).toBe(Infinity);
  });

  it('re-centres a percentile interval on the point value and reports the shift', () => {
    expect(recentredInterval(Float64Array.of(5, 1, 3, 4, 2), 2, 0.5)).toEqual({ ci: [1, 3], bias: 1 });
    const wide = recentredInterval(Float64Array.of(1, 2, 3, 4, 5), 3, 0.5, 2.5 * 3); // var 2.5, extra 7.5 -> x2
    expect(wide.ci).toEqual([1, 5]);
  });

  it('generic percentile bootstrap of a mean: seeded, brackets the mean, narrows with more data', async () => {
    const rng = new Rng(1);
    const small = Array.from({ length: 50 }, () => rng.normal());
    const big = Array.from({ length: 2000 }, () => rng.normal());
    const mean = (xs: number[], idx: Int32Array) => ({ m: Array.from(idx).reduce((s, i) => s + xs[i]!, 0) / idx.length });
    const a = await percentileBootstrap([small.length], async ([i]) => mean(small, i!), { seed: 4 });
    expect(await percentileBootstrap([small.length], async ([i]) => mean(small, i!), { seed: 4 })).toEqual(a);
    const point = small.reduce((s, x) => s + x, 0) / small.length;
    expect(a['m']![0]).toBeLessThan(point);
    expect(a['m']![1]).toBeGreaterThan(point);
    const c = await percentileBootstrap([big.length], async ([i]) => mean(big, i!), { seed: 4, resamples: 100 });
    expect(c['m']![1] - c['m']![0]).toBeLessThan((a['m']![1] - a['m']![0]) / 3);
  });

  it('KID resample scheme: identity draws give the full-sample unbiased MMD^2', async () => {
    const rng = new Rng(3);
    const sets = { generated: gauss(rng, 40, 5, 0.3), reference: gauss(rng, 40, 5) };
    const id = Int32Array.from({ length: 40 }, (_, i) => i);
    const v = await kidResampled(sets, { generated: [id], reference: [id] });
    expect(v[0]).toBeCloseTo(await mmd2Unbiased(sets.generated, sets.reference), 12);
    const fixedRef = await kidResampled(sets, { generated: [id], reference: null });
    expect(fixedRef[0]).toBeCloseTo(v[0]!, 12);
  });

  it('any registered group: methods, fixed reference drops recall/coverage, pixel and IS', async () => {
    const rng = new Rng(2);
    const sets = { generated: gauss(rng, 80, 3, 0.5), reference: gauss(rng, 90, 3) };
    const d = getMetric('precision');
    const r = await bootstrapGroup(d, sets, d.defaults, { resamples: 50, seed: 1 });
    expect(Object.keys(r.intervals).sort()).toEqual(['coverage', 'density', 'precision', 'recall']);
    expect(r.intervals.precision).toMatchObject({ method: DECOMPOSED_METHOD, covers: 'generated and reference sampling' });
    const fixed = await bootstrapGroup(d, sets, d.defaults, { resamples: 50, seed: 1, resampleReference: false });
    expect(Object.keys(fixed.intervals).sort()).toEqual(['coverage', 'density', 'precision', 'recall']);
    expect(fixed.intervals.precision!.covers).toBe('generated sampling (reference held fixed)');
    // resampling the reference too widens the interval: it adds the reference's sampling and its radii's
    expect(halfWidth(r.intervals.recall!.ci)).toBeGreaterThan(halfWidth(fixed.intervals.recall!.ci));
    const is = getMetric('is');
    const logits = { generated: gauss(rng, 200, 10), kind: 'logits' as const };
    const ri = await bootstrapGroup(is, logits, params(is, { splits: 2 }), { resamples: 30 });
    expect(ri.intervals.is!.method).toBe(RECENTRED_METHOD);
    expect(ri.intervals.is!.ci[0]).toBeLessThan(ri.results.is!.value);
    expect(ri.intervals.is!.ci[1]).toBeGreaterThan(ri.results.is!.value);
    const px = getMetric('ssim');
    const stack = (shift: number) => ({ n: 12, height: 11, width: 11, channels: 1, data: new Rng(9).fillNormal(new Float64Array(12 * 121)).map((x) => 100 + 30 * x + shift) });
    const rp = await bootstrapGroup(px, { generated: stack(0), reference: stack(5) }, params(px, { range: 255 }), { resamples: 50 });
    for (const id of ['mse', 'l1', 'psnr', 'ssim'] as const) {
      expect(rp.intervals[id]!.ci[0]).toBeLessThanOrEqual(rp.results[id]!.value);
      expect(rp.intervals[id]!.ci[1]).toBeGreaterThanOrEqual(rp.results[id]!.value);
    }
  });
});

describe('FD: re-centred vs raw percentile interval (simulation, d = 8, N = 300, 30 repetitions)', () => {
  it('the re-centred interval covers the mean of repeated FD values; the raw one does not', async () => {
    const d = 8;
    const n = 300;
    const fd = getMetric('fd');
    const lam = Array.from({ length: d }, (_, j) => 0.7 + (0.7 * j) / (d - 1)); // close sets: FD's bias dominates
    const rng = new Rng(11);
    const reps: { value: number; ci: [number, number]; bias: number }[] = [];
    for (let r = 0; r < 30; r++) {
      const generated = gauss(rng, n, d);
      generated.data.forEach((x, i) => (generated.data[i] = 0.05 + Math.sqrt(lam[i % d]!) * x));
      const b = await bootstrapGroup(fd, { generated, reference: gauss(rng, n, d) }, fd.defaults, { resamples: 100, seed: r });
      reps.push({ value: b.results.fd!.value, ci: b.intervals.fd!.ci, bias: b.intervals.fd!.bootstrapBias! });
    }
    const mean = reps.reduce((s, x) => s + x.value, 0) / reps.length;
    const covers = (lo: number, hi: number) => lo <= mean && mean <= hi;
    const recentred = reps.filter((x) => covers(x.ci[0], x.ci[1])).length;
    const raw = reps.filter((x) => covers(x.ci[0] + x.bias, x.ci[1] + x.bias)).length;
    expect(recentred).toBeGreaterThanOrEqual(24); // 29 of 30 with these seeds
    expect(raw).toBeLessThanOrEqual(15); // 9 of 30: the raw interval sits one bias (~0.17, sd of FD ~0.06) too high
  });
});

describe.skipIf(!shared)('bootstrap on gauss-small (fake.npy vs real.npy, 2000 x 64)', () => {
  let sets: FeatureSets;
  let small: FeatureSets;
  const kidParams = (d: MetricDescriptor) => params(d, { subsets: 10 });
  beforeAll(() => {
    const dir = join(shared!, 'fixtures/metrics/gauss-small');
    sets = { generated: loadMatrix(dir, 'fake.npy'), reference: loadMatrix(dir, 'real.npy') };
    small = { generated: rowSlice(sets.generated, 0, 500), reference: rowSlice(sets.reference, 0, 500) };
  });

  it('every ci95 contains its point value; intervals narrow from N = 500 to 2000; same seed, same interval', async () => {
    for (const [id, p, resamples] of [['precision', {}, 200], ['fd', {}, 60], ['kid', { subsets: 10 }, 200]] as const) {
      const d = getMetric(id);
      const big = await bootstrapGroup(d, sets, params(d, p), { resamples, seed: 7 });
      for (const [k, iv] of Object.entries(big.intervals)) {
        const v = big.results[k as 'fd']!.value;
        expect(iv.ci[0], `${k} lower`).toBeLessThan(v);
        expect(iv.ci[1], `${k} upper`).toBeGreaterThan(v);
      }
      const sp = id === 'kid' ? { subsets: 10, subsetSize: 250 } : p;
      const little = await bootstrapGroup(d, small, params(d, sp), { resamples, seed: 7 });
      // density is left out: on this fixture its per-sample terms are heavy-tailed at N = 2000 (one generated sample
      // lies in 101 reference balls), so its standard error barely shrinks; its interval is checked against the SE below.
      for (const [k, iv] of Object.entries(big.intervals).filter(([k]) => k !== 'density')) {
        expect(halfWidth(iv.ci), `${k} narrows`).toBeLessThan(halfWidth(little.intervals[k as 'fd']!.ci) * 0.75);
      }
      const again = await bootstrapGroup(d, sets, params(d, p), { resamples, seed: 7, point: big.results });
      expect(again.intervals).toEqual(big.intervals);
    }
  }, 120_000);

  it('k-NN metrics: all-ones multiplicities give the point values; with the reference fixed precision is exactly binomial', async () => {
    const d = getMetric('precision');
    const id = Int32Array.from({ length: 2000 }, (_, i) => i);
    const p = { kPr: 3, kDc: 5, comparePr: '<=' as const, compareDc: '<' as const };
    const ones = await prdcResampled(sets, { generated: [id], reference: [id] }, p);
    const point = await prdcWithContributions(sets);
    for (const k of ['precision', 'recall', 'density', 'coverage'] as const) expect(ones.values[k][0], k).toBeCloseTo(point.values[k], 3);
    const r = await bootstrapGroup(d, sets, d.defaults, { resamples: 400, seed: 1, resampleReference: false });
    const m = point.values.precision;
    // Given the reference, precision is a mean of 2000 independent indicators: variance p (1 - p) / (n - 1), with
    // Agresti-Coull's z^2 pseudo-rows (half of them hits).
    const z2 = normalQuantile(0.975) ** 2;
    const size = 2000 + z2;
    const hits = m * 2000 + z2 / 2;
    const expected = normalQuantile(0.975) * Math.sqrt((hits - (hits * hits) / size) / (size - 1) / size);
    expect(halfWidth(r.intervals.precision!.ci) / expected).toBeCloseTo(1, 9);
    expect(r.intervals.precision!.method).toBe(DECOMPOSED_METHOD);
  }, 60_000);

  it('precision and density: variance by the law of total variance, the reference part from reference half-samples less their diagonal', async () => {
    const id = Int32Array.from({ length: 2000 }, (_, i) => i);
    const p = { kPr: 3, kDc: 5, comparePr: '<=' as const, compareDc: '<' as const };
    const rng = new Rng(5);
    const halves = Array.from({ length: 50 }, () => rng.sampleWithoutReplacement(2000, 1000));
    const r = await prdcResampled(sets, { generated: Array.from({ length: 50 }, () => id), reference: halves }, p);
    const point = await prdcWithContributions(sets);
    for (const k of ['precision', 'density'] as const) {
      const v = r.variance[k]!;
      expect(v.total).toBeCloseTo(v.generated + v.reference, 15);
      expect(v.reference).toBeGreaterThan(0);
      // The reference part is the spread over the halves less a non-negative diagonal, so at most that spread.
      const spread = sampleVariance(r.values[k]);
      expect(v.reference).toBeLessThanOrEqual(spread * (1 + 1e-12));
    }
    // E Var(precision | R) is the binomial variance of the point value's indicators (to Agresti-Coull's pseudo-rows).
    const m = point.values.precision;
    expect(r.variance.precision!.generated / ((m * (1 - m)) / 1999)).toBeCloseTo(1, 2);
    const g = await bootstrapGroup(getMetric('precision'), sets, getMetric('precision').defaults, { resamples: 50, seed: 1 });
    for (const k of ['precision', 'density'] as const) expect(g.intervals[k]!.method).toBe(DECOMPOSED_METHOD);
    for (const k of ['recall', 'coverage'] as const) expect(g.intervals[k]!.method).toBe(RECENTRED_METHOD);
  }, 60_000);

  it('KID: the interval adds the subset noise and the extrapolated variance to the half-samples\' spread', async () => {
    const d = getMetric('kid');
    const p = kidParams(d);
    const r = await bootstrapGroup(d, sets, p, { resamples: 100, seed: 2 });
    const point = r.results.kid!;
    expect(r.intervals.kid!.ci[0]).toBeLessThan(point.value);
    expect(r.intervals.kid!.ci[1]).toBeGreaterThan(point.value);
    expect(Math.abs(r.intervals.kid!.bootstrapBias!)).toBeLessThan(halfWidth(r.intervals.kid!.ci));
    // the jackknife's Monte-Carlo error of the extrapolated variance, more than a plain percentile interval's
    expect(r.intervals.kid!.monteCarloError).toBeGreaterThan(1 / Math.sqrt(200));
  }, 60_000);
});

describe('half-samples', () => {
  /** A group whose value is the mean of the first feature of the generated rows; it records every draw it sees. */
  function meanGroup(resampling: NonNullable<MetricDescriptor['resampling']>, seen: number[][]): MetricDescriptor {
    const { contributions: _c, resampled: _r, ...base } = getMetric('precision') as FeatureMetricDescriptor;
    const group: FeatureMetricDescriptor = {
      ...base,
      group: 'mean-of-first-feature',
      resampling,
      compute: async (input) => {
        const g = input.generated;
        const rows = Array.from({ length: g.rows }, (_, i) => g.data[i * g.cols]!);
        seen.push(rows);
        return { precision: { value: rows.reduce((a, b) => a + b, 0) / rows.length } };
      },
    };
    return group;
  }

  it('draw floor(n / 2) distinct rows, and their spread of a mean gives the interval of the mean at n', async () => {
    const n = 401;
    const rng = new Rng(5);
    const data = new Float64Array(n * 2);
    for (let i = 0; i < n; i++) [data[2 * i], data[2 * i + 1]] = [i + rng.normal() * 1e-3, rng.normal()];
    const x: Matrix = { rows: n, cols: 2, data };
    const seen: number[][] = [];
    const r = await bootstrapGroup(meanGroup('half-sample', seen), { generated: x, reference: x }, {}, { resamples: 2000, seed: 3 });
    const draws = seen.slice(1); // the first call is the point value
    expect(draws).toHaveLength(2000);
    for (const rows of draws.slice(0, 50)) {
      expect(rows).toHaveLength(200);
      expect(new Set(rows.map(Math.round)).size).toBe(200); // no row drawn twice
    }
    // the mean of n rows has sd s / sqrt(n); the half-samples' spread, scaled by 200 / 201, estimates it
    const column = Array.from({ length: n }, (_, i) => data[2 * i]!);
    const mean = column.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(column.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) / n);
    const half = halfWidth(r.intervals.precision!.ci);
    expect(half / (1.96 * sd)).toBeGreaterThan(0.93);
    expect(half / (1.96 * sd)).toBeLessThan(1.07);
    expect(r.intervals.precision!.monteCarloError).toBeCloseTo(1 / Math.sqrt(4000), 3);
  });

  it("'half-extrapolated' groups also draw nested quarters: the first half of each half", async () => {
    const n = 64;
    const x: Matrix = { rows: n, cols: 1, data: Float64Array.from({ length: n }, (_, i) => i) };
    const seen: number[][] = [];
    await bootstrapGroup(meanGroup('half-extrapolated', seen), { generated: x, reference: x }, {}, { resamples: 20, seed: 1 });
    const [halves, quarters] = [seen.slice(1, 21), seen.slice(21)];
    expect(quarters).toHaveLength(20);
    halves.forEach((h, k) => {
      expect(h).toHaveLength(32);
      expect(new Set(h).size).toBe(32);
      expect(quarters[k]).toEqual(h.slice(0, 16));
    });
  });
});
