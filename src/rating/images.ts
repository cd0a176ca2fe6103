import { readFile } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { imageSize, sliceImages, toUint8, type ImageBatchU8 } from '../io/image.js';
import { encodeNpy, parseNpy } from '../io/npy.js';
import { encodePng } from '../io/png.js';
import { Rng } from '../rng.js';
import type { Store } from '../store/index.js';
import { getModel } from '../store/models.js';
import { listSubmissions } from '../store/submissions.js';

/**
 * Where the rating images come from. Real images: the held-out part of the model's dataset (MNIST test images
 * 8000..9999, which the fixture models never trained on; the whole test split elsewhere). Fake images: a pool of
 * samples of the model, generated once from its stored checkpoint with a fixed seed by the model's evaluation job,
 * outside the web process (samplePoolFiles, run by src/server's sandbox), and kept in the blob store (table
 * rating_fake_pools, storeRatingPool), so every rater sees the same pool and a request never runs a model.
 * A translator (manifest `kind: translator`) is rated on its task the same way: its "dataset" is the task, the real
 * images are the task's target images of its test split, and its pool is its outputs on that split (up to the pool
 * size, in split order; the seed picks nothing), made by its evaluation job (harness/translate-outputs.ts).
 * Vigilance images: uniform noise, generated from the image index.
 */
export interface RatingImageSource {
  /** The real images shown next to a model's samples (its dataset's held-out images). */
  real(modelId: string): Promise<{ dataset: string; images: ImageBatchU8 }>;
  /** The model's fake-image pool; undefined while none is stored yet. */
  fakes(modelId: string): Promise<ImageBatchU8 | undefined>;
}

/** The split whose images serve as real images for a dataset. */
export function realSplitFor(dataset: string): string {
  return dataset === 'mnist' ? 'test[8000:]' : 'test';
}

/**
 * The default source: real images from the dataset loaders (GENBENCH_ASSETS / GENBENCH_HOME), fake images from the
 * pool of `poolSize` samples (latents from `seed`) stored for the model, cached in memory once found.
 *
 * @example
 * const images = storeImageSource(store, { poolSize: 1000, seed: 0 });
 * (await images.fakes(modelId))?.n; // 1000 once the model's evaluation stored its pool, undefined before
 */
export function storeImageSource(store: Store, opts: { poolSize: number; seed: number }): RatingImageSource {
  const reals = new Map<string, Promise<ImageBatchU8>>();
  const fakes = new Map<string, ImageBatchU8>();
  return {
    async real(modelId) {
      const dataset = await datasetOf(store, modelId);
      let p = reals.get(dataset);
      if (p === undefined) {
        p = realImages(dataset);
        reals.set(dataset, p);
        p.catch(() => reals.delete(dataset)); // a failure is retried on the next request
      }
      return { dataset, images: await p };
    },
    async fakes(modelId) {
      const hit = fakes.get(modelId);
      if (hit !== undefined) return hit;
      const pool = await storedPool(store, modelId, opts.poolSize, opts.seed);
      if (pool !== undefined) fakes.set(modelId, pool);
      return pool;
    },
  };
}

/** The real images of a dataset, or the target images of a translation task. */
async function realImages(dataset: string): Promise<ImageBatchU8> {
  const { taskNames } = await import('../data/paired-tasks.js');
  if (taskNames().includes(dataset)) return (await import('../harness/translate-outputs.js')).taskTargets(dataset, realSplitFor(dataset));
  const { getDataset } = await import('../data/index.js');
  return (await getDataset(dataset).load(realSplitFor(dataset))).images;
}

/** The dataset a model is rated against: a translator's task (its submission's), else the manifest's dataset. */
async function datasetOf(store: Store, modelId: string): Promise<string> {
  const model = await getModel(store.sql, modelId);
  if (model === undefined) throw new GenbenchError('NOT_FOUND', `model '${modelId}' does not exist (pick one from /api/rate)`);
  const subs = await listSubmissions(store.sql, { modelId });
  const last = subs[subs.length - 1]?.dataset;
  const task = typeof model.manifest['task'] === 'string' ? model.manifest['task'] : undefined;
  const dataset = model.manifest['kind'] === 'translator' ? (last ?? task) : (model.dataset ?? last);
  if (dataset === undefined) throw new GenbenchError('UNSUPPORTED', `model '${model.name}' names no dataset, so there are no real images to show next to it`);
  return dataset;
}

