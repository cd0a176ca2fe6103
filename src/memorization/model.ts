import { resizeOf } from '../data/image-folder.js';
import { openDataset } from '../data/index.js';
import type { Dataset, DatasetSplit } from '../data/types.js';
import { GenbenchError } from '../errors.js';
import { datasetInputs, extractCached } from '../features/cache.js';
import { createExtractor, DEFAULT_EXTRACTOR } from '../features/index.js';
import type { FeatureExtractor } from '../features/types.js';
import type { ResizeSpec } from '../io/image-codec.js';
import { imageSize, toUint8, type ImageBatchU8 } from '../io/image.js';
import type { Matrix } from '../linalg/matrix.js';
import { loadGenerator } from '../models/load.js';
import type { Generator } from '../models/types.js';
import type { Progress } from '../progress.js';
import { VERSION } from '../version.js';
import { memorizationChecks, type MemorizationOptions, type MemorizationResult } from './checks.js';
import { neighbours } from './neighbours.js';
import { suspiciousSamples, writePanel } from './panel.js';

/**
 * Model mode of the memorisation checks: samples `n` images from a generator (8-bit quantised like real images),
 * loads the training and held-out splits of a dataset, and runs every check (checks.ts) in pixel space (images
 * flattened, values u8 / 255 in [0, 1]) and/or feature space (the extractor's default features layer; dataset
 * features through the content-addressed feature cache, as `evaluate` does). Optionally writes the neighbour panel
 * (panel.ts) of the most suspicious samples (pixel space) with their 5 nearest training images. A generator or extractor given as a path is opened and released here.
 *
 * @example
 * const r = await memorizationForModel({ generator: 'subs/mnist-dcgan.onnx', dataset: 'mnist', trainSplit: 'test[:8000]', heldoutSplit: 'test[8000:]', n: 500 });
 * r.spaces.pixel?.ct.value;  // about 0 for a model that does not copy
 */
export type MemorizationSpace = 'pixel' | 'features' | 'both';

export interface MemorizationModelOptions extends MemorizationOptions {
  readonly generator: string | Generator;
  readonly dataset: string | Dataset;
  readonly trainSplit: string;
  readonly heldoutSplit: string;
  /** Default 'both'. */
  readonly space?: MemorizationSpace;
  /** Generated samples (default 1000); the sampling seed is `seed`. */
  readonly n?: number;
  /** Extractor id or open extractor for feature space (default mobilenet-v1-0.75). */
  readonly extractor?: string | FeatureExtractor;
  /** Where to write the neighbour panel PNG (legend JSON beside it). */
  readonly panels?: string;
  /** Rows of the panel (default 8). */
  readonly panelRows?: number;
  readonly batchSize?: number;
  readonly backend?: string;
  readonly cacheDir?: string;
  /** Resize every image of an image-folder dataset (recorded in the recipe and the feature cache key). */
  readonly resize?: ResizeSpec;
  readonly progress?: Progress;
}

export interface MemorizationModelResult {
  readonly spaces: { pixel?: MemorizationResult; features?: MemorizationResult };
  readonly recipe: Record<string, unknown>;
  readonly panels?: { readonly png: string; readonly legend: string; readonly space: string };
}

