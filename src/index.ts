/**
 * genbench's public API: the one barrel. What it does not export is internal and may change.
 *
 * @example
 * import { getDataset, loadGenerator, toUint8 } from 'genbench';
 * const mnist = await getDataset('mnist').load('test[:8000]'); // mnist.images.n === 8000
 * const g = await loadGenerator('mnist-dcgan.onnx');
 * const images = toUint8(await g.sample({ n: 64, seed: 0 }));
 */

// Errors, randomness, progress
export { GenbenchError, isGenbenchError, type ErrorCode } from './errors.js';
export { Rng } from './rng.js';
export { silentProgress, type Progress } from './progress.js';
export { VERSION } from './version.js';

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
  generatePolygons,
  type Dataset,
  type DatasetSplit,
  type ImageFolderOptions,
} from './data/index.js';

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

// Nearest neighbours (exact and HNSW) and memorisation checks
export { createNearestNeighbors, exactNearestNeighbors, hnswNearestNeighbors, type NearestNeighbors, type NeighborResult, type NnMetric } from './nn/index.js';
export { memorizationChecks, memorizationForModel, memorizationVerdict, type MemorizationResult } from './memorization/index.js';

// CI gate between two reports
export { compareReports, parseRules, readRules, gateMarkdown, type GateResult, type GateRules } from './gate/index.js';

// Leaderboard server, store and human rating (Express, SQLite or PostgreSQL): loaded only by `genbench serve`,
// `worker` and `demo`, so that importing genbench does not start native database drivers; import them from
// 'genbench/dist/src/server/serve.js' (startServer) and 'genbench/dist/src/store/index.js' (openStore) when needed.
