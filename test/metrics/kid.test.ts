import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { Rng } from '../../src/rng.js';
import { kid, mmd2Unbiased } from '../../metrics/kid.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { loadExpected, loadInt32Rows, loadMatrix } from './load.js';

const shared = optionalSharedAssets();

function gaussian(rng: Rng, rows: number, cols: number, shift = 0) {
  const data = rng.fillNormal(new Float64Array(rows * cols)).map((v) => v + shift);
  return { rows, cols, data };
}

describe.skipIf(!shared)('kid golden (gauss-small, torch-fidelity 0.4.0)', () => {
  const dir = join(shared ?? '', 'fixtures/metrics/gauss-small');
  const exp = () => loadExpected(dir).kid;
  const sets = () => ({ generated: loadMatrix(dir, 'fake.npy'), reference: loadMatrix(dir, 'real.npy') });

  it('reproduces the seeded value and std with numpy subset indices', async () => {
    const e = exp();
    const indices = { generated: loadInt32Rows(dir, 'kid_subsets_fake.npy'), reference: loadInt32Rows(dir, 'kid_subsets_real.npy') };
    const r = await kid(sets(), { indices });
    const tol = e.tolerance.seeded_exact;
    expect(Math.abs(r.value - e.value)).toBeLessThanOrEqual(tol.rtol * Math.abs(e.value) + tol.atol);
    expect(Math.abs(r.std - e.std)).toBeLessThanOrEqual(tol.rtol * Math.abs(e.std) + tol.atol);
    e.per_subset_mmd2_at_seed.slice(0, 5).forEach((v: number, i: number) => expect(r.perSubset[i]).toBeCloseTo(v, 12));
  });

  it('float32 products (as torch-fidelity on float32 features) stay within 1e-6 of the float64 value, far below the std', async () => {
    const e = exp();
    const indices = { generated: loadInt32Rows(dir, 'kid_subsets_fake.npy'), reference: loadInt32Rows(dir, 'kid_subsets_real.npy') };
    const r = await kid(sets(), { indices, products: 'float32' });
    expect(Math.abs(r.value - e.value)).toBeLessThan(1e-6 * e.value);
    expect(Math.abs(r.value - e.value_float32_native)).toBeLessThan(1e-6 * e.value);
    expect(Math.abs(r.value - e.value)).toBeLessThan(1e-4 * e.std);
    expect(Math.abs(r.std - e.std)).toBeLessThan(1e-5 * e.std);
  });

  it('with genbench RNG, the mean and std lie within the reference seed spread', async () => {
    const e = exp();
    const r = await kid(sets(), { seed: 2020 });
    expect(Math.abs(r.value - e.seed_sweep.mean_of_means)).toBeLessThanOrEqual(e.tolerance.own_rng.atol);
    expect(Math.abs(r.std - e.seed_sweep.mean_of_stds)).toBeLessThanOrEqual(e.tolerance.own_rng.std_atol);
    expect(r.subsets).toBe(100);
    expect(r.subsetSize).toBe(1000);
  });

  it('one subset of all samples equals the full-sample unbiased MMD^2', async () => {
    const e = exp();
    const s = sets();
    const v = await mmd2Unbiased(s.generated, s.reference);
    expect(Math.abs(v - e.full_sample_unbiased_mmd2)).toBeLessThanOrEqual(e.tolerance.full_sample.rtol * Math.abs(e.full_sample_unbiased_mmd2));
  });
});

describe('kid analytic and errors', () => {
  it('is ~0 in expectation for sets from one distribution, and positive for shifted sets', async () => {
    const rng = new Rng(1);
    const a = gaussian(rng, 400, 8);
    const b = gaussian(rng, 400, 8);
    const same = await kid({ generated: a, reference: b }, { subsets: 20, subsetSize: 200, seed: 3 });
    expect(Math.abs(same.value)).toBeLessThan(3 * same.std + 1e-3);
    const shifted = await kid({ generated: gaussian(rng, 400, 8, 1), reference: b }, { subsets: 20, subsetSize: 200, seed: 3 });
    expect(shifted.value).toBeGreaterThan(0.1);
  });

  it('is exactly reproducible for a seed and changes with the seed', async () => {
    const rng = new Rng(2);
    const sets = { generated: gaussian(rng, 300, 4), reference: gaussian(rng, 300, 4, 0.3) };
    const a = await kid(sets, { subsets: 5, subsetSize: 100, seed: 7 });
    const b = await kid(sets, { subsets: 5, subsetSize: 100, seed: 7 });
    const c = await kid(sets, { subsets: 5, subsetSize: 100, seed: 8 });
    expect(a.value).toBe(b.value);
    expect(c.value).not.toBe(a.value);
  });

  it('equals a direct double loop, and for identical subsets the closed form (2/m^2)(S_off/(m-1) - S_diag) -> 0', async () => {
    const rng = new Rng(3);
    const k = (x: Float64Array, i: number, y: Float64Array, j: number, d: number) => {
      let s = 0;
      for (let t = 0; t < d; t++) s += x[i * d + t]! * y[j * d + t]!;
      return (s / d + 1) ** 3;
    };
    const naive = (x: { rows: number; cols: number; data: Float64Array }, y: typeof x) => {
      const m = x.rows;
      let xx = 0, yy = 0, xy = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
        if (i !== j) { xx += k(x.data, i, x.data, j, x.cols); yy += k(y.data, i, y.data, j, x.cols); }
        xy += k(x.data, i, y.data, j, x.cols);
      }
      return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
    };
    const x = gaussian(rng, 600, 5);
    const y = gaussian(rng, 600, 5, 0.2);
    expect(await mmd2Unbiased(x, y)).toBeCloseTo(naive(x, y), 12);
    const m = x.rows;
    let off = 0, diag = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (i === j) diag += k(x.data, i, x.data, j, 5);
        else off += k(x.data, i, x.data, j, 5);
      }
    }
    const closed = (2 / (m * m)) * (off / (m - 1) - diag);
    expect(await mmd2Unbiased(x, x)).toBeCloseTo(closed, 12);
    const small = gaussian(new Rng(5), 4000, 5);
    expect(Math.abs(await mmd2Unbiased(small, small))).toBeLessThan(5e-3);
  });

  it('a subset larger than a set is a USAGE error that says how to fix it', async () => {
    const rng = new Rng(4);
    const sets = { generated: gaussian(rng, 50, 3), reference: gaussian(rng, 80, 3) };
    const p = kid(sets, { subsetSize: 60 });
    await expect(p).rejects.toBeInstanceOf(GenbenchError);
    await expect(kid(sets, { subsetSize: 60 })).rejects.toThrow(/generated set \(50 samples\); lower --kid-subset-size to at most 50/);
  });
});