export async function memorizationForModel(o: MemorizationModelOptions): Promise<MemorizationModelResult> {
  const space = o.space ?? 'both';
  if (!['pixel', 'features', 'both'].includes(space)) throw new GenbenchError('USAGE', `--space: use pixel, features or both, got '${space}'`);
  if (o.panels !== undefined && space === 'features') throw new GenbenchError('USAGE', '--panels shows pixel-space neighbours: use --space pixel or --space both');
  const ds = typeof o.dataset === 'string' ? await openDataset(o.dataset, o.resize === undefined ? {} : { resize: o.resize }) : o.dataset;
  const g = typeof o.generator === 'string' ? await loadGenerator(o.generator, o.backend === undefined ? {} : { backend: o.backend }) : o.generator;
  let fx: FeatureExtractor | undefined;
  try {
    const prog = o.progress === undefined ? {} : { progress: o.progress };
    const train = await ds.load(o.trainSplit, prog);
    const heldout = await ds.load(o.heldoutSplit, prog);
    const n = o.n ?? 1000;
    const images = toUint8(await g.sample({ n, seed: o.seed ?? 0, ...prog, ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }) }));
    checkShapes(images, train, heldout);
    const spaces: { pixel?: MemorizationResult; features?: MemorizationResult } = {};
    if (space !== 'features') spaces.pixel = await memorizationChecks({ train: pixels(train.images), heldout: pixels(heldout.images), generated: pixels(images) }, o);
    let fxRecipe: Record<string, unknown> | undefined;
    if (space !== 'pixel') {
      fx = typeof o.extractor === 'object' ? o.extractor : await createExtractor(o.extractor ?? DEFAULT_EXTRACTOR);
      const f = await featureSets(fx, ds.name, { train, heldout, images }, o);
      spaces.features = await memorizationChecks(f.sets, o);
      fxRecipe = { id: fx.keyId, layer: f.layer, weightsSha256: fx.weightsSha256, preprocessing: { ...fx.preprocessing } };
    }
    const resized = resizeOf(train.source.preprocessing);
    const recipe = {
      genbench: VERSION,
      command: 'memorization',
      model: { name: g.manifest.name, sha256: g.sha256, engine: g.engine },
      dataset: ds.name,
      ...(resized === undefined ? {} : { preprocessing: resized }),
      train_split: train.split,
      heldout_split: heldout.split,
      n: { generated: n, train: train.images.n, heldout: heldout.images.n },
      seeds: { sampling: o.seed ?? 0, checks: o.seed ?? 0 },
      pixel_space: 'images flattened, u8 / 255 in [0, 1] (generated images quantised to 8 bits first)',
      ...(fxRecipe === undefined ? {} : { extractor: fxRecipe }),
      ...Object.fromEntries(Object.entries(spaces).map(([k, v]) => [k, v.recipe])),
    };
    const panels = o.panels === undefined ? undefined : await panel(o.panels, spaces, { generated: images, train: train.images }, o.panelRows ?? 8);
    return { spaces, recipe, ...(panels === undefined ? {} : { panels }) };
  } finally {
    if (fx !== undefined && typeof o.extractor !== 'object') await fx.dispose();
    if (typeof o.generator === 'string') g.dispose();
  }
}

/** Images as a float64 matrix [n, h*w*c] of u8 / 255. */
export function pixels(b: ImageBatchU8): Matrix {
  const size = imageSize(b);
  const data = new Float64Array(b.n * size);
  for (let i = 0; i < data.length; i++) data[i] = b.data[i]! / 255;
  return { rows: b.n, cols: size, data };
}

async function featureSets(
  fx: FeatureExtractor,
  dataset: string,
  s: { train: DatasetSplit; heldout: DatasetSplit; images: ImageBatchU8 },
  o: MemorizationModelOptions,
): Promise<{ sets: { train: Matrix; heldout: Matrix; generated: Matrix }; layer: string }> {
  const layer = fx.defaults.features;
  const opts = { layers: [layer], ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }), ...(o.progress === undefined ? {} : { progress: o.progress }), ...(o.cacheDir === undefined ? {} : { dir: o.cacheDir }) };
  const train = await extractCached(fx, s.train.images, datasetInputs(dataset, s.train), opts);
  const heldout = await extractCached(fx, s.heldout.images, datasetInputs(dataset, s.heldout), opts);
  const generated = await fx.extract(s.images, opts);
  return { sets: { train: train[layer]!.matrix, heldout: heldout[layer]!.matrix, generated: generated[layer]! }, layer };
}

async function panel(
  path: string,
  spaces: { pixel?: MemorizationResult },
  imgs: { generated: ImageBatchU8; train: ImageBatchU8 },
  rows: number,
): Promise<{ png: string; legend: string; space: string }> {
  const space = 'pixel';
  const r = spaces.pixel!;
  const picked = suspiciousSamples(r.perSample, Math.min(rows, imgs.generated.n));
  const sub = { ...imgs.generated, n: picked.length, data: gather(imgs.generated, picked) };
  const k = Math.min(5, imgs.train.n);
  const nn = await neighbours({ reference: pixels(imgs.train), queries: pixels(sub) }, k, { metric: 'l2' });
  const legend = await writePanel(path, {
    generated: imgs.generated,
    train: imgs.train,
    space,
    rows: picked.map((sample, i) => ({ sample, neighbours: nn.indices[i]!, distances: nn.distances[i]! })),
  });
  return { png: path, legend, space };
}

function gather(b: ImageBatchU8, rows: readonly number[]): Uint8Array {
  const size = imageSize(b);
  const out = new Uint8Array(rows.length * size);
  rows.forEach((r, i) => out.set(b.data.subarray(r * size, (r + 1) * size), i * size));
  return out;
}

function checkShapes(g: ImageBatchU8, train: DatasetSplit, heldout: DatasetSplit): void {
  const shape = (b: ImageBatchU8) => `${b.height}x${b.width}x${b.channels}`;
  for (const [what, s] of [['train split', train], ['held-out split', heldout]] as const) {
    if (shape(s.images) !== shape(g)) {
      throw new GenbenchError('INPUT', `${what} '${s.split}' has images ${shape(s.images)} but the generator makes ${shape(g)}; pick the dataset the model was trained on`);
    }
  }
}
