import { describe, expect, it } from 'vitest';
import { rowSlice, takeRows, type Matrix } from '../../src/linalg/matrix.js';
import { memorizationChecks, defaultCells, heldoutHalves } from '../../src/memorization/checks.js';
import { closerToTrainShare } from '../../src/memorization/closer-to-train.js';
import { fisherUpperP, labelPermutationTest, logGamma } from '../../src/memorization/null-tests.js';
import { copyRate, median } from '../../src/memorization/copy-rate.js';
import { anyCopying, checksJson } from '../../src/memorization/output.js';
import { Rng } from '../../src/rng.js';

/** Rows from a mixture of 8 Gaussians in 16-d (same mixture for every call; rows from `seed`). */
function mixture(rows: number, seed: number): Matrix {
  const centres = new Rng(99).fillNormal(new Float64Array(8 * 16)).map((v) => v * 4);
  const rng = new Rng(seed);
  const data = new Float64Array(rows * 16);
  for (let i = 0; i < rows; i++) {
    const c = rng.int(8);
    for (let k = 0; k < 16; k++) data[i * 16 + k] = centres[c * 16 + k]! + rng.normal();
  }
  return { rows, cols: 16, data };
}

const train = mixture(1000, 1);
const heldout = mixture(600, 2);

describe('memorisation checks on synthetic features', () => {
  it('a fresh sample from the training distribution is not copying on any check', async () => {
    const r = await memorizationChecks({ train, heldout, generated: mixture(300, 3) }, { seed: 0 });
    expect(anyCopying(r)).toBe(false);
    expect(r.closer_to_train_share.null_expectation).toBe(1000 / 1600); // pool: training + all held-out rows
    expect(r.closer_to_train_share.value).toBeCloseTo(1000 / 1600, 1);
    expect(r.closer_to_train_share.p_value).toBeGreaterThan(0.001);
    expect(r.warnings).toEqual([]);
    expect(Math.abs(r.ct.value!)).toBeLessThan(3);
    expect(r.copy_rate.value).toBeLessThan(0.03);
  });

  it('a held-out set from a shifted distribution raises the shift warning (and the verdicts may not hold)', async () => {
    const shifted = mixture(600, 2);
    for (let i = 0; i < shifted.data.length; i++) shifted.data[i]! += 0.5;
    const r = await memorizationChecks({ train, heldout: shifted, generated: mixture(300, 3) }, { seed: 0 });
    expect(r.closer_to_train_share.baseline_p_lower).toBeLessThanOrEqual(0.001);
    expect(r.warnings).toEqual([r.closer_to_train_share.warning]);
    expect(r.warnings[0]).toMatch(/^the held-out set looks shifted from the training set/);
  });

  it('copies of training rows (plus tiny noise) are copying on every check', async () => {
    const rng = new Rng(5);
    const copies = takeRows(train, rng.sampleWithoutReplacement(1000, 300));
    for (let i = 0; i < copies.data.length; i++) copies.data[i]! += 1e-3 * rng.normal();
    const r = await memorizationChecks({ train, heldout, generated: copies }, { seed: 0 });
    expect(r.copy_rate).toMatchObject({ value: 1, copying: true });
    expect(r.closer_to_train_share).toMatchObject({ value: 1, copying: true });
    expect(r.mifid_term.copying).toBe(true);
    expect(r.mifid_term.thresholded).toBe(r.mifid_term.raw);
    expect(r.ct.value!).toBeLessThan(-5);
    expect(r.ct.copying).toBe(true);
    expect(Array.from(r.perSample.d1).every((d) => d < 0.1)).toBe(true);
  });

  it('is reproducible for a seed, records the recipe, and serialises to the documented JSON keys', async () => {
    const g = mixture(120, 4);
    const a = await memorizationChecks({ train, heldout, generated: g }, { seed: 3, cells: 2 });
    const b = await memorizationChecks({ train, heldout, generated: g }, { seed: 3, cells: 2 });
    expect(checksJson(a)).toEqual(checksJson(b));
    const j = checksJson(a);
    expect(Object.keys(j)).toEqual(['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']);
    for (const v of Object.values(j)) expect(typeof v.value === 'number' || v.value === null).toBe(true);
    expect(j.ct['per_cell']).toHaveLength(2);
    expect(a.recipe).toMatchObject({ seed: 3, ct: { cells: 2, tau: 20 / 120 }, heldout_halves: { query: 300, reference: 300 }, copy_rate: { ratio: 0.5, dup_fraction: 0.1 } });
    expect((a.recipe['nn'] as Record<string, unknown>)['method'] ?? (a.recipe['nn'] as Record<string, unknown>)['kind']).toBeDefined();
  });

  it('C_T drops cells with too few generated samples and says null when none is left', async () => {
    const g = rowSlice(mixture(30, 6), 0, 30);
    const r = await memorizationChecks({ train, heldout, generated: g }, { seed: 0, cells: 8 }); // tau = 20/30: no cell passes
    expect(r.ct.value).toBeNull();
    expect(r.ct.copying).toBe(false);
    expect(r.ct.per_cell.every((c) => !c.included)).toBe(true);
  });

  it('rejects sets of different widths with one line naming the problem', async () => {
    await expect(memorizationChecks({ train, heldout, generated: { rows: 2, cols: 3, data: new Float64Array(6) } })).rejects.toThrow(/same width, got 16, 16 and 3/);
  });
});

