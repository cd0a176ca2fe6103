import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mannWhitneyZ } from '../../src/stats/mann-whitney.js';
import { ct } from '../../src/memorization/ct.js';
import { takeRows } from '../../src/linalg/matrix.js';
import { mifidTerm } from '../../src/memorization/mifid-term.js';
import { nearestDistances } from '../../src/memorization/neighbours.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { npyInts, npyMatrix } from './fixtures.js';

const shared = optionalSharedAssets();

interface CopyCase {
  fake_file: string;
  labels_file: string;
  C_T: number;
  Zu_per_cell: number[];
  Pn_fraction_per_cell: number[];
  Qm_fraction_per_cell: number[];
  cell_included_Pi_tau: boolean[];
  Zu_global_no_cells: number;
}

describe.skipIf(!shared)('golden: C_T against casey-meehan/data-copying (fixtures/metrics/data-copying of the shared assets)', () => {
  const dir = `${shared}/fixtures/metrics/data-copying`;
  const expected = shared ? (JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as { results: Record<string, CopyCase>; tolerance: { C_T: { atol: number }; Zu_per_cell: { atol: number } } }) : undefined;

  for (const tag of ['copying', 'fair', 'underfit']) {
    it(`${tag}: C_T, per-cell Z, fractions and the global Z within atol 1e-9`, async () => {
      const e = expected!.results[tag]!;
      const tol = expected!.tolerance;
      const train = await npyMatrix(dir, 'train.npy');
      const heldout = await npyMatrix(dir, 'test.npy');
      const generated = await npyMatrix(dir, e.fake_file);
      const r = await ct({
        train,
        heldout,
        generated,
        trainCells: await npyInts(dir, 'labels_train.npy'),
        heldoutCells: await npyInts(dir, 'labels_test.npy'),
        generatedCells: await npyInts(dir, e.labels_file),
      }, { method: 'exact' });
      expect(Math.abs(r.value! - e.C_T)).toBeLessThanOrEqual(tol.C_T.atol);
      expect(r.tau).toBe(0.02);
      r.per_cell.forEach((c, i) => {
        expect(Math.abs(c.z! - e.Zu_per_cell[i]!), `cell ${i}`).toBeLessThanOrEqual(tol.Zu_per_cell.atol);
        expect(c.heldout_fraction).toBeCloseTo(e.Pn_fraction_per_cell[i]!, 12);
        expect(c.generated_fraction).toBeCloseTo(e.Qm_fraction_per_cell[i]!, 12);
        expect(c.included).toBe(e.cell_included_Pi_tau[i]);
      });
      const lq = await nearestDistances({ reference: train, queries: generated }, { method: 'exact' });
      const lp = await nearestDistances({ reference: train, queries: heldout }, { method: 'exact' });
      expect(Math.abs(mannWhitneyZ({ x: lq, y: lp }) - e.Zu_global_no_cells)).toBeLessThanOrEqual(1e-9);
      if (tag === 'copying') expect(r.p_value!).toBeLessThan(1e-6);
    });
  }
});

describe.skipIf(!shared)('golden: MiFID memorisation term against torchmetrics (fixtures/metrics/nn-exact of the shared assets)', () => {
  const dir = `${shared}/fixtures/metrics/nn-exact`;
  it('fake -> train raw (rtol 1e-9) and thresholded (1.0); the near-duplicate subset below eps', async () => {
    const e = (JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8')) as { mifid_memorization: Record<string, number | Record<string, number>> }).mifid_memorization;
    const train = await npyMatrix(dir, 'real.npy');
    const fake = await npyMatrix(dir, 'fake.npy');
    const r = await mifidTerm({ generated: fake, train }, { nn: { method: 'exact' } });
    const raw = e['fake_to_train_raw'] as number;
    expect(Math.abs(r.raw - raw) / raw).toBeLessThanOrEqual(1e-9);
    expect(r.thresholded).toBe(1);
    expect(r.copying).toBe(false);
    const kind = await npyInts(dir, 'query_kind.npy');
    const dupRows = [...kind.keys()].filter((i) => kind[i] === 0);
    const dup = await mifidTerm({ generated: takeRows(fake, dupRows), train }, { nn: { method: 'exact' } });
    const sub = e['near_duplicate_subset'] as Record<string, number>;
    // torchmetrics forms 1 - |cos| by subtraction: about 2^-53 / 1.4e-7 ~ 1e-9 relative error of its own at this size
    expect(Math.abs(dup.raw - sub['raw']!) / sub['raw']!).toBeLessThanOrEqual(1e-8);
    expect(dup.thresholded).toBe(dup.raw);
    expect(dup.copying).toBe(true);
  });
});
