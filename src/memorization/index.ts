/**
 * Memorisation checks: does a generative model copy its training images? Pure checks over feature
 * matrices (copy rate, closer-to-train share, MiFID memorisation term, data-copying C_T), the neighbour panel, and
 * the model mode that samples a generator and compares with a dataset's training and held-out splits.
 *
 * @example
 * const r = await memorizationChecks({ train, heldout, generated }, { seed: 0 });
 * checksJson(r).ct.value; // strongly negative when the model copies
 */
export { memorizationChecks, defaultCells, heldoutHalves, CT_THRESHOLD, type MemorizationSets, type MemorizationOptions, type MemorizationResult, type PerSample, type CtCheck } from './checks.js';
export { copyRate, copyFlags, median, COPY_DEFAULTS, type CopyRateInput, type CopyRateResult, type TwoNearest } from './copy-rate.js';
export { closerToTrainShare, nearestInPool, shiftWarning, CLOSER_ALPHA, type CloserToTrainInput, type CloserToTrainResult, type NearestPool } from './closer-to-train.js';
export { labelPermutationTest, fisherUpperP, logGamma, PERMUTATIONS, type PermutationInput, type PermutationResult } from './null-tests.js';
export { mifidTerm, minAbsCosineDistance, dropZeroSum, MIFID_DEFAULTS, type MifidInput, type MifidOptions, type MifidResult } from './mifid-term.js';
export { ct, type CtInput, type CtCell, type CtResult } from './ct.js';
export { kmeans, assignCells, type KmeansOptions, type KmeansResult } from '../stats/kmeans.js';
export { mannWhitneyU, mannWhitneyZ, type TwoSamples } from '../stats/mann-whitney.js';
export { twoProportionZ } from './two-proportion.js';
export { neighbours, nearestDistances, type NeighbourOptions, type NeighbourSets } from './neighbours.js';
export { memorizationForModel, pixels, type MemorizationModelOptions, type MemorizationModelResult, type MemorizationSpace } from './model.js';
export { panelImage, writePanel, suspiciousSamples, formatDistance, type PanelInput, type PanelRow } from './panel.js';
export { checksJson, anyCopying, clean, type ChecksJson } from './output.js';
export { memorizationVerdict, memorizationVerdictOfSpaces, MEMORIZATION_CHECKS } from './verdict.js';
