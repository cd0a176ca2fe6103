/**
 * The evaluation harness: evaluate() (sample -> features -> metrics -> report) and the metric sanity suite
 * (known corruptions of real images at increasing strength).
 *
 * @example
 * import { evaluate, sanity } from './harness/index.js';
 * const report = await evaluate({ generator: 'g.onnx', dataset: 'mnist', n: 1000 });
 * const table = await sanity({ dataset: 'mnist', n: 256 });
 */
export { evaluate, evaluateImages, type EvaluateOptions, type EvaluateImagesOptions } from './evaluate.js';
export { planMetrics, planLayers, type MetricPlan } from './metric-plan.js';
export { runMetrics, type LayerFeatures } from './run-metrics.js';
export { defaultSplit, loadReference, trainingOverlapWarning } from './reference.js';
export { sampleWarnings } from './warnings.js';
export * from './corruptions.js';
export { sanity, SANITY_SCHEMA, SANITY_DEFAULT_N, SANITY_DEFAULT_SEEDS, type SanityOptions, type SanityResult, type SanityRun, type CorruptionResult } from './sanity.js';
export { sanityRows, sanitySeeds, sanitySplit, type SanityRows } from './sanity-rows.js';
export { trendOverSeeds, meanInterval, type MetricTrend, type RhoInterval, type Verdict } from './trend.js';
