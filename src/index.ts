/**
 * genbench's public API: the one barrel. What it does not export is internal and may change.
 *
 * @example
 * import { evaluate, fdFromFeatures, getDataset, loadGenerator, matrix, toUint8 } from 'genbench';
 * const mnist = await getDataset('mnist').load('test[:8000]'); // mnist.images.n === 8000
 * const g = await loadGenerator('mnist-dcgan.onnx');
 * const images = toUint8(await g.sample({ n: 64, seed: 0 }));
 * const fd = await fdFromFeatures({
 *   generated: matrix(4, 2, Float64Array.of(0, 0, 2, 0, 0, 2, 2, 2)),
 *   reference: matrix(4, 2, Float64Array.of(3, 0, 7, 0, 3, 4, 7, 4)),
 * });
 * fd.value; // 19.666666666666668 (59 / 3)
 * const report = await evaluate({ generator: 'mnist-dcgan.onnx', dataset: 'mnist', n: 1000 }); // genbench.report/v1
 */

// Errors, randomness, progress
export { GenbenchError, isGenbenchError, type ErrorCode } from './errors.js';
export { Rng } from './rng.js';
export { silentProgress, type Progress } from './progress.js';
export { VERSION } from './version.js';

// Distributions and order statistics
export { normalCdf, normalQuantile, tQuantile, quantileSorted } from './stats/index.js';

// Compute backends (tfjs)
export { initBackend, activeBackend, parseBackendName, BACKENDS, type BackendName, type BackendChoice } from './backend/index.js';

// Assets: GENBENCH_HOME / GENBENCH_ASSETS lookup, verified downloads
export {
  resolveAsset,
  resolveAssetFolder,
  genbenchHome,
  assetRoots,
  sha256File,
  ASSETS,
  type AssetSpec,
  type ResolvedAsset,
  type ResolvedFolder,
  type ResolveOptions,
} from './assets/index.js';

// Datasets
export {
  DATASETS,
  getDataset,
  openDataset,
  parseSplitExpr,
  resolveSlice,
  sliceSplit,
  splitPermutation,
  splitRowIndices,
  generatePolygons,
  type Dataset,
  type DatasetSplit,
  type ImageFolderOptions,
  type LoadOptions,
  type SplitInfo,
} from './data/index.js';
export type { SplitExpr } from './data/split-spec.js';

// Images and files
export { toUint8, toFloat, nchwToNhwc, type ImageBatchU8, type ImageBatchF32, type ValueRange } from './io/image.js';
export { readNpy, writeNpy, parseNpy, encodeNpy, type NpyArray, type NpyDtype } from './io/npy.js';
export { writeGridPng, gridImage, encodePng, type GridOptions } from './io/png.js';
export { writeFileAtomic } from './io/atomic.js';

// Generator checkpoints
export {
  loadGenerator,
  readManifest,
  loadLayersModelFromFiles,
  loadGraphModelFromFiles,
  type Generator,
  type GeneratorManifest,
  type SampleOptions,
} from './models/index.js';

// Feature matrices (Float64, rows = samples) and the metrics over them: pure functions plus one descriptor per
// reported id in a frozen registry
export { matrix, toFeatureMatrix, type Matrix } from './linalg/matrix.js';
export { fdFromFeatures, fdFromStats, statsOf, mergeStats, type FdOptions, type FdResult, type GaussianStats } from '../metrics/fd.js';
export { kid, KID_DEFAULTS, type KidOptions, type KidResult } from '../metrics/kid.js';
export { inceptionScore, type InceptionScore, type InceptionScoreOptions } from '../metrics/is.js';
export { prdc, type Prdc, type PrdcOptions } from '../metrics/prdc.js';
export { precisionRecall, type PrecisionRecall, type PrecisionRecallOptions } from '../metrics/precision-recall.js';
export { densityCoverage, type DensityCoverage, type DensityCoverageOptions } from '../metrics/density-coverage.js';
export { pixelMetrics, type PixelMetricId, type PixelOptions, type PixelSeries } from '../metrics/pixel.js';
export { featureMatching, type FeatureMatchingResult } from '../metrics/feature-matching.js';
export { fdDescriptor, fdInfDescriptor } from '../metrics/fd-descriptor.js';
export { kidDescriptor } from '../metrics/kid.js';
export { isDescriptor } from '../metrics/is.js';
export { precisionDescriptor, recallDescriptor, densityDescriptor, coverageDescriptor } from '../metrics/prdc.js';
export { mseDescriptor, l1Descriptor, psnrDescriptor, ssimDescriptor } from '../metrics/pixel.js';
export { featureMatchingDescriptor } from '../metrics/feature-matching.js';
export {
  METRICS,
  getMetric,
  parseMetricList,
  computeMetrics,
  type MetricId,
  type MetricDescriptor,
  type MetricParams,
  type MetricResults,
  type MetricValue,
  type FeatureSets,
  type ClassScores,
  type ImagePairs,
  type FeaturePairs,
} from '../metrics/index.js';
export {
  bootstrapGroup,
  bootstrapMetric,
  withIntervals,
  BOOTSTRAP_DEFAULTS,
  type BootstrapInterval,
  type BootstrapOptions,
  type BootstrapResult,
} from '../metrics/bootstrap.js';

// Feature extractors (MobileNet, dataset classifiers, discriminators, custom networks)
export {
  createExtractor,
  extractorForms,
  DEFAULT_EXTRACTOR,
  EXTRACTORS,
  type CreateExtractorOptions,
  type FeatureExtractor,
  type LayerInfo,
  type Preprocessing,
} from './features/index.js';

// The harness: generator -> samples -> features -> metrics -> report, with the recipe and intervals
export { evaluate, evaluateImages, type EvaluateOptions, type EvaluateImagesOptions } from './harness/evaluate.js';
export { readReport, writeReport, parseReport, REPORT_SCHEMA, type Report, type Recipe, type MetricEntry } from './io/report.js';

// Nearest neighbours (exact and HNSW) and memorisation checks
export { createNearestNeighbors, exactNearestNeighbors, hnswNearestNeighbors, type NearestNeighbors, type NeighborResult, type NnMetric } from './nn/index.js';
export { memorizationChecks, memorizationForModel, memorizationVerdict, type MemorizationResult } from './memorization/index.js';

// CI gate between two reports
export { compareReports, parseRules, readRules, gateMarkdown, type GateResult, type GateRules } from './gate/index.js';

// Leaderboard server, store and human rating (Express, SQLite or PostgreSQL): loaded only by `genbench serve`,
// `worker` and `demo`, so that importing genbench does not start native database drivers; import them from
// 'genbench/server' (startServer) and 'genbench/store' (openStore) when needed.
