import { beforeAll, describe, expect, it } from 'vitest';
import { getDataset } from '../../src/data/index.js';
import { sliceSplit } from '../../src/data/split-spec.js';
import type { DatasetSplit } from '../../src/data/types.js';
import { takeImageRows } from '../../src/io/image.js';
import { memorizationChecks, type MemorizationResult } from '../../src/memorization/checks.js';
import { pixels } from '../../src/memorization/model.js';
import { checksJson } from '../../src/memorization/output.js';
import { memorizationVerdict } from '../../src/memorization/verdict.js';
import { optionalSharedAssets } from '../helpers/assets.js';

/**
 * Calibration on REAL images, MNIST test split in pixel space: for seeds 1..K, the seeded random partition
 * `test~S` is cut into training rows [:5000], held-out rows [5000:7500] and a "generator" that returns the real
 * images [7500:9000] (never seen, drawn like the training rows). No check may flag more than 1 of the K partitions.
 *
 * Why at most 1 of K: every check's nominal false-positive rate is at most 0.00135 (copy_rate and
 * closer_to_train_share 0.001, ct Phi(-3), mifid_term below 0.001, the shift warning 0.001). The partitions share
 * images, so their flags are not independent, but Markov's inequality needs no independence: P(2 or more flags of
 * K) <= E[flags] / 2 <= K * 0.00135 / 2 = 0.004 for K = 6, so a failure here is a miscalibrated check, not bad luck.
 * The bound is loose on purpose (six partitions fit the time budget): it catches a check that flags real images
 * often (at a 30% rate it fails with probability 0.58), while the contiguous-block case below shows the failure the
 * random partitions avoid (real held-out images that read as a different distribution) being reported as a shift.
 */
const shared = optionalSharedAssets();
const K = 6;
const flags = (r: MemorizationResult) => ({
  copy_rate: r.copy_rate.copying,
  closer_to_train_share: r.closer_to_train_share.copying,
  mifid_term: r.mifid_term.copying,
  ct: r.ct.copying,
  shift_warning: r.warnings.length > 0,
});

describe.skipIf(!shared)('memorisation checks hold their nominal rates on real MNIST held-out images (pixel space)', () => {
  let full: DatasetSplit;
  beforeAll(async () => {
    full = await getDataset('mnist').load('test');
  });
  const part = (expr: string) => pixels(sliceSplit(full, expr).images);

  it(`real held-out images are flagged by each check in at most 1 of ${K} seeded random partitions`, async () => {
    const counts: Record<string, number> = { copy_rate: 0, closer_to_train_share: 0, mifid_term: 0, ct: 0, shift_warning: 0 };
    const pValues: number[] = [];
    for (let s = 1; s <= K; s++) {
      const r = await memorizationChecks({ train: part(`test~${s}[:5000]`), heldout: part(`test~${s}[5000:7500]`), generated: part(`test~${s}[7500:9000]`) }, { seed: s, nnMethod: 'exact' });
      for (const [k, v] of Object.entries(flags(r))) counts[k]! += v ? 1 : 0;
      pValues.push(r.closer_to_train_share.p_value);
      expect(r.closer_to_train_share.null_expectation).toBeCloseTo(5000 / 7500, 12);
    }
    for (const [k, n] of Object.entries(counts)) expect(n, `${k} flagged ${n} of ${K}: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(1);
    // a p-value under its null is uniform: not all K of them in the lower tenth (chance 1e-6)
    expect(pValues.filter((p) => p < 0.1).length, pValues.join(', ')).toBeLessThan(K);
  }, 120_000);

  it('a generator returning 20% training copies and 80% unseen real images is flagged by more than one check', async () => {
    const train = sliceSplit(full, 'test~1[:5000]');
    const unseen = sliceSplit(full, 'test~1[7500:]');
    const copies = takeImageRows(train.images, Int32Array.from({ length: 300 }, (_, i) => i * 10));
    const fresh = takeImageRows(unseen.images, Int32Array.from({ length: 1200 }, (_, i) => i));
    const generated = { ...copies, n: 1500, data: Uint8Array.from([...copies.data, ...fresh.data]) };
    const r = await memorizationChecks({ train: pixels(train.images), heldout: part('test~1[5000:7500]'), generated: pixels(generated) }, { seed: 1, nnMethod: 'exact' });
    const f = flags(r);
    const flagged = Object.entries(f).filter(([k, v]) => v && k !== 'shift_warning').map(([k]) => k);
    expect(flagged.length, JSON.stringify(f)).toBeGreaterThan(1);
    expect(f.copy_rate).toBe(true);
    expect(f.shift_warning).toBe(false);
    expect(memorizationVerdict(checksJson(r))).toMatch(/^memorisation: COPYING flagged by copy_rate, /);
  });

  it('contiguous blocks of MNIST test (writers change along it) raise the shift warning', async () => {
    const r = await memorizationChecks({ train: part('test[:5000]'), heldout: part('test[7500:]'), generated: part('test[5000:6500]') }, { seed: 1, nnMethod: 'exact' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/held-out set looks shifted from the training set/);
    expect(r.closer_to_train_share.baseline).toBeLessThan(r.closer_to_train_share.baseline_expectation);
    expect(memorizationVerdict(checksJson(r))).toMatch(/held-out set looks shifted/);
  });
});
