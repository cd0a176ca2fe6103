import { describe, expect, it } from 'vitest';
import { bootstrapRatersImages, bootstrapUnits, sum } from '../../src/rating/bootstrap.js';
import { DEFAULT_RATING_CONFIG, type Answer, type TrialKind } from '../../src/rating/protocol.js';
import { binomialCdf, screenRaters, type ScreenedTrial } from '../../src/rating/screening.js';
import { Rng } from '../../src/rng.js';

const P = DEFAULT_RATING_CONFIG.screening;

/** `n` trials of a rater on model m1, half real and half fake; `wrong(i)` decides the errors. */
function rater(id: string, n: number, opts: { wrong?: (i: number) => boolean; ms?: number; say?: Answer } = {}): ScreenedTrial[] {
  return [...Array(n)].map((_, i) => {
    const kind: TrialKind = i % 2 === 0 ? 'real' : 'fake';
    const right: Answer = kind === 'real' ? 'real' : 'fake';
    const answer: Answer = opts.say ?? (opts.wrong?.(i) === true ? (right === 'real' ? 'fake' : 'real') : right);
    return { raterId: id, modelId: 'm1', protocol: 'inf', kind, answer, responseMs: opts.ms ?? 1200 };
  });
}

/** A person who is wrong on about `rate` of the trials (seeded). */
function person(id: string, n: number, rate: number, seed: number): ScreenedTrial[] {
  const rng = new Rng(seed);
  return rater(id, n, { wrong: () => rng.float() < rate });
}

describe('binomialCdf', () => {
  it('matches exact small cases and stays finite for large n', () => {
    expect(binomialCdf(0, 10, 0.5)).toBeCloseTo(1 / 1024, 12);
    expect(binomialCdf(5, 10, 0.5)).toBeCloseTo(638 / 1024, 12);
    expect(binomialCdf(-1, 10, 0.5)).toBe(0);
    expect(binomialCdf(10, 10, 0.3)).toBe(1);
    expect(binomialCdf(2500, 5000, 0.5)).toBeCloseTo(0.5056, 3);
  });
});

describe('screenRaters', () => {
  const crowd = [person('h1', 60, 0.3, 1), person('h2', 60, 0.3, 2), person('h3', 60, 0.3, 3), person('h4', 60, 0.25, 4)];

  it('leaves people alone, including a good one', () => {
    const flags = screenRaters([...crowd, person('good', 60, 0.12, 5)].flat(), P);
    expect([...flags.keys()]).toEqual([]);
  });

  it('flags too fast, one-sided, inverted and too accurate raters, with the reason', () => {
    const flags = screenRaters(
      [...crowd, rater('fast', 40, { ms: 160 }), rater('real', 40, { say: 'real' }), rater('inverted', 40, { wrong: (i) => i % 5 !== 0 }), rater('perfect', 60)].flat(),
      P,
    );
    expect(flags.get('fast')).toMatch(/^too fast: median answer 160 ms/);
    expect(flags.get('real')).toMatch(/^one-sided: answered 'real' to 100%/);
    expect(flags.get('inverted')).toMatch(/^inverted: wrong on 32 of 40/);
    expect(flags.get('perfect')).toMatch(/^too accurate: wrong on 0 of 60 inf trials of model m1 where 4 other raters are wrong on \d+%/);
    expect(['h1', 'h2', 'h3', 'h4'].some((h) => flags.has(h))).toBe(false);
  });

  it('judges nobody on too few trials, and no accuracy without a crowd or where the crowd makes no errors', () => {
    expect(screenRaters(rater('fast', P.minTrials - 1, { ms: 10 }), P).size).toBe(0);
    expect(screenRaters([crowd[0]!, crowd[1]!, rater('perfect', 60)].flat(), P).size).toBe(0); // 2 others < minCrowd 3
    expect(screenRaters([rater('a', 40), rater('b', 40), rater('c', 40), rater('d', 40)].flat(), P).size).toBe(0);
  });
});

describe('bootstrapRatersImages', () => {
  it('gives the pooled rate and an interval at least as wide as resampling raters alone when images differ', () => {
    // 6 raters x the same 40 images; images 0..9 are hard (everyone wrong), the others easy
    const votes = [...Array(6)].flatMap((_, r) =>
      [...Array(40)].map((_, i) => ({ rater: `r${r}`, image: `i${i}`, stratum: i % 2 === 0 ? 'real' : 'fake', error: i < 10 || (i + r) % 13 === 0 ? 1 : 0 })),
    );
    const both = bootstrapRatersImages(votes, { iterations: 2000, seed: 0 });
    expect(both.estimate).toBeCloseTo(sum(votes, (v) => v.error) / votes.length, 12);
    const byRater = [...Array(6)].map((_, r) => votes.filter((v) => v.rater === `r${r}`));
    const raters = bootstrapUnits(byRater, (s) => sum(s, (vs) => sum(vs, (v) => v.error)) / sum(s, (vs) => vs.length), { iterations: 2000, seed: 0 });
    expect(raters.estimate).toBeCloseTo(both.estimate, 12);
    expect(both.hi - both.lo).toBeGreaterThan(2 * (raters.hi - raters.lo));
    expect(both.lo).toBeLessThan(both.estimate);
    expect(both.hi).toBeGreaterThan(both.estimate);
    expect(bootstrapRatersImages(votes, { iterations: 2000, seed: 0 })).toEqual(both); // seeded
  });
});