describe('the calibrated shares', () => {
  it('closer-to-train: label-permutation p-values against |T|/(|T|+|H|), and the shift warning from the baseline', () => {
    // 40 samples, each nearest to a different training row of 100 (pool: 100 training + 100 held-out rows)
    const all = closerToTrainShare({ generated: { nearest: Int32Array.from({ length: 40 }, (_, i) => i) }, heldout: { nearest: Int32Array.from({ length: 40 }, (_, i) => i % 2 === 0 ? i : 100 + i) }, trainSize: 100, heldoutSize: 100, referenceSize: 100, permutations: 999 }, new Rng(0));
    expect(all).toMatchObject({ value: 1, null_expectation: 0.5, baseline: 0.5, baseline_expectation: 0.5, copying: true, alpha: 0.001, permutations: 999 });
    expect(all.p_value).toBe(1 / 1000); // P(40 of 40 | 0.5) ~ 1e-12: no relabelling reaches it
    expect(all.baseline_p_lower).toBeGreaterThan(0.3);
    expect(all.warning).toBeUndefined();
    // 40 samples all nearest to ONE training row (a collapsed generator): the null keeps that dependence, p = 1/2
    const one = closerToTrainShare({ generated: { nearest: new Int32Array(40) }, heldout: { nearest: Int32Array.from({ length: 40 }, (_, i) => 100 + i) }, trainSize: 100, heldoutSize: 100, referenceSize: 100, permutations: 999 }, new Rng(0));
    expect(one.value).toBe(1);
    expect(one.p_value).toBeGreaterThan(0.4);
    expect(one.copying).toBe(false);
    expect(one.baseline).toBe(0);
    expect(one.warning).toMatch(/^the held-out set looks shifted from the training set: only 0.0% of held-out images .* \(50.0% expected/);
  });

  it('exact tests: Fisher upper tail and ln Gamma', () => {
    expect(fisherUpperP({ x1: 5, n1: 10, x2: 0, n2: 10 })).toBeCloseTo(252 / 15504 * 1, 10); // C(10,5)/C(20,5)
    expect(fisherUpperP({ x1: 0, n1: 10, x2: 3, n2: 10 })).toBe(1);
    expect(fisherUpperP({ x1: 5, n1: 500, x2: 0, n2: 1000 })).toBeCloseTo(0.0041, 4); // the binomial z read 3.2 here
    expect(logGamma(1)).toBeCloseTo(0, 13);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 11);
    const r = labelPermutationTest({ nearest: Int32Array.from([0, 1, 5]), trainSize: 4, referenceSize: 4, permutations: 9999 }, new Rng(3));
    expect(r).toMatchObject({ count: 2, expected: 0.5 });
    // exact: P(S >= 2) with 3 distinct rows labelled from 4 of 8 = (C(3,2)C(5,2) + C(3,3)C(5,1)) / C(8,4) = 35/70
    expect(r.p_upper).toBeCloseTo(0.5, 1);
  });

  it('copy rate: ratio test and near-duplicate distance from the held-out median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const r = copyRate({ generated: { d1: [0.05, 5, 1, 9], d2: [6, 6, 6, 10] }, heldout: { d1: [10, 10, 10], d2: [11, 11, 11] } });
    expect(r).toMatchObject({ delta: 1, n_ratio: 2, n_within_delta: 2, value: 0.5, baseline: 0, alpha: 0.001, copying: false }); // 0.05: both; 1: ratio 1/6 and d1 <= delta
    expect(r.p_value).toBeCloseTo(2 / 7, 12); // Fisher: both copies among the 4 generated of 7 rows: C(4,2)/C(7,2)
  });

  it('held-out halves: a seeded permutation split in two', () => {
    const h = { rows: 5, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4]) };
    const { a, b } = heldoutHalves(h, new Rng(1));
    expect(a.rows).toBe(2);
    expect(b.rows).toBe(3);
    expect([...a.data, ...b.data].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(defaultCells(1000, 8000)).toBe(20);
    expect(defaultCells(30, 8000)).toBe(1);
  });
});
