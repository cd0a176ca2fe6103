import { copyFile, link, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenbenchError } from '../errors.js';
import { imageSize, sliceImages, toUint8, type ImageBatchU8 } from '../io/image.js';
import { encodeNpy, parseNpy } from '../io/npy.js';
import { encodePng } from '../io/png.js';
import { Rng } from '../rng.js';
import type { Store } from '../store/index.js';
import { getModel } from '../store/models.js';
import { listSubmissions, submissionFiles } from '../store/submissions.js';

/**
 * Where the rating images come from. Real images: the held-out part of the model's dataset (MNIST test images
 * 8000..9999, which the fixture models never trained on; the whole test split elsewhere). Fake images: a pool of
 * samples of the model, generated once from its stored checkpoint with a fixed seed and kept in the blob store
 * (table rating_fake_pools), so every rater sees the same pool and a restart does not regenerate it. Vigilance
 * images: uniform noise, generated from the image index.
 */
export interface RatingImageSource {
  /** The real images shown next to a model's samples (its dataset's held-out images). */
  real(modelId: string): Promise<{ dataset: string; images: ImageBatchU8 }>;
  /** The model's fake-image pool. */
  fakes(modelId: string): Promise<ImageBatchU8>;
}

/** The split whose images serve as real images for a dataset. */
export function realSplitFor(dataset: string): string {
  return dataset === 'mnist' ? 'test[8000:]' : 'test';
}

/**
 * The default source: real images from the dataset loaders (GENBENCH_ASSETS / GENBENCH_HOME), fake images sampled
 * from the model's last submitted checkpoint in `store` (n = `poolSize`, latents from `seed`), cached in memory and
 * in the blob store.
 *
 * @example
 * const images = storeImageSource(store, { poolSize: 1000, seed: 0 });
 * (await images.fakes(modelId)).n; // 1000 (sampled on first use, read from the blob store afterwards)
 */
export function storeImageSource(store: Store, opts: { poolSize: number; seed: number }): RatingImageSource {
  const reals = new Map<string, Promise<ImageBatchU8>>();
  const fakes = new Map<string, Promise<ImageBatchU8>>();
  const once = <T>(cache: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> => {
    let p = cache.get(key);
    if (p === undefined) {
      p = make();
      cache.set(key, p);
      p.catch(() => cache.delete(key)); // a failure is retried on the next request
    }
    return p;
  };
  return {
    async real(modelId) {
      const dataset = await datasetOf(store, modelId);
      const images = await once(reals, dataset, async () => {
        const { getDataset } = await import('../data/index.js');
        return (await getDataset(dataset).load(realSplitFor(dataset))).images;
      });
      return { dataset, images };
    },
    fakes: (modelId) => once(fakes, modelId, () => fakePool(store, modelId, opts.poolSize, opts.seed)),
  };
}

async function datasetOf(store: Store, modelId: string): Promise<string> {
  const model = await getModel(store.sql, modelId);
  if (model === undefined) throw new GenbenchError('NOT_FOUND', `model '${modelId}' does not exist (pick one from /api/rate)`);
  const subs = await listSubmissions(store.sql, { modelId });
  const dataset = model.dataset ?? subs[subs.length - 1]?.dataset;
  if (dataset === undefined) throw new GenbenchError('UNSUPPORTED', `model '${model.name}' names no dataset, so there are no real images to show next to it`);
  return dataset;
}

/** The stored pool, or a new one sampled from the checkpoint and stored. */
async function fakePool(store: Store, modelId: string, n: number, seed: number): Promise<ImageBatchU8> {
  const row = await store.sql.get<{ sha256: string }>('SELECT sha256 FROM rating_fake_pools WHERE model_id = ? AND seed = ? AND n = ?', [modelId, seed, n]);
  if (row !== undefined && (await store.blobs.has(row.sha256))) return fromNpy(await readFile(store.blobs.path(row.sha256)));
  const images = await sampleCheckpoint(store, modelId, n, seed);
  const { sha256 } = await store.blobs.putBytes(encodeNpy(images.data, [images.n, images.height, images.width, images.channels]));
  await store.sql.run(
    `INSERT INTO rating_fake_pools (model_id, seed, n, sha256, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (model_id, seed, n) DO UPDATE SET sha256 = excluded.sha256`,
    [modelId, seed, n, sha256, new Date().toISOString()],
  );
  return images;
}

function fromNpy(bytes: Uint8Array): ImageBatchU8 {
  const a = parseNpy(bytes, 'rating fake pool');
  const [n, height, width, channels] = a.shape as [number, number, number, number];
  return { data: a.data as Uint8Array, n, height, width, channels };
}

/** Copies the model's last submission into a temporary folder under its upload names and samples it. */
async function sampleCheckpoint(store: Store, modelId: string, n: number, seed: number): Promise<ImageBatchU8> {
  const subs = await listSubmissions(store.sql, { modelId });
  const sub = subs[subs.length - 1];
  if (sub === undefined) throw new GenbenchError('UNSUPPORTED', `model '${modelId}' has no stored checkpoint to sample fake images from`);
  const files = await submissionFiles(store.sql, sub.id);
  const dir = await mkdtemp(join(tmpdir(), 'genbench-rate-'));
  try {
    for (const f of files) {
      const target = join(dir, f.name);
      await link(store.blobs.path(f.sha256), target).catch(() => copyFile(store.blobs.path(f.sha256), target));
    }
    const manifest = files.find((f) => f.name === 'genbench.json' || f.name.endsWith('.genbench.json'));
    const { loadGenerator } = await import('../models/load.js'); // onnxruntime / tfjs load only when needed
    const g = await loadGenerator(manifest === undefined ? join(dir, sub.mainFile) : join(dir, manifest.name));
    try {
      return toUint8(await g.sample({ n, seed }));
    } finally {
      g.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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
