import { GenbenchError } from '../errors.js';
import { imageSize, type ImageBatchU8 } from '../io/image.js';
import type { Matrix } from '../linalg/matrix.js';
import { silentProgress } from '../progress.js';
import { preprocessBatch } from './preprocess.js';
import { layerInfo, type ExtractOptions, type FeatureExtractor, type LayerInfo } from './types.js';

/**
 * One forward pass of a network on preprocessed input `x` (n images, already in the declared layout): the flattened
 * float output of each named layer, n x dim values per layer. Engines (tfjs, onnxruntime) supply only this; the
 * batching, checks and the float32 -> Float64 conversion live here once.
 */
export type BatchForward = (x: Float32Array, n: number, layers: readonly string[]) => Promise<Record<string, ArrayLike<number>>>;

export interface ExtractorParts extends Omit<FeatureExtractor, 'extract' | 'dispose'> {
  readonly forward: BatchForward;
  /** Frees the model; called once by dispose(). */
  readonly release: () => void | Promise<void>;
  /** A model exported with a fixed batch dimension takes exactly this many images per call. */
  readonly fixedBatch?: number;
}

export const DEFAULT_BATCH_SIZE = 32;

/**
 * A FeatureExtractor from its declared parts and a forward function: splits the images into batches, preprocesses
 * each batch (preprocess.ts), checks every output's size against the declared dim, rejects NaN/Inf naming the layer
 * and image, and widens to Float64 matrices.
 *
 * @example
 * const fx = assembleExtractor({ id: 'custom:/m.onnx', keyId: 'custom:m', layers, defaults, preprocessing,
 *   weightsSha256, engine: 'onnxruntime-node', forward, release: () => session.release() });
 */
export function assembleExtractor(parts: ExtractorParts): FeatureExtractor {
  const { forward, release, fixedBatch, ...info } = parts;
  let disposed = false;
  return {
    ...info,
    async extract(images: ImageBatchU8, opts: ExtractOptions = {}): Promise<Record<string, Matrix>> {
      if (disposed) throw new Error(`extractor '${info.id}' was disposed`);
      const layers = (opts.layers ?? [info.defaults.features]).map((name) => layerInfo(info, name));
      if (layers.length === 0) throw new GenbenchError('USAGE', `no layers asked of extractor '${info.id}'`);
      const batch = fixedBatch ?? checkBatchSize(opts.batchSize ?? DEFAULT_BATCH_SIZE);
      const out = layers.map((l) => new Float64Array(images.n * l.dim));
      const progress = opts.progress ?? silentProgress;
      progress.start(images.n, `features (${info.id})`);
      try {
        for (let from = 0; from < images.n; from += batch) {
          const n = Math.min(batch, images.n - from);
          const x = preprocessBatch(viewImages(images, from, n), info.preprocessing);
          const input = n < batch && fixedBatch !== undefined ? padBatch(x, n, batch) : x;
          const result = await forward(input, fixedBatch ?? n, layers.map((l) => l.name));
          layers.forEach((l, k) => copyLayer(info.id, l, result[l.name], from, n, out[k]!));
          progress.tick(n);
        }
      } finally {
        progress.stop();
      }
      return Object.fromEntries(layers.map((l, k) => [l.name, { rows: images.n, cols: l.dim, data: out[k]! }]));
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await release();
    },
  };
}

function checkBatchSize(b: number): number {
  if (!Number.isInteger(b) || b < 1) throw new GenbenchError('USAGE', `--batch-size ${b}: expected a positive integer such as 32`);
  return b;
}

/** Images [from, from + n) as a view (no copy). */
function viewImages(b: ImageBatchU8, from: number, n: number): ImageBatchU8 {
  const size = imageSize(b);
  return { ...b, data: b.data.subarray(from * size, (from + n) * size), n };
}

/** Pads a short last batch with zeros up to a model's fixed batch size (the padded rows are dropped). */
function padBatch(x: Float32Array, n: number, batch: number): Float32Array {
  const out = new Float32Array((x.length / n) * batch);
  out.set(x);
  return out;
}

/** Checks one layer's output of one batch and widens its first n rows into `dst` at row `from`. */
function copyLayer(id: string, l: LayerInfo, values: ArrayLike<number> | undefined, from: number, n: number, dst: Float64Array): void {
  if (values === undefined) throw new GenbenchError('INPUT', `extractor '${id}': the model returned no output for layer '${l.name}'`);
  if (values.length < n * l.dim || values.length % l.dim !== 0) {
    throw new GenbenchError(
      'INPUT',
      `extractor '${id}': layer '${l.name}' gave ${values.length} values for ${n} images, expected ${l.dim} per image; fix its declared dim`,
    );
  }
  const base = from * l.dim;
  for (let i = 0; i < n * l.dim; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      throw new GenbenchError('INPUT', `extractor '${id}': layer '${l.name}' gave ${v} for image ${from + Math.floor(i / l.dim)}; the model or its input range is broken`);
    }
    dst[base + i] = v;
  }
}
