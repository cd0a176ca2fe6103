import ort from 'onnxruntime-node';
import { resolveAssetFolder } from '../assets/index.js';
import { CONVERTED_ENGINE, openConvertedModel } from '../convert/open.js';
import { PIXELS_INPUT, type GraphPreprocess } from '../convert/preprocess-graph.js';
import { readLayersModelFiles } from '../convert/weights.js';
import { GenbenchError } from '../errors.js';
import { imageSize, type ImageBatchU8 } from '../io/image.js';
import { memoPromise } from '../io/memo.js';
import type { Matrix } from '../linalg/matrix.js';
import { silentProgress } from '../progress.js';
import { MOBILENET_FEATURES, MOBILENET_PROBABILITIES, mobilenetLayers, mobilenetPreprocessing, type MobilenetAlpha, type MobilenetOptions } from './mobilenet.js';
import { layerInfo, type ExtractOptions, type FeatureExtractor, type LayerInfo } from './types.js';

/**
 * MobileNet v1 features on onnxruntime-node: the same TF.js layers model as features/mobilenet.ts (same asset, id,
 * layers, defaults, preprocessing record and weights hash, so feature cache entries are shared), converted to ONNX
 * once per input geometry by src/convert (cached under GENBENCH_HOME/onnx). The declared preprocessing runs inside
 * the graph (convert/preprocess-graph.ts: io/image-codec.ts's resize weights as float64 MatMuls, rounding, range,
 * gray -> RGB), so a batch is handed to ORT as the uint8 pixels it already is: no per-pixel JavaScript. The result
 * equals preprocess.ts bit for bit for 28 -> 224 bilinear. One session per input geometry, reused; intra-op threads
 * = available cores, full graph optimisation; sessions are released by dispose().
 *
 * @example
 * const fx = await createMobilenetOrtExtractor('0.75');
 * (await fx.extract(mnist8))['global_average_pooling2d_1'].cols; // 768 (about 20x the images/s of tfjs-wasm)
 * await fx.dispose();
 */
export interface MobilenetOrtOptions extends MobilenetOptions {
  /** Folder of the converted-model cache (default GENBENCH_HOME/onnx). */
  readonly cacheDir?: string;
  /** Intra-op threads (default os.availableParallelism()). */
  readonly threads?: number;
}

/** Images per session.run unless the caller says otherwise (measured best on 2 cores; see test/bench/features). */
export const ORT_BATCH_SIZE = 16;

export async function createMobilenetOrtExtractor(alpha: MobilenetAlpha, opts: MobilenetOrtOptions = {}): Promise<FeatureExtractor> {
  const folder = await resolveAssetFolder(`models/mobilenet_v1_${alpha}_224`, opts);
  const layers = mobilenetLayers(alpha);
  const preprocessing = mobilenetPreprocessing(opts.filter);
  const id = `mobilenet-v1-${alpha}`;
  const sessions = new Map<string, Promise<ort.InferenceSession>>();
  const files = new Map<'model', ReturnType<typeof readLayersModelFiles>>();
  let disposed = false;
  const sessionFor = (h: number, w: number, c: 1 | 3 | 4): Promise<ort.InferenceSession> => {
    const pre: GraphPreprocess = { inHeight: h, inWidth: w, inChannels: c, preprocessing };
    const outputs = layers.map((l) => l.name);
    // one read of the TF.js files for every geometry; a failed conversion or session is dropped, so the next batch
    // tries again (memoPromise)
    const read = (): ReturnType<typeof readLayersModelFiles> => memoPromise(files, 'model', async () => readLayersModelFiles(folder.path));
    return memoPromise(sessions, `${h}x${w}x${c}`, async () => {
      const where = { ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }), ...(opts.threads === undefined ? {} : { threads: opts.threads }) };
      const r = await openConvertedModel({ model: folder.path, outputs, preprocess: pre, weightsSha256: folder.treeSha256, files: read, ...where });
      return r.session;
    });
  };
  return {
    id,
    keyId: id,
    layers,
    defaults: { features: MOBILENET_FEATURES, classScores: MOBILENET_PROBABILITIES },
    preprocessing,
    weightsSha256: folder.treeSha256,
    engine: CONVERTED_ENGINE,
    async extract(images: ImageBatchU8, o: ExtractOptions = {}): Promise<Record<string, Matrix>> {
      if (disposed) throw new Error(`extractor '${id}' was disposed`);
      const wanted = (o.layers ?? [MOBILENET_FEATURES]).map((name) => layerInfo({ id, layers }, name));
      const session = await sessionFor(images.height, images.width, checkChannels(images.channels));
      return runBatches(session, images, wanted, id, o);
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map(async (s) => (await s.catch(() => undefined))?.release()));
    },
  };
}

async function runBatches(session: ort.InferenceSession, images: ImageBatchU8, layers: LayerInfo[], id: string, o: ExtractOptions): Promise<Record<string, Matrix>> {
  const batch = o.batchSize ?? ORT_BATCH_SIZE;
  if (!Number.isInteger(batch) || batch < 1) throw new GenbenchError('USAGE', `--batch-size ${batch}: expected a positive integer such as 32`);
  const out = layers.map((l) => new Float64Array(images.n * l.dim));
  const size = imageSize(images);
  const progress = o.progress ?? silentProgress;
  progress.start(images.n, `features (${id}, onnxruntime)`);
  try {
    for (let from = 0; from < images.n; from += batch) {
      const n = Math.min(batch, images.n - from);
      const pixels = new ort.Tensor('uint8', images.data.subarray(from * size, (from + n) * size), [n, images.height, images.width, images.channels]);
      const result = await session.run({ [PIXELS_INPUT]: pixels }, layers.map((l) => l.name));
      try {
        layers.forEach((l, k) => widen(id, l, result[l.name]!.data as Float32Array, from, n, out[k]!));
      } finally {
        for (const t of Object.values(result)) t.dispose();
        pixels.dispose();
      }
      progress.tick(n);
    }
  } finally {
    progress.stop();
  }
  return Object.fromEntries(layers.map((l, k) => [l.name, { rows: images.n, cols: l.dim, data: out[k]! }]));
}

/** Copies one batch of a layer into the Float64 matrix at row `from`, rejecting NaN/Inf with the image index. */
function widen(id: string, l: LayerInfo, values: Float32Array, from: number, n: number, dst: Float64Array): void {
  if (values.length !== n * l.dim) throw new GenbenchError('INPUT', `extractor '${id}': layer '${l.name}' gave ${values.length} values for ${n} images, expected ${l.dim} each`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new GenbenchError('INPUT', `extractor '${id}': layer '${l.name}' gave ${v} for image ${from + Math.floor(i / l.dim)}`);
    dst[from * l.dim + i] = v;
  }
}

function checkChannels(c: number): 1 | 3 | 4 {
  if (c !== 1 && c !== 3 && c !== 4) throw new GenbenchError('INPUT', `images have ${c} channels; feature extractors take 1 (gray), 3 (RGB) or 4 (RGBA) channels`);
  return c;
}
