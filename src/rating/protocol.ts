/**
 * The human-rating protocols in numbers: HYPE (Zhou et al., NeurIPS 2019, arXiv 1904.01121) and the vigilance
 * trials of the pix2pix / CycleGAN AMT studies (phillipi/AMT_Real_vs_Fake).
 *
 * - HYPE-infinity: one image at a time, half real and half from one model, answer "real" or "fake" with no time
 *   limit; the score is the human error rate.
 * - HYPE-time: the same question, but each image is shown for an exposure set by a 3-down / 1-up staircase (three
 *   correct answers in a row shorten it, one error lengthens it); the score is the converged exposure.
 * - Qualification: a rater's votes count only after a qualification round with >= 65% correct on both real and fake.
 * - Vigilance: about 10% of trials show an obviously broken image (noise); answering "real" to one flags the rater.
 * - After qualification every trial is still a known-truth trial, answered without feedback; screening.ts flags
 *   raters who answer faster than people, more accurately than the other raters allow, inverted or one-sided.
 * - A score is published with at least `minRaters` raters; each rater counts at most `raterTrialsInf` images.
 */

/** 'inf' is HYPE-infinity (no time limit), 'time' is HYPE-time (staircase exposure). */
export type Protocol = 'inf' | 'time';
export const PROTOCOLS: readonly Protocol[] = Object.freeze(['inf', 'time']);

/** What a trial shows: a real image, a generated one, or a vigilance (obviously broken) image. */
export type TrialKind = 'real' | 'fake' | 'vigilance';

/** The rater's answer. */
export type Answer = 'real' | 'fake';

/** Qualification trials come first and give feedback; scored trials count towards a model's score. */
export type Phase = 'qualification' | 'scored';

/** The HYPE-time staircase parameters. */
export interface StaircaseParams {
  /** Exposure of the first trial, ms (HYPE: 500). */
  readonly startMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  /** Correct answers in a row that shorten the exposure (HYPE: 3). */
  readonly correctToShorten: number;
  /** Step down after `correctToShorten` correct answers, ms (HYPE: 30). */
  readonly downMs: number;
  /** Step up after one error, ms (HYPE: 10). */
  readonly upMs: number;
  /** Trials per block; the converged exposure is the modal exposure of each block, averaged (HYPE: 150). */
  readonly blockSize: number;
}

/** The numbers of the rating protocols; `DEFAULT_RATING_CONFIG` holds HYPE's, tests shrink the round sizes. */
export interface RatingConfig {
  /** Qualification trials (real + fake, vigilance not counted), split evenly between real and fake. */
  readonly qualificationTrials: number;
  /** Accuracy a rater needs on the real AND on the fake qualification images (HYPE: 0.65). */
  readonly qualificationAccuracy: number;
  /** Fraction of trials that are vigilance trials (0.1). */
  readonly vigilanceRate: number;
  /** Vigilance trials a rater may fail before being flagged (0: the first failure flags). */
  readonly vigilanceMissesAllowed: number;
  readonly staircase: StaircaseParams;
  /** Fake images sampled per model for rating. */
  readonly fakePoolSize: number;
  /** Seed of the model samples used as fake images (recorded with each image key). */
  readonly fakeSeed: number;
  /** Bootstrap resamples of raters for the 95% intervals (HYPE: 10,000). */
  readonly bootstrapIterations: number;
  /** Seed of the bootstrap (src/rng.ts). */
  readonly bootstrapSeed: number;
  /** HYPE-time: a rater counts towards the converged exposure after this many valid scored trials on the model. */
  readonly minTimeTrials: number;
  /** A model's score is published only with at least this many counted raters (per protocol; default 5). */
  readonly minRaters: number;
  /** Scored trials one rater gets per model: HYPE-infinity (HYPE: 100 images per evaluator) and HYPE-time. */
  readonly raterTrialsInf: number;
  readonly raterTrialsTime: number;
  readonly limits: RatingLimits;
  readonly screening: ScreeningParams;
}

/**
 * Rules that flag a rater from their scored trials (screening.ts); a flagged rater's votes are left out of every
 * score. Each rule looks at a rater only after `minTrials` scored real/fake trials.
 */
export interface ScreeningParams {
  readonly minTrials: number;
  /** Median time from the image to the answer (server clock) below this is faster than people judge images (ms). */
  readonly humanFloorMs: number;
  /** Answering 'real' to more than this share (or to less than 1 - this share) of a 50/50 mix: one-sided. */
  readonly oneSided: number;
  /** One-sided binomial tail probability below which a rater is flagged as inverted or too accurate. */
  readonly alpha: number;
  /** Other screened raters of the same model and protocol needed before "too accurate" is judged. */
  readonly minCrowd: number;
}

