import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { takeRows } from '../../src/linalg/matrix.js';
import { Rng } from '../../src/rng.js';
import { densityCoverage } from '../../metrics/density-coverage.js';
import { prdc } from '../../metrics/prdc.js';
import { precisionRecall } from '../../metrics/precision-recall.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { loadExpected, loadMatrix } from './load.js';

const shared = optionalSharedAssets();

function gaussian(rng: Rng, rows: number, cols: number, scale = 1) {
  return { rows, cols, data: rng.fillNormal(new Float64Array(rows * cols)).map((v) => v * scale) };
}

describe.skipIf(!shared)('precision/recall and density/coverage golden (gauss-small)', () => {
  const dir = join(shared ?? '', 'fixtures/metrics/gauss-small');
  const sets = () => ({ generated: loadMatrix(dir, 'fake.npy'), reference: loadMatrix(dir, 'real.npy') });

  it('matches torch-fidelity prc (k=3, <=): exact counts, and its float32-rounded outputs', async () => {
    const e = loadExpected(dir).prc;
    const r = await precisionRecall(sets(), { k: 3 });
    expect(r.generatedInside).toBe(e.counts.fake_inside_real_balls);
    expect(r.referenceInside).toBe(e.counts.real_inside_fake_balls);
    expect(Math.abs(r.precision - e.precision_exact)).toBeLessThanOrEqual(e.tolerance.atol);
    expect(Math.abs(r.recall - e.recall_exact)).toBeLessThanOrEqual(e.tolerance.atol);
    // torch-fidelity returns float32 means: Math.fround reproduces them.
    expect(Math.fround(r.precision)).toBe(e.precision);
    expect(Math.fround(r.recall)).toBe(e.recall);
    expect(Math.abs(r.fScore - e.f_score)).toBeLessThanOrEqual(e.tolerance.vs_torch_fidelity_float32_outputs.atol);
  });

  it('matches clovaai prdc (k=5, <) for all four values', async () => {
    const e = loadExpected(dir).prdc;
    const s = sets();
    const dc = await densityCoverage(s, { k: 5 });
    expect(Math.abs(dc.density - e.density)).toBeLessThanOrEqual(e.tolerance.atol);
    expect(Math.abs(dc.coverage - e.coverage)).toBeLessThanOrEqual(e.tolerance.atol);
    const pr = await precisionRecall(s, { k: 5, compare: '<' });
    expect(Math.abs(pr.precision - e.precision)).toBeLessThanOrEqual(e.tolerance.atol);
    expect(Math.abs(pr.recall - e.recall)).toBeLessThanOrEqual(e.tolerance.atol);
  });

  it('the one-pass prdc equals the separate functions, and the tile size does not matter', async () => {
    const s = sets();
    const a = await prdc(s, { tileRows: 1024 });
    const b = await prdc(s, { tileRows: 333 });
    expect(b).toEqual(a);
    const pr = await precisionRecall(s);
    const dc = await densityCoverage(s);
    expect([a.precision, a.recall, a.density, a.coverage]).toEqual([pr.precision, pr.recall, dc.density, dc.coverage]);
  });
});

describe('precision/recall and density/coverage: analytic cases and invariances', () => {
  const rng = new Rng(11);
  const real = gaussian(rng, 300, 6);
  const fake = gaussian(rng, 250, 6, 1.3);

  it('identical sets give precision = recall = 1 (<=); coverage = 1 and density = 1 + ... >= 1 with distinct points', async () => {
    const r = await prdc({ generated: real, reference: real });
    expect(r.precision).toBe(1);
    expect(r.recall).toBe(1);
    expect(r.coverage).toBe(1);
    // each sample lies strictly inside its own ball and those of the samples whose 5-NN radius exceeds the distance
    expect(r.density).toBeGreaterThanOrEqual(1);
  });

  it('is invariant to the row order of either set', async () => {
    const a = await prdc({ generated: fake, reference: real });
    const perm = (n: number, seed: number) => new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i)) as Int32Array;
    const b = await prdc({ generated: takeRows(fake, perm(fake.rows, 1)), reference: takeRows(real, perm(real.rows, 2)) });
    expect(b).toEqual(a);
  });

  it('float32-rounded inputs give the same values as those inputs widened to float64', async () => {
    const f32 = (m: typeof real) => ({ ...m, data: Float64Array.from(Float32Array.from(m.data)) });
    const a = await prdc({ generated: f32(fake), reference: f32(real) });
    const b = await prdc({ generated: f32(fake), reference: f32(real) }, { tileRows: 64 });
    expect(b).toEqual(a);
    expect(a.precision).toBeGreaterThan(0);
    expect(a.precision).toBeLessThanOrEqual(1);
  });

  it('the comparison switch changes only boundary decisions: a point exactly on a radius', async () => {
    // reference 0, 1, 3, 4 on a line: k=1 radii are all 1; generated point 2 is at distance exactly 1 from 1 and 3.
    const reference = { rows: 4, cols: 1, data: Float64Array.from([0, 1, 3, 4]) };
    const generated = { rows: 2, cols: 1, data: Float64Array.from([2, 10]) };
    const le = await precisionRecall({ generated, reference }, { k: 1, compare: '<=' });
    const lt = await precisionRecall({ generated, reference }, { k: 1, compare: '<' });
    expect(le.generatedInside).toBe(1);
    expect(lt.generatedInside).toBe(0);
  });
});
