import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../../src/io/npy.js';
import { takeRows, type Matrix } from '../../src/linalg/matrix.js';
import { fdFromFeatures, fdFromStats, statsOf } from '../../metrics/fd.js';
import { fdDescriptor } from '../../metrics/fd-descriptor.js';
import { fdResampled, weightedFd } from '../../metrics/fd-resampled.js';
import { counts } from '../../metrics/resample.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();
const caseDir = (name: string): string => join(shared!, 'fixtures/metrics', name);

async function features(file: string): Promise<Matrix> {
  const a = await readNpy(file);
  const [rows, cols] = a.shape as [number, number];
  return { rows, cols, data: Float64Array.from(a.data) };
}

async function fixture(name: string) {
  const expected = JSON.parse(readFileSync(join(caseDir(name), 'expected.json'), 'utf8'));
  const generated = await features(join(caseDir(name), 'fake.npy'));
  const reference = await features(join(caseDir(name), 'real.npy'));
  return { expected, generated, reference };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe.skipIf(!shared)('FD golden values (pytorch-fid b9c1811)', () => {
  it('gauss-small: value and components at rtol 1e-9', async () => {
    const { expected, generated, reference } = await fixture('gauss-small');
    const r = await fdFromFeatures({ generated, reference });
    expect(rel(r.value, expected.fd.value)).toBeLessThan(expected.fd.tolerance.rtol);
    expect(rel(r.components.meanTerm, expected.fd.components.mean_term)).toBeLessThan(1e-12);
    expect(rel(r.components.traceReference, expected.fd.components.trace_sigma_real)).toBeLessThan(1e-12);
    expect(rel(r.components.traceGenerated, expected.fd.components.trace_sigma_fake)).toBeLessThan(1e-12);
    expect(rel(r.components.traceSqrt, expected.fd.components.trace_covmean_eigh)).toBeLessThan(1e-11);
    expect(r.ranks).toEqual({ generated: 64, reference: 64 });
    expect(r.method).toBe('cholesky-eigh');
  });

  it('gauss-small: mean and covariance match the stats files (atol 1e-12 x max)', async () => {
    const { generated, reference } = await fixture('gauss-small');
    for (const [x, tag] of [[reference, 'real'], [generated, 'fake']] as const) {
      const s = await statsOf(x);
      const mu = (await readNpy(join(caseDir('gauss-small'), `mu_${tag}.npy`))).data;
      const sigma = (await readNpy(join(caseDir('gauss-small'), `sigma_${tag}.npy`))).data;
      const maxMu = Math.max(...Array.from(mu, Math.abs));
      const maxSigma = Math.max(...Array.from(sigma, Math.abs));
      s.mean.forEach((v, i) => expect(Math.abs(v - mu[i]!)).toBeLessThanOrEqual(1e-12 * maxMu));
      s.cov.data.forEach((v, i) => expect(Math.abs(v - sigma[i]!)).toBeLessThanOrEqual(1e-12 * maxSigma));
    }
  });

  it('gauss-small: FD from the stored statistics equals FD from features', async () => {
    const { expected } = await fixture('gauss-small');
    const stats = async (tag: string) => {
      const mu = await readNpy(join(caseDir('gauss-small'), `mu_${tag}.npy`));
      const sigma = await readNpy(join(caseDir('gauss-small'), `sigma_${tag}.npy`));
      const d = mu.shape[0]!;
      return { mean: Float64Array.from(mu.data), cov: { rows: d, cols: d, data: Float64Array.from(sigma.data) }, count: 2000 };
    };
    const r = await fdFromStats({ generated: await stats('fake'), reference: await stats('real') });
    expect(rel(r.value, expected.fd.value)).toBeLessThan(expected.fd.tolerance.rtol);
  });

  it('fd-768 (N = 10000, d = 768, float16 data): value at rtol 1e-9', async () => {
    const { expected, generated, reference } = await fixture('fd-768');
    const r = await fdFromFeatures({ generated, reference });
    expect(rel(r.value, expected.fd.value)).toBeLessThan(expected.fd.tolerance.rtol);
    expect(rel(r.components.traceSqrt, expected.fd.components.trace_covmean_eigh)).toBeLessThan(1e-10);
    expect(r.ranks).toEqual({ generated: 768, reference: 768 });
  });

  it('rank-deficient (N = 300 < d = 512): exact value at rtol 1e-6, ranks N - 1, residue reported', async () => {
    const { expected, generated, reference } = await fixture('rank-deficient');
    const r = await fdFromFeatures({ generated, reference });
    expect(rel(r.value, expected.fd.exact_value)).toBeLessThan(expected.fd.tolerance.rtol);
    expect(r.method).toBe('gram-eigh');
    expect(r.ranks).toEqual({ generated: 299, reference: 299 });
    expect(r.negativeResidue).toBeLessThanOrEqual(0);
    expect(Math.abs(r.negativeResidue)).toBeLessThan(1e-12 * r.components.traceReference);
    // the covariance route on the same (singular) statistics stays within the same tolerance
    const s = await fdFromStats({ generated: await statsOf(generated), reference: await statsOf(reference) });
    expect(rel(s.value, expected.fd.exact_value)).toBeLessThan(expected.fd.tolerance.rtol);
    expect(s.ranks).toEqual({ generated: 299, reference: 299 });
  });
});

describe('FD on resamples and FD∞', () => {
  const rows = (seed: number, n: number, d: number, scale = 1) => ({ rows: n, cols: d, data: new Rng(seed).fillNormal(new Float64Array(n * d)).map((v) => v * scale) });

  it('all-ones multiplicities reproduce the point FD (covariance and Gram routes)', async () => {
    for (const [n, d] of [[300, 8], [40, 64]] as const) {
      const sets = { generated: rows(1, n, d, 1.2), reference: rows(2, n, d) };
      const id = Int32Array.from({ length: n }, (_, i) => i);
      const [v] = await fdResampled(sets, { generated: [id], reference: [id] });
      const point = (await fdFromFeatures(sets)).value;
      expect(Math.abs(v! - point) / point).toBeLessThan(1e-6);
    }
  });

  it('a weighted resample gives the FD of its materialised rows (only drawn rows enter the product)', async () => {
    const n = 500;
    const sets = { generated: rows(11, n, 24, 1.3), reference: rows(12, n, 24) };
    const rng = new Rng(13);
    const [g, r] = [0, 1].map(() => Int32Array.from({ length: n }, () => rng.int(n))) as [Int32Array, Int32Array];
    const v = await weightedFd(sets, counts(g, n), counts(r, n));
    const want = (await fdFromFeatures({ generated: takeRows(sets.generated, g), reference: takeRows(sets.reference, r) })).value;
    expect(Math.abs(v - want) / want).toBeLessThan(1e-5);
  });

  it('the second-order expansion used for many resamples agrees with the exact FD of each resample', async () => {
    const n = 1000;
    const sets = { generated: rows(6, n, 16, 1.2), reference: rows(7, n, 16) };
    const rng = new Rng(8);
    const draw = () => Int32Array.from({ length: n }, () => rng.int(n));
    const draws = { generated: Array.from({ length: 30 }, draw), reference: Array.from({ length: 30 }, draw) };
    const fast = await fdResampled(sets, draws);
    const exact = await Promise.all(draws.generated.map((g, k) => weightedFd(sets, counts(g, n), counts(draws.reference[k]!, n))));
    const m = exact.reduce((s, v) => s + v, 0) / exact.length;
    const sd = Math.sqrt(exact.reduce((s, v) => s + (v - m) ** 2, 0) / (exact.length - 1));
    for (let k = 0; k < 30; k++) expect(Math.abs(fast[k]! - exact[k]!), `resample ${k}`).toBeLessThan(0.2 * sd);
    expect(fast.some((v, k) => v !== exact[k])).toBe(true); // the expansion was used after its check
  });

  it('FD of identical sets is 0, never negative; FD∞ lies below FD at small n and nearer the true value', async () => {
    const x = rows(3, 200, 16);
    const same = await fdDescriptor.compute({ generated: x, reference: x }, { infinity: true, infinitySeed: 0 });
    expect(same.fd!.value).toBe(0);
    expect(same.fd_inf!.value).toBeGreaterThanOrEqual(0);
    // N(0, 1.21 I) vs N(0, I), d = 16: true FD = 16 (1.1 - 1)^2 = 0.16; FD at n = 400 is biased up by ~d^2 / n
    const sets = { generated: rows(4, 400, 16, 1.1), reference: rows(5, 4000, 16) };
    const r = await fdDescriptor.compute(sets, { infinity: true, infinitySeed: 0 });
    expect(r.fd_inf!.value).toBeLessThan(r.fd!.value);
    expect(Math.abs(r.fd_inf!.value - 0.16)).toBeLessThan(Math.abs(r.fd!.value - 0.16));
  });
});
