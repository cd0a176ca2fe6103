import { bootstrapUnits, sum, type Interval } from './bootstrap.js';
import { convergedExposure } from './staircase.js';
import type { Answer, StaircaseParams, TrialKind } from './protocol.js';

/**
 * Scores from counted votes (pure functions; the store gathers the votes): HYPE-infinity human error rate and
 * HYPE-time converged exposure per model with rater-bootstrap intervals, per-image soft labels and rater quality.
 */

/** One rater's HYPE-infinity tallies on one model. */
export interface RaterTally {
  readonly raterId: string;
  readonly realVotes: number;
  readonly realErrors: number;
  readonly fakeVotes: number;
  readonly fakeErrors: number;
}

/** HYPE-infinity score of a model. */
export interface HypeInfinityScore {
  /** Human error rate over real and fake images (pooled over raters), with its 95% rater-bootstrap interval. */
  readonly errorRate: Interval;
  /** Fraction of fake images called real, and of real images called fake. */
  readonly fakeError: number;
  readonly realError: number;
  readonly raters: number;
  readonly votes: number;
}

/** Bootstrap settings of the scores. */
export interface ScoreOptions {
  readonly iterations: number;
  readonly seed: number;
}

/**
 * HYPE-infinity: errors / votes pooled over raters; the interval resamples raters. Undefined without votes.
 *
 * @example
 * hypeInfinity([{ raterId: 'a', realVotes: 5, realErrors: 1, fakeVotes: 5, fakeErrors: 3 }], { iterations: 1000, seed: 0 });
 * // { errorRate: { estimate: 0.4, lo: 0.4, hi: 0.4 }, fakeError: 0.6, realError: 0.2, raters: 1, votes: 10 }
 */
export function hypeInfinity(tallies: readonly RaterTally[], opts: ScoreOptions): HypeInfinityScore | undefined {
  const raters = tallies.filter((t) => t.realVotes + t.fakeVotes > 0);
  if (raters.length === 0) return undefined;
  const pooled = (s: readonly RaterTally[]): number =>
    sum(s, (r) => r.realErrors + r.fakeErrors) / sum(s, (r) => r.realVotes + r.fakeVotes);
  const fakeVotes = sum(raters, (r) => r.fakeVotes);
  const realVotes = sum(raters, (r) => r.realVotes);
  return {
    errorRate: bootstrapUnits(raters, pooled, opts),
    fakeError: fakeVotes === 0 ? 0 : sum(raters, (r) => r.fakeErrors) / fakeVotes,
    realError: realVotes === 0 ? 0 : sum(raters, (r) => r.realErrors) / realVotes,
    raters: raters.length,
    votes: fakeVotes + realVotes,
  };
}

/** One rater's valid HYPE-time trials on one model: the staircase exposure of each, in order. */
export interface RaterExposures {
  readonly raterId: string;
  readonly exposures: readonly number[];
}

/** HYPE-time score of a model. */
export interface HypeTimeScore {
  /** Mean over raters of each rater's converged exposure (ms), with its 95% rater-bootstrap interval. */
  readonly exposureMs: Interval;
  readonly raters: number;
  readonly trials: number;
}

/**
 * HYPE-time: each rater with at least `minTrials` valid trials gives a converged exposure (modal exposure per block,
 * averaged); the model's score is their mean, the interval resamples raters. Undefined when no rater qualifies.
 *
 * @example
 * hypeTime([{ raterId: 'a', exposures: [500, 470, 470] }], DEFAULT_STAIRCASE, 1, { iterations: 100, seed: 0 });
 * // { exposureMs: { estimate: 470, lo: 470, hi: 470 }, raters: 1, trials: 3 }
 */
export function hypeTime(raters: readonly RaterExposures[], p: StaircaseParams, minTrials: number, opts: ScoreOptions): HypeTimeScore | undefined {
  const used = raters.filter((r) => r.exposures.length >= Math.max(1, minTrials));
  if (used.length === 0) return undefined;
  const perRater = used.map((r) => convergedExposure(r.exposures, p.blockSize));
  const mean = (s: readonly number[]): number => sum(s, (x) => x) / s.length;
  return { exposureMs: bootstrapUnits(perRater, mean, opts), raters: used.length, trials: sum(used, (r) => r.exposures.length) };
}

/** A vote on one image. */
export interface ImageVote {
  readonly imageKey: string;
  readonly kind: TrialKind;
  readonly answer: Answer;
}

/** Per-image soft label: the fraction of raters who called the image real. */
export interface SoftLabel {
  readonly imageKey: string;
  readonly kind: TrialKind;
  readonly votes: number;
  readonly realVotes: number;
  readonly pReal: number;
}

/**
 * Soft labels per image (Stein et al. 2023), sorted by image key.
 *
 * @example
 * softLabels([{ imageKey: 'f1', kind: 'fake', answer: 'real' }, { imageKey: 'f1', kind: 'fake', answer: 'fake' }]);
 * // [{ imageKey: 'f1', kind: 'fake', votes: 2, realVotes: 1, pReal: 0.5 }]
 */
export function softLabels(votes: readonly ImageVote[]): SoftLabel[] {
  const by = new Map<string, { kind: TrialKind; votes: number; realVotes: number }>();
  for (const v of votes) {
    const e = by.get(v.imageKey) ?? { kind: v.kind, votes: 0, realVotes: 0 };
    e.votes++;
    if (v.answer === 'real') e.realVotes++;
    by.set(v.imageKey, e);
  }
  return [...by]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([imageKey, e]) => ({ imageKey, ...e, pReal: e.realVotes / e.votes }));
}
