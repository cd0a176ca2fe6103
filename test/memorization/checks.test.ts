import { describe, expect, it } from 'vitest';
import { rowSlice, takeRows, type Matrix } from '../../src/linalg/matrix.js';
import { memorizationChecks, defaultCells, heldoutHalves } from '../../src/memorization/checks.js';
import { closerToTrainShare } from '../../src/memorization/closer-to-train.js';
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
    expect(r.closer_to_train_share.value).toBeCloseTo(1000 / 1300, 1);
    expect(Math.abs(r.ct.value!)).toBeLessThan(3);
    expect(r.copy_rate.value).toBeLessThan(0.03);
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
  it('closer-to-train: compares with max(held-out baseline, |T|/(|T|+|B|))', () => {
    const near = { toTrain: [1, 1, 1, 1], toHeldout: [2, 2, 2, 2] };
    const r = closerToTrainShare({ generated: near, heldout: { toTrain: [1, 3, 3, 3], toHeldout: [2, 2, 2, 2] }, trainSize: 3, referenceSize: 1 });
    expect(r).toMatchObject({ value: 1, baseline: 0.25, null_expectation: 0.75, compared_with: 0.75 });
  });

  it('copy rate: ratio test and near-duplicate distance from the held-out median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    const r = copyRate({ generated: { d1: [0.05, 5, 1, 9], d2: [6, 6, 6, 10] }, heldout: { d1: [10, 10, 10], d2: [11, 11, 11] } });
    expect(r).toMatchObject({ delta: 1, n_ratio: 2, n_within_delta: 2, value: 0.5, baseline: 0 }); // 0.05: both; 1: ratio 1/6 and d1 <= delta
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
