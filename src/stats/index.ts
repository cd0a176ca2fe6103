/**
 * Distributions and order statistics shared by the intervals, the memorisation tests and the sanity trends.
 *
 * @example
 * import { normalQuantile, tQuantile, quantileSorted } from './stats/index.js';
 * normalQuantile(0.975); // 1.959963985
 */
export { normalCdf, normalQuantile, erfc } from './normal.js';
export { tQuantile, twoSided } from './student-t.js';
export { quantileSorted, sampleVariance } from './quantile.js';
export { wilsonInterval } from './binomial.js';
