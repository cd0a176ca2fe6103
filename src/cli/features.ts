import { resolve } from 'node:path';
import { Command } from 'commander';
import { resizeOf } from '../data/image-folder.js';
import { parseValueRange, type ImageSet } from '../data/image-set.js';
import { GenbenchError } from '../errors.js';
import type { FeatureExtractor } from '../features/types.js';
import type { ResizeSpec } from '../io/image-codec.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { checkOutputs, parseIntFlag, printJson, printLine } from './output.js';
import { stderrProgress } from './progress-bar.js';
import { parseResizeFlags, requireResizable, resizeOptions, type ResizeFlags } from './resize-flags.js';

/**
 * `genbench features`: the feature matrix of a set of images, as `genbench evaluate` extracts it, written as a
 * float64 .npy [images, dim] for `genbench metrics` (or any other tool). The images are a set given as it is
 * (--input: folder, .zip, .npy or .npz; the first --n of them) or rows of a dataset split (--dataset, --split; with
 * --n, the seeded random subset `evaluate` draws as its reference for the same --n and --seed). --layer picks one
 * of the extractor's outputs (default: the one FD, KID and PRDC read). Dataset features go through the feature cache.
 *
 * @example
 * genbench features --input samples.npy --extractor mobilenet-v1-0.25 --out g.npy                        # wrote g.npy [64 x 256]
 * genbench features --dataset mnist --split 'test[8000:]' --n 64 --seed 3 --extractor mobilenet-v1-0.25 --out r.npy
 * genbench metrics --generated g.npy --reference r.npy --no-ci                                          # evaluate's numbers
 */
