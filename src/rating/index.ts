/**
 * Human rating (HYPE, Zhou et al. 2019): protocols, staircase, quality control, scoring and the database side.
 * The web routes live in src/server/routes/rate.ts, the page script in src/server/public/rate.js.
 *
 * @example
 * import { humanScores } from './rating/index.js';
 * const [s] = await humanScores(sql, { modelIds: [id] }); // { value: 0.31, ci95: [0.25, 0.37], inf, time, raters, votes }
 */

// protocol numbers and configuration
export { DEFAULT_RATING_CONFIG, DEFAULT_STAIRCASE, PROTOCOLS, ratingConfig, isCorrect } from './protocol.js';
export type { Answer, Phase, Protocol, RatingConfig, RatingConfigOverrides, RatingLimits, StaircaseParams, TrialKind } from './protocol.js';

// pure protocol logic
export { convergedExposure, modalExposure, replayStaircase, startStaircase, stepStaircase, type StaircaseState } from './staircase.js';
export { qualificationNeeds, qualificationStatus, vigilanceStatus, type QualificationStatus, type VigilanceStatus } from './qualification.js';
export { imageKey, nextKind, parseImageKey, pickUnseen, type ImageRef } from './schedule.js';
export { checkVoteTiming, timingDropReason, type TrialTiming, type TimingVerdict } from './timing.js';

// statistics
export { bootstrapUnits, type Interval, type BootstrapOptions } from './bootstrap.js';
export { hypeInfinity, hypeTime, softLabels, type HypeInfinityScore, type HypeTimeScore, type RaterTally, type SoftLabel } from './scoring.js';
export { probit, raterQuality, signalDetection, type RaterQuality } from './quality.js';

// database and server side
export { ratingMigrations } from './migrations.js';
export { humanScores, modelSoftLabels, raterReports, type HumanScoresOptions, type ModelHumanScore, type RaterReport } from './scores.js';
export { castVote, issueTrial, updateRater, type IssuedTrial, type RatingServiceDeps, type VoteResult } from './service.js';
export { pngDataUrl, realSplitFor, storeImageSource, vigilanceImage, type RatingImageSource } from './images.js';
