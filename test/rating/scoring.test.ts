import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { bootstrapUnits, sum } from '../../src/rating/bootstrap.js';
import { DEFAULT_STAIRCASE } from '../../src/rating/protocol.js';
import { hypeInfinity, hypeTime, softLabels, type RaterTally } from '../../src/rating/scoring.js';
import { replayStaircase, stepStaircase, startStaircase } from '../../src/rating/staircase.js';
import { raterQuality, signalDetection } from '../../src/rating/quality.js';
import { normalQuantile } from '../../src/stats/normal.js';

/** A population of raters whose accuracy varies around `accuracy` (rater effect), 50 real + 50 fake each. */
function population(rng: Rng, raters: number, accuracy: number): RaterTally[] {
  return [...Array(raters)].map((_, r) => {
    const acc = Math.min(0.99, Math.max(0.01, accuracy + 0.08 * rng.normal()));
    let realErrors = 0;
    let fakeErrors = 0;
    for (let i = 0; i < 50; i++) if (rng.float() >= acc) realErrors++;
    for (let i = 0; i < 50; i++) if (rng.float() >= acc) fakeErrors++;
    return { raterId: `r${r}`, realVotes: 50, realErrors, fakeVotes: 50, fakeErrors };
  });
}

describe('rater bootstrap', () => {
  it('is reproducible for a seed and gives a zero-width interval for one unit', () => {
    const units = [1, 2, 3, 4, 5, 6];
    const mean = (s: readonly number[]): number => sum(s, (x) => x) / s.length;
    const a = bootstrapUnits(units, mean, { iterations: 500, seed: 3 });
    expect(bootstrapUnits(units, mean, { iterations: 500, seed: 3 })).toEqual(a);
    expect(a.estimate).toBe(3.5);
    expect(a.lo).toBeLessThan(3.5);
    expect(a.hi).toBeGreaterThan(3.5);
    expect(bootstrapUnits([7], mean, { iterations: 500, seed: 0 })).toEqual({ estimate: 7, lo: 7, hi: 7 });
  });

  it('HYPE-infinity: raters of known accuracy give an error rate whose interval covers the truth', () => {
    const rng = new Rng(11);
    let covered = 0;
    const runs = 40;
    for (let run = 0; run < runs; run++) {
      const s = hypeInfinity(population(rng, 30, 0.7), { iterations: 1000, seed: run })!;
      expect(s.raters).toBe(30);
      expect(s.votes).toBe(3000);
      expect(s.errorRate.lo).toBeLessThanOrEqual(s.errorRate.estimate);
      expect(s.errorRate.hi).toBeGreaterThanOrEqual(s.errorRate.estimate);
      if (s.errorRate.lo <= 0.3 && 0.3 <= s.errorRate.hi) covered++;
    }
    // nominal 95%; a percentile bootstrap over 30 raters runs a little under it
    expect(covered / runs).toBeGreaterThanOrEqual(0.85);
  });

  it('HYPE-infinity separates fake and real errors', () => {
    const s = hypeInfinity([{ raterId: 'a', realVotes: 10, realErrors: 1, fakeVotes: 10, fakeErrors: 6 }], { iterations: 10, seed: 0 })!;
    expect(s.fakeError).toBeCloseTo(0.6);
    expect(s.realError).toBeCloseTo(0.1);
    expect(s.errorRate.estimate).toBeCloseTo(0.35);
    expect(hypeInfinity([], { iterations: 10, seed: 0 })).toBeUndefined();
  });

  it('HYPE-time: simulated staircase raters give a converged exposure near their 63% point', () => {
    const rng = new Rng(5);
    const raters = [...Array(12)].map((_, r) => {
      const tau = 900 + 40 * rng.normal(); // rater effect
      let s = startStaircase(DEFAULT_STAIRCASE);
      const exposures: number[] = [];
      for (let i = 0; i < 450; i++) {
        exposures.push(s.exposureMs);
        s = stepStaircase(s, rng.float() < 0.5 + 0.5 * (1 - Math.exp(-s.exposureMs / tau)), DEFAULT_STAIRCASE);
      }
      return { raterId: `r${r}`, exposures };
    });
    const score = hypeTime(raters, DEFAULT_STAIRCASE, 20, { iterations: 2000, seed: 0 })!;
    const target = 900 * Math.log(1 / 0.74); // ~271 ms
    expect(score.raters).toBe(12);
    expect(score.trials).toBe(12 * 450);
    expect(score.exposureMs.lo).toBeLessThan(score.exposureMs.hi);
    // the first block still carries the descent from 500 ms, so the score sits a little above the 63% point
    expect(score.exposureMs.estimate).toBeGreaterThan(target - 40);
    expect(score.exposureMs.estimate).toBeLessThan(target + 120);
    expect(hypeTime([{ raterId: 'x', exposures: [500] }], DEFAULT_STAIRCASE, 20, { iterations: 10, seed: 0 })).toBeUndefined();
    expect(replayStaircase([], DEFAULT_STAIRCASE).exposureMs).toBe(500);
  });
});

describe('soft labels and rater quality', () => {
  it('gives each image the fraction of raters who called it real', () => {
    const labels = softLabels([
      { imageKey: 'fake:m:0:2', kind: 'fake', answer: 'real' },
      { imageKey: 'fake:m:0:2', kind: 'fake', answer: 'fake' },
      { imageKey: 'fake:m:0:2', kind: 'fake', answer: 'real' },
      { imageKey: 'real:mnist:9', kind: 'real', answer: 'real' },
    ]);
    expect(labels).toEqual([
      { imageKey: 'fake:m:0:2', kind: 'fake', votes: 3, realVotes: 2, pReal: 2 / 3 },
      { imageKey: 'real:mnist:9', kind: 'real', votes: 1, realVotes: 1, pReal: 1 },
    ]);
  });

  it('computes accuracy, bias, d-prime and response times', () => {
    const q = raterQuality([
      { kind: 'real', answer: 'real', responseMs: 800 },
      { kind: 'real', answer: 'real', responseMs: 600 },
      { kind: 'fake', answer: 'real', responseMs: 1000 },
      { kind: 'fake', answer: 'fake', responseMs: null },
      { kind: 'vigilance', answer: 'real' },
    ]);
    expect(q.votes).toBe(4);
    expect(q.accuracy).toBe(0.75);
    expect(q.realAccuracy).toBe(1);
    expect(q.fakeAccuracy).toBe(0.5);
    expect(q.saysReal).toBe(0.75);
    expect(q.medianResponseMs).toBe(800);
    expect(q.vigilance).toEqual({ answered: 1, missed: 1 });
    expect(q.dPrime!).toBeGreaterThan(0);
    expect(q.criterion!).toBeLessThan(0); // leans towards "real"
    expect(raterQuality([]).accuracy).toBeNull();
  });

  it('z scores come from the normal quantile', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(signalDetection(5, 10, 5, 10)).toEqual({ dPrime: 0, criterion: -0 });
  });
});
