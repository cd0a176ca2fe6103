/**
 * Generator checkpoints: the Generator interface, the genbench.json manifest, and the loaders (ONNX through
 * onnxruntime-node; TF.js layers and graph models from local folders through a file IOHandler).
 *
 * @example
 * import { loadGenerator } from './models/index.js';
 * const g = await loadGenerator('subs/mnist-dcgan.onnx'); // g.imageShape: { height: 28, width: 28, channels: 1 }
 */
export type { Generator, SampleOptions, GenerateOptions, LoadOptions } from './types.js';
export { DEFAULT_BATCH_SIZE } from './types.js';
export {
  CheckpointManifestSchema,
  GeneratorManifestSchema,
  MANIFEST_EXAMPLE,
  manifestPathFor,
  readManifest,
  readCheckpointManifest,
  parseManifest,
  manifestRange,
  manifestImageShape,
  type CheckpointManifest,
  type GeneratorManifest,
} from './manifest.js';
export { loadGenerator } from './load.js';
export { fileIOHandler, loadLayersModelFromFiles, loadGraphModelFromFiles } from './tfjs-io.js';
export { readModelJson, checkShards } from '../io/tfjs-model-files.js';
export { verifyChecksums } from './verify.js';
