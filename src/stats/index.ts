/**
 * Distributions, order statistics, rank tests and k-means shared by the intervals, the memorisation tests, the
 * sanity trends, the leaderboard and the rating protocols: each lives here once.
 *
 * @example
 * import { normalQuantile, tQuantile, quantileSorted } from './stats/index.js';
 * normalQuantile(0.975); // 1.959963985
 */
export { normalCdf, normalQuantile, erfc } from './normal.js';
export { tQuantile, twoSided } from './student-t.js';
export { percentileInterval, quantileSorted, sampleVariance } from './quantile.js';
export { ranks, spearman } from './rank.js';
export { mannWhitneyU, mannWhitneyZ, type TwoSamples } from './mann-whitney.js';
export { assignCells, kmeans, type KmeansOptions, type KmeansResult } from './kmeans.js';
export { wilsonInterval } from './binomial.js';
