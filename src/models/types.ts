import type { ImageBatchF32, ValueRange } from '../io/image.js';
import type { Progress } from '../progress.js';
import type { GeneratorManifest } from './manifest.js';

/**
 * A loaded generator checkpoint. Images come back NHWC, as floats in the declared `range`; tensors and sessions
 * stay inside. Call `dispose()` when done.
 *
 * @example
 * const g = await loadGenerator('subs/mnist-dcgan.onnx');
 * const batch = await g.sample({ n: 64, seed: 0 }); // { n: 64, height: 28, width: 28, channels: 1, range: [-1, 1] }
 * g.dispose();
 */
export interface Generator {
  readonly manifest: GeneratorManifest;
  /** Absolute path of the checkpoint (the .onnx file or the model folder). */
  readonly path: string;
  /** sha256 of the main model file (the .onnx, or model.json of a folder). */
  readonly sha256: string;
  /** What runs the model, e.g. 'onnxruntime-node 1.30.0 (cpu)' or 'tfjs 4.22.0 (wasm)'. */
  readonly engine: string;
  readonly latentDim: number;
  readonly imageShape: { readonly height: number; readonly width: number; readonly channels: number };
  /** Number of classes of a class-conditional model; undefined when unconditional. */
  readonly classes?: number;
  /** Declared output range, e.g. [-1, 1]. */
  readonly range: ValueRange;
  /**
   * `n` images from latents drawn as standard normals from `new Rng(seed)`, row-major [n, latentDim]: the same seed
   * gives the same images whatever the batch size. Conditional models take `labels` (default: i % classes).
   */
  sample(opts: SampleOptions): Promise<ImageBatchF32>;
  /** Images for explicit latents `z` (row-major [n, latentDim]) and, for conditional models, labels. */
  generate(z: Float32Array, labels?: Int32Array, opts?: GenerateOptions): Promise<ImageBatchF32>;
  /** Releases the session or model. The generator cannot be used afterwards. */
  dispose(): void;
}

export interface GenerateOptions {
  /** Images per forward pass (default 64). */
  readonly batchSize?: number;
  /** Told about each finished batch, in images. */
  readonly progress?: Progress;
}

export interface SampleOptions extends GenerateOptions {
  readonly n: number;
  readonly seed: number;
  readonly labels?: Int32Array;
}

export interface LoadOptions {
  /** tfjs backend name for TF.js checkpoints (see backend/index.ts); ignored by ONNX. */
  readonly backend?: string;
  /** Skip the sha256 checks (tests, or a user who knows the files changed on purpose). Default false. */
  readonly skipChecksums?: boolean;
  /**
   * What runs a TF.js layers checkpoint: 'onnx' (default: converted once to ONNX, cached under GENBENCH_HOME/onnx,
   * run on onnxruntime-node) or 'tfjs'. GENBENCH_ENGINE sets the default. Graph models, and layers models the
   * converter cannot handle, run on tfjs either way (the reason goes to `onNote`). ONNX checkpoints ignore it.
   */
  readonly engine?: 'onnx' | 'tfjs';
  /** Folder of the converted-model cache (default GENBENCH_HOME/onnx). */
  readonly cacheDir?: string;
  /** Told why a checkpoint runs on tfjs although 'onnx' was asked for (one line, for the user). */
  readonly onNote?: (message: string) => void;
}

/**
 * What a format-specific loader provides: one forward pass on a batch. `z` is [n, latentDim]; `labels` has n
 * entries for conditional models. Returns the raw output (layout as declared) and its shape, batch axis included.
 */
export interface ForwardFn {
  (z: Float32Array, n: number, labels: Int32Array | undefined): Promise<{ data: Float32Array; shape: readonly number[] }>;
}

export const DEFAULT_BATCH_SIZE = 64;