export interface FeatureInputFlags extends ResizeFlags {
  input?: string;
  generatedRange?: string;
  dataset?: string;
  split?: string;
  n?: string;
  seed: string;
  extractor?: string;
  layer?: string;
  batchSize?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** The options `features` and `stats` share: which images, which extractor and layer. */
export function featureInputOptions(c: Command): Command {
  return resizeOptions(c)
    .option('--input <images>', 'a folder of PNG/JPEG, a .zip of them, X.npy or X.npz of images (uint8, or float with --generated-range)')
    .option('--generated-range <lo,hi>', 'value range of float --input arrays, e.g. -1,1 or 0,1')
    .option('--dataset <name>', 'or rows of a dataset: built-in name, image folder or .npz')
    .option('--split <expr>', 'split of --dataset (default: test)')
    .option('--n <count>', 'images: the first n of --input, or n seeded random rows of --split as evaluate draws its reference (default: all)')
    .option('--seed <int>', 'seed of the random rows of --split (evaluate uses its --seed)', '0')
    .option('--extractor <id>', 'feature extractor (default mobilenet-v1-0.75; see genbench evaluate --help)')
    .option('--layer <name>', 'extractor output to write (default: the layer FD, KID and PRDC read)')
    .option('--batch-size <int>', 'images per forward pass')
    .option('--json', 'print a summary as JSON on stdout')
    .option('--quiet', 'no progress bars');
}

export function featuresCommand(): Command {
  return featureInputOptions(new Command('features').description('extract the feature matrix of images or of dataset rows to a .npy (rows = images), for genbench metrics'))
    .requiredOption('--out <file.npy>', 'write the features here (float64 [images, dim], atomically)')
    .action(async (f: FeatureInputFlags) => {
      await checkOutputs({ '--out': f.out });
      const r = await extractFeatures(f);
      const { writeNpy } = await import('../io/npy.js');
      await writeNpy(resolve(f.out), r.matrix.data, [r.matrix.rows, r.matrix.cols]);
      const summary = { out: resolve(f.out), shape: [r.matrix.rows, r.matrix.cols], dtype: 'float64', ...r.recipe };
      if (f.json) printJson(summary);
      else printLine(`wrote ${summary.out} [${r.matrix.rows} x ${r.matrix.cols}], ${r.recipe.extractor.id} layer ${r.recipe.layer}, ${r.recipe.images.rows} images of ${r.recipe.images.source}`);
    });
}

/** What the features were extracted from and with: the extractor's identity, layer and preprocessing, and the images. */
export interface FeatureRecipe {
  readonly extractor: { id: string; weightsSha256: string; preprocessing: Record<string, unknown> };
  readonly layer: string;
  /** `preprocessing`: the resize applied while reading (--resize), when one was. */
  readonly images: { source: string; rows: number; sha256: string; split?: string; seed?: number | null; rowsSha256?: string; files?: Record<string, string>; preprocessing?: Record<string, string> };
  readonly cached: boolean;
  readonly genbench: string;
}

/**
 * Loads the images the flags name, opens the extractor, checks the layer and extracts it (dataset rows through the
 * feature cache). Bad flags fail before any image is read.
 */
export async function extractFeatures(f: FeatureInputFlags): Promise<{ matrix: Matrix; recipe: FeatureRecipe }> {
  if ((f.input === undefined) === (f.dataset === undefined)) throw new GenbenchError('USAGE', 'give --input IMAGES (a folder, .zip, .npy or .npz) or --dataset NAME [--split S], not both');
  if (f.split !== undefined && f.dataset === undefined) throw new GenbenchError('USAGE', '--split: only with --dataset');
  if (f.generatedRange !== undefined && f.input === undefined) throw new GenbenchError('USAGE', '--generated-range: only with --input');
  const n = f.n === undefined ? undefined : parseIntFlag('n', f.n, { min: 2 });
  const seed = parseIntFlag('seed', f.seed, { min: 0, max: 0xffffffff });
  const batch = f.batchSize === undefined ? {} : { batchSize: parseIntFlag('batch-size', f.batchSize, { min: 1 }) };
  const range = f.generatedRange === undefined ? undefined : parseValueRange(f.generatedRange);
  const resize = parseResizeFlags(f);
  await requireResizable(resize, { '--input': { path: f.input, zip: true }, '--dataset': { path: f.dataset, zip: false } });
  const progress = stderrProgress({ quiet: f.quiet === true });
  const set = f.input === undefined ? undefined : await loadSet(f.input, n, { range, resize }); // bad files fail before the extractor loads
  const { createExtractor, DEFAULT_EXTRACTOR, layerInfo } = await import('../features/index.js'); // onnxruntime loads only when needed
  const fx = await createExtractor(f.extractor ?? DEFAULT_EXTRACTOR, { progress });
  try {
    const layer = layerInfo(fx, f.layer ?? fx.defaults.features).name;
    const got = set !== undefined ? await fromSet(fx, set, layer, batch, progress) : await fromDataset(fx, { name: f.dataset!, split: f.split, n, seed, resize }, layer, batch, progress);
    const { VERSION } = await import('../version.js');
    const extractor = { id: fx.keyId, weightsSha256: fx.weightsSha256, preprocessing: { ...fx.preprocessing } };
    return { matrix: got.matrix, recipe: { extractor, layer, images: got.images, cached: got.cached, genbench: VERSION } };
  } finally {
    await fx.dispose();
  }
}

type Batch = { batchSize?: number };

/** The set of images, cut to its first n. */
async function loadSet(path: string, n: number | undefined, o: { range: readonly [number, number] | undefined; resize: ResizeSpec | undefined }): Promise<ImageSet> {
  const { loadImageSet } = await import('../data/image-set.js');
  const { sliceImages } = await import('../io/image.js');
  const set = await loadImageSet(path, { ...(o.range === undefined ? {} : { range: o.range }), ...(o.resize === undefined ? {} : { resize: o.resize }) });
  if (n !== undefined && n > set.images.n) throw new GenbenchError('USAGE', `--n ${n}: ${set.path} holds ${set.images.n} images; pass --n ${set.images.n} or fewer`);
  return n === undefined ? set : { ...set, images: sliceImages(set.images, 0, n) };
}

async function fromSet(fx: FeatureExtractor, set: ImageSet, layer: string, batch: Batch, progress: Progress) {
  const { imagesInputs } = await import('../features/cache.js');
  const images = set.images;
  const matrix = (await fx.extract(images, { layers: [layer], ...batch, progress }))[layer]!;
  const sha256 = (imagesInputs(images) as { sha256: string }).sha256;
  return { matrix, cached: false, images: { source: set.path, rows: images.n, sha256, files: set.files, ...resized(set.details) } };
}

/** `{ preprocessing: { resize, filter } }` when the images were resized while reading, else nothing. */
function resized(loading: Readonly<Record<string, string | number>> | undefined): { preprocessing?: Record<string, string> } {
  const r = resizeOf(loading);
  return r === undefined ? {} : { preprocessing: r };
}

interface DatasetRows {
  readonly name: string;
  readonly split: string | undefined;
  readonly n: number | undefined;
  readonly seed: number;
  readonly resize: ResizeSpec | undefined;
}

async function fromDataset(fx: FeatureExtractor, rows: DatasetRows, layer: string, batch: Batch, progress: Progress) {
  const { openDataset } = await import('../data/index.js');
  const { loadReference, defaultSplit } = await import('../harness/reference.js');
  const { datasetInputs, extractCached, imagesInputs } = await import('../features/cache.js');
  const ds = await openDataset(rows.name, rows.resize === undefined ? {} : { resize: rows.resize });
  const { reference, selection } = await loadReference(ds, rows.split ?? defaultSplit(ds, {}), rows.n, rows.seed, progress);
  const r = (await extractCached(fx, reference.images, datasetInputs(ds.name, reference), { layers: [layer], ...batch, progress }))[layer]!;
  const sha256 = (imagesInputs(reference.images) as { sha256: string }).sha256;
  return { matrix: r.matrix, cached: r.hit, images: { source: ds.name, split: reference.split, rows: reference.images.n, sha256, seed: selection.seed, rowsSha256: selection.rowsSha256, ...resized(reference.source.preprocessing) } };
}
