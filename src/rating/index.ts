/**
 * Human rating (HYPE, Zhou et al. 2019): protocols, staircase, quality control, scoring and the database side.
 * The web routes live in src/server/routes/rate.ts, the page script in src/server/public/rate.js.
 *
 * @example
 * import { humanScores } from './rating/index.js';
 * const [s] = await humanScores(sql, { modelIds: [id] }); // { value: 0.31, ci95: [0.22, 0.40], inf, time, raters, votes } (value null below 5 raters)
 */

// protocol numbers and configuration
export { DEFAULT_RATING_CONFIG, DEFAULT_STAIRCASE, PROTOCOLS, TIME_PRESENTATION, ratingConfig, isCorrect, presentationMs } from './protocol.js';
export type { Answer, Phase, Protocol, RatingConfig, RatingConfigOverrides, RatingLimits, ScreeningParams, StaircaseParams, TrialKind } from './protocol.js';

// pure protocol logic
export { convergedExposure, modalExposure, replayStaircase, startStaircase, stepStaircase, type StaircaseState } from './staircase.js';
export { qualificationNeeds, qualificationStatus, vigilanceStatus, type QualificationStatus, type VigilanceStatus } from './qualification.js';
export { imageKey, nextKind, parseImageKey, pickUnseen, type ImageRef } from './schedule.js';
export { checkVoteTiming, clippedResponseMs, clockDropReason, timingDropReason, type TrialTiming, type TimingVerdict } from './timing.js';
export { binomialCdf, screenRaters, type ScreenedTrial } from './screening.js';

// statistics
export { bootstrapRatersImages, bootstrapUnits, type Interval, type BootstrapOptions, type RaterImageVote } from './bootstrap.js';
export { hypeInfinity, hypeTime, softLabels, type HypeInfinityScore, type HypeTimeScore, type RaterTally, type SoftLabel } from './scoring.js';
export { raterQuality, signalDetection, type RaterQuality } from './quality.js';

// database and server side
export { ratingMigrations } from './migrations.js';
export { humanScores, modelSoftLabels, raterReports, screeningFlags, type HumanScoresOptions, type ModelHumanScore, type RaterReport } from './scores.js';
export { castVote, issueTrial, updateRater, type IssuedTrial, type RatingServiceDeps, type VoteResult } from './service.js';
export { pngDataUrl, realSplitFor, storeImageSource, vigilanceImage, type RatingImageSource } from './images.js';
export { displayPixels, serveImage, type DisplayShape } from './serve-image.js';