/** The stored pool of a model, if there is one. */
async function storedPool(store: Store, modelId: string, n: number, seed: number): Promise<ImageBatchU8 | undefined> {
  const row = await store.sql.get<{ sha256: string }>('SELECT sha256 FROM rating_fake_pools WHERE model_id = ? AND seed = ? AND n = ?', [modelId, seed, n]);
  if (row === undefined || !(await store.blobs.has(row.sha256))) return undefined;
  return fromNpy(await readFile(store.blobs.path(row.sha256)));
}

/**
 * Stores a pool written by samplePoolFiles (a uint8 .npy, n x H x W x C) as the model's pool for `seed`, replacing
 * an older one of the same size and seed.
 *
 * @example
 * await storeRatingPool(store, modelId, { n: 1000, seed: 0 }, join(dir, 'pool.npy'));
 */
export async function storeRatingPool(store: Store, modelId: string, pool: { n: number; seed: number }, file: string): Promise<void> {
  const { sha256, size } = await store.blobs.putFile(file);
  const now = new Date().toISOString();
  await store.sql.run('INSERT INTO files (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING', [sha256, size, now]);
  await store.sql.run(
    `INSERT INTO rating_fake_pools (model_id, seed, n, sha256, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (model_id, seed, n) DO UPDATE SET sha256 = excluded.sha256`,
    [modelId, pool.seed, pool.n, sha256, now],
  );
}

function fromNpy(bytes: Uint8Array): ImageBatchU8 {
  const a = parseNpy(bytes, 'rating fake pool');
  const [n, height, width, channels] = a.shape as [number, number, number, number];
  return { data: a.data as Uint8Array, n, height, width, channels };
}

export interface PoolFilesInput {
  /** The checkpoint to sample: its manifest (or main file) path. */
  readonly checkpoint: string;
  readonly n: number;
  readonly seed: number;
  /** The .npy file to write (uint8, n x H x W x C). */
  readonly out: string;
}

/**
 * Samples a rating pool from a checkpoint on disk into a uint8 .npy: the work of the evaluation process (this runs
 * the submitted model, so the server runs it in its sandbox, never in a request).
 *
 * @example
 * await samplePoolFiles({ checkpoint: 'work/g.genbench.json', n: 1000, seed: 0, out: 'work/pool.npy' }); // { shape: [1000, 28, 28, 1] }
 */
export async function samplePoolFiles(input: PoolFilesInput): Promise<{ shape: [number, number, number, number] }> {
  const images = (await isTranslator(input.checkpoint)) ? await translatedPool(input) : await sampledPool(input);
  const shape: [number, number, number, number] = [images.n, images.height, images.width, images.channels];
  await writeFileAtomic(input.out, encodeNpy(images.data, shape));
  return { shape };
}

async function sampledPool(input: PoolFilesInput): Promise<ImageBatchU8> {
  const { loadGenerator } = await import('../models/load.js'); // onnxruntime / tfjs load only when needed
  const g = await loadGenerator(input.checkpoint);
  try {
    return toUint8(await g.sample({ n: input.n, seed: input.seed }));
  } finally {
    g.dispose();
  }
}

/** A translator's pool: its first `n` outputs on its task's test split. */
async function translatedPool(input: PoolFilesInput): Promise<ImageBatchU8> {
  const { translatedImages } = await import('../harness/translate-outputs.js');
  const all = await translatedImages({ translator: input.checkpoint });
  return all.n > input.n ? sliceImages(all, 0, input.n) : all;
}

/** Whether a checkpoint's manifest says `kind: translator`. */
async function isTranslator(checkpoint: string): Promise<boolean> {
  const { manifestPathFor, readJson } = await import('../models/manifest.js');
  const m = await readJson(await manifestPathFor(checkpoint));
  return typeof m === 'object' && m !== null && (m as Record<string, unknown>)['kind'] === 'translator';
}

/**
 * A vigilance image: uniform noise of the given shape, the same for the same index.
 *
 * @example
 * vigilanceImage(3, { height: 28, width: 28, channels: 1 }).data.length; // 784
 */
export function vigilanceImage(index: number, shape: { height: number; width: number; channels: number }): ImageBatchU8 {
  const rng = new Rng(index >>> 0).fork('vigilance');
  const { height, width, channels } = shape;
  const data = new Uint8Array(imageSize(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { data, n: 1, height, width, channels };
}

/**
 * Image `i` of a batch as a PNG data URL (the trial carries its image, so the browser can decode it before the
 * exposure starts and the URL says nothing about the image).
 *
 * @example
 * pngDataUrl(batch, 0); // 'data:image/png;base64,iVBORw0KGgo...'
 */
export function pngDataUrl(batch: ImageBatchU8, i: number): string {
  const one = sliceImages(batch, i, i + 1);
  const png = encodePng(one.data, one.width, one.height, one.channels);
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}
