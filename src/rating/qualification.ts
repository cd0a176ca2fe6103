import type { Answer, RatingConfig, TrialKind } from './protocol.js';
import { isCorrect } from './protocol.js';

/**
 * Rater quality control: the HYPE qualification round (>= 65% correct on both the real and the fake images before
 * any vote counts) and vigilance trials (an obviously broken image answered "real" flags the rater).
 */

/** One answered trial, as quality control sees it. */
export interface AnsweredTrial {
  readonly kind: TrialKind;
  readonly answer: Answer;
}

/** Where a rater stands in the qualification round. */
export interface QualificationStatus {
  readonly state: 'pending' | 'qualified' | 'failed';
  /** Real / fake qualification trials answered so far and how many of them were right. */
  readonly real: { readonly answered: number; readonly correct: number };
  readonly fake: { readonly answered: number; readonly correct: number };
  /** Real + fake trials the round needs in all. */
  readonly needed: number;
}

/**
 * Evaluates the qualification round from the rater's qualification answers (vigilance trials are ignored here).
 * The round ends once both halves are answered (ceil(n/2) real, floor(n/2) fake); the rater qualifies when the
 * accuracy on each half is at least `qualificationAccuracy`.
 *
 * @example
 * const trials = [...Array(5)].map(() => ({ kind: 'real', answer: 'real' }))
 *   .concat([...Array(5)].map((_, i) => ({ kind: 'fake', answer: i < 4 ? 'fake' : 'real' })));
 * qualificationStatus(trials, ratingConfig({ qualificationTrials: 10 })).state; // 'qualified' (5/5 and 4/5)
 */
export function qualificationStatus(trials: readonly AnsweredTrial[], cfg: RatingConfig): QualificationStatus {
  const needReal = Math.ceil(cfg.qualificationTrials / 2);
  const needFake = cfg.qualificationTrials - needReal;
  const real = tally(trials.filter((t) => t.kind === 'real').slice(0, needReal));
  const fake = tally(trials.filter((t) => t.kind === 'fake').slice(0, needFake));
  const base = { real, fake, needed: cfg.qualificationTrials };
  if (real.answered < needReal || fake.answered < needFake) return { state: 'pending', ...base };
  const ok = (h: { answered: number; correct: number }): boolean => h.answered === 0 || h.correct / h.answered >= cfg.qualificationAccuracy;
  return { state: ok(real) && ok(fake) ? 'qualified' : 'failed', ...base };
}

/**
 * Which kind the next qualification trial must be so that the round ends with exactly ceil(n/2) real and
 * floor(n/2) fake images; undefined when either kind may come next.
 *
 * @example
 * qualificationNeeds({ real: 5, fake: 3 }, ratingConfig({ qualificationTrials: 10 })); // 'fake'
 */
export function qualificationNeeds(shown: { real: number; fake: number }, cfg: RatingConfig): 'real' | 'fake' | undefined {
  const needReal = Math.ceil(cfg.qualificationTrials / 2);
  const needFake = cfg.qualificationTrials - needReal;
  if (shown.real >= needReal) return 'fake';
  if (shown.fake >= needFake) return 'real';
  return undefined;
}

/** Vigilance results of a rater. */
export interface VigilanceStatus {
  readonly answered: number;
  readonly missed: number;
  /** True once more than `vigilanceMissesAllowed` vigilance images were called real. */
  readonly flagged: boolean;
}

/**
 * Vigilance record from all of a rater's answered trials (other kinds are ignored).
 *
 * @example
 * vigilanceStatus([{ kind: 'vigilance', answer: 'real' }], DEFAULT_RATING_CONFIG); // { answered: 1, missed: 1, flagged: true }
 */
export function vigilanceStatus(trials: readonly AnsweredTrial[], cfg: RatingConfig): VigilanceStatus {
  const v = trials.filter((t) => t.kind === 'vigilance');
  const missed = v.filter((t) => !isCorrect(t.kind, t.answer)).length;
  return { answered: v.length, missed, flagged: missed > cfg.vigilanceMissesAllowed };
}

function tally(trials: readonly AnsweredTrial[]): { answered: number; correct: number } {
  return { answered: trials.length, correct: trials.filter((t) => isCorrect(t.kind, t.answer)).length };
}