/** Server-side timing checks and rate limits. */
export interface RatingLimits {
  /** A vote sooner than this after its trial was issued is rejected as too fast (ms; HYPE-time adds the exposure). */
  readonly minVoteMs: number;
  /** A HYPE-infinity vote later than this after issue is rejected (ms). */
  readonly maxVoteMsInf: number;
  /** A HYPE-time vote later than this after issue is rejected (ms). */
  readonly maxVoteMsTime: number;
  /** Votes one rater session may cast per minute. */
  readonly votesPerMinute: number;
  /** Allowed difference between measured and target exposure before a HYPE-time trial is dropped (ms). */
  readonly exposureToleranceMs: number;
  /**
   * How far the durations a browser claims (exposure + response, plus the page's countdown and masks) may exceed the
   * server's own issue -> vote interval before a HYPE-time trial is dropped as 'clock-mismatch' (ms).
   */
  readonly clockSlackMs: number;
}

/**
 * How the page presents a HYPE-time trial (src/server/public/rate.js reads these from the page state): a 3-2-1
 * countdown, the exposure, then noise masks. The server adds countdown and masks to the exposure when it checks a
 * vote's timing against its own clock.
 */
export const TIME_PRESENTATION = Object.freeze({ countdownMs: 1500, countdownSteps: 3, masks: 4, maskMs: 30 });

/** Milliseconds a HYPE-time trial takes on the page besides the exposure (countdown and masks). */
export function presentationMs(): number {
  return TIME_PRESENTATION.countdownMs + TIME_PRESENTATION.masks * TIME_PRESENTATION.maskMs;
}

export const DEFAULT_STAIRCASE: StaircaseParams = Object.freeze({
  startMs: 500,
  minMs: 100,
  maxMs: 1000,
  correctToShorten: 3,
  downMs: 30,
  upMs: 10,
  blockSize: 150,
});

/**
 * HYPE's numbers (qualification of 100 images, 10,000 bootstrap resamples), vigilance at 10%.
 *
 * @example
 * const cfg = ratingConfig({ qualificationTrials: 10 }); // everything else as DEFAULT_RATING_CONFIG
 * cfg.staircase.startMs; // 500
 */
export const DEFAULT_RATING_CONFIG: RatingConfig = Object.freeze({
  qualificationTrials: 100,
  qualificationAccuracy: 0.65,
  vigilanceRate: 0.1,
  vigilanceMissesAllowed: 0,
  staircase: DEFAULT_STAIRCASE,
  fakePoolSize: 1000,
  fakeSeed: 0,
  bootstrapIterations: 10000,
  bootstrapSeed: 0,
  minTimeTrials: 20,
  minRaters: 5,
  raterTrialsInf: 100,
  raterTrialsTime: 300,
  limits: Object.freeze({
    minVoteMs: 150,
    maxVoteMsInf: 10 * 60_000,
    maxVoteMsTime: 60_000,
    votesPerMinute: 60,
    exposureToleranceMs: 20,
    clockSlackMs: 100,
  }),
  screening: Object.freeze({ minTrials: 20, humanFloorMs: 350, oneSided: 0.95, alpha: 0.001, minCrowd: 3 }),
});

/** Overrides applied to the defaults (nested `staircase`, `limits` and `screening` merge field by field). */
export interface RatingConfigOverrides extends Partial<Omit<RatingConfig, 'staircase' | 'limits' | 'screening'>> {
  readonly staircase?: Partial<StaircaseParams>;
  readonly limits?: Partial<RatingLimits>;
  readonly screening?: Partial<ScreeningParams>;
}

/** The defaults with `overrides` applied. */
export function ratingConfig(overrides: RatingConfigOverrides = {}): RatingConfig {
  const { staircase, limits, screening, ...rest } = overrides;
  return Object.freeze({
    ...DEFAULT_RATING_CONFIG,
    ...rest,
    staircase: Object.freeze({ ...DEFAULT_STAIRCASE, ...staircase }),
    limits: Object.freeze({ ...DEFAULT_RATING_CONFIG.limits, ...limits }),
    screening: Object.freeze({ ...DEFAULT_RATING_CONFIG.screening, ...screening }),
  });
}

/** Whether an answer is right for a trial of this kind (a vigilance image is always fake). */
export function isCorrect(kind: TrialKind, answer: Answer): boolean {
  return kind === 'real' ? answer === 'real' : answer === 'fake';
}
