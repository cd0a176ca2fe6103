import { describe, expect, it } from 'vitest';
import { diceEntry, diceScores, type LabelMaps } from '../../src/harness/translate-dice.js';

/** Dice of label maps: the analytic cases (identical 1, disjoint 0), a known overlap by hand, pooling and the interval. */
const maps = (n: number, data: number[]): LabelMaps => ({ n, size: data.length / n, data });

describe('diceScores', () => {
  it('identical maps give 1 for every label present, disjoint maps 0', () => {
    const t = maps(2, [0, 1, 1, 2, 3, 3, 0, 0]);
    const same = diceScores({ output: t, target: t });
    expect(same.mean).toBe(1);
    expect([...same.perLabel.keys()]).toEqual([1, 2, 3]);
    const disjoint = diceScores({ output: maps(1, [1, 1, 0, 0]), target: maps(1, [0, 0, 2, 2]) });
    expect(disjoint.mean).toBe(0);
    expect(disjoint.perLabel.get(1)).toEqual({ dice: 0, output: 2, target: 0 });
    expect(disjoint.perLabel.get(2)).toEqual({ dice: 0, output: 0, target: 2 });
  });

  it('a known overlap: label 1 shares 2 of 3 and 4 pixels (4/7), label 2 is missed (0), background and absent labels left out', () => {
    const target = maps(1, [1, 1, 1, 0, 2, 0, 0, 0]);
    const output = maps(1, [1, 1, 0, 1, 0, 1, 0, 0]);
    const d = diceScores({ output, target });
    expect(d.perLabel.get(1)!.dice).toBeCloseTo((2 * 2) / (4 + 3), 15);
    expect(d.perLabel.get(2)!.dice).toBe(0);
    expect(d.perLabel.has(0)).toBe(false);
    expect(d.mean).toBeCloseTo((4 / 7 + 0) / 2, 15);
    // a label only the output has counts too: label 1 at 2/3, the invented label 3 at 0, mean 1/3 (not 2/3)
    const invented = diceScores({ output: maps(1, [1, 3]), target: maps(1, [1, 1]) });
    expect([...invented.perLabel.keys()]).toEqual([1, 3]);
    expect(invented.mean).toBeCloseTo(1 / 3, 15);
  });

  it('pools pixel counts over slices (not a mean of per-slice Dice) and agrees with the direct computation', () => {
    // slice 0: label 1 perfect (4 px); slice 1: label 1 one px of output against 1 px of target, not overlapping
    const target = maps(2, [1, 1, 1, 1, 0, 1, 0, 0]);
    const output = maps(2, [1, 1, 1, 1, 1, 0, 0, 0]);
    const direct = (k: number) => {
      let inter = 0, o = 0, t = 0;
      for (let i = 0; i < 8; i++) {
        inter += +(output.data[i] === k && target.data[i] === k);
        o += +(output.data[i] === k);
        t += +(target.data[i] === k);
      }
      return (2 * inter) / (o + t);
    };
    expect(diceScores({ output, target }).mean).toBe(direct(1)); // 8/10, while per-slice Dice would average 1 and 0
    expect(direct(1)).toBeCloseTo(0.8, 15);
  });

  it('the entry: mean, per-label counts, a seeded interval around the mean; no interval without resamples', async () => {
    const target = maps(4, [1, 1, 2, 0, 1, 2, 2, 0, 1, 0, 2, 2, 1, 1, 0, 2]);
    const output = maps(4, [1, 0, 2, 0, 1, 2, 1, 0, 1, 1, 2, 2, 0, 1, 0, 2]);
    const e = await diceEntry({ output, target }, 2, { resamples: 200, seed: 0 });
    expect(e.value).toBe(diceScores({ output, target }).mean);
    expect(e).toMatchObject({ labels: 2, labelsPresent: 2 });
    expect((e['perLabel'] as Record<string, { target: number }>)['2']!.target).toBe(6);
    expect(e.ci95![0]).toBeLessThanOrEqual(e.ci95![1]);
    expect(e.ci95![0]).toBeLessThan(e.value!);
    expect(await diceEntry({ output, target }, 2, { resamples: 200, seed: 0 })).toEqual(e);
    expect((await diceEntry({ output, target }, 2, { resamples: 0, seed: 0 })).ci95).toBeUndefined();
  });
});
