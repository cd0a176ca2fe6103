import { join } from 'node:path';
import { genbenchHome } from '../assets/index.js';
import type { ImageBatchU8 } from '../io/image.js';
import type { Matrix } from '../linalg/matrix.js';
import { VERSION } from '../version.js';
import { FEATURE_CACHE_VERSION, featureCacheKey, keyPartsFor, keyRecord, type FeatureInputs, type FeatureKeyParts } from './cache-key.js';
import { npyEntryPath, readNpyEntry, writeNpyEntry } from './npy-entry.js';
import type { ExtractOptions, FeatureExtractor } from './types.js';

/**
 * The content-addressed feature cache: `GENBENCH_HOME/features/<key>.npy` (the matrix) and `<key>.json` (the
 * sidecar: the key's recipe, dtype, shape, byte count and sha256 of the .npy). Keys come from cache-key.ts only.
 *
 * - Storage dtype: float32 whenever every value is exactly a float32 (always true for network output, which is
 *   float32 before it is widened), so nothing is lost at half the size of float64; any other matrix is stored as
 *   float64. Reads widen to Float64 (statistics are float64).
 * - Writes and reads go through npy-entry.ts: .npy first, then the sidecar, each atomic (temp file + fsync +
 *   rename), so Ctrl-C or a crash leaves a temp file (swept later), never a partial file at a final path; an entry
 *   is trusted only if the sidecar names this key and format and the .npy has the recorded size, sha256, header and
 *   shape; anything else (truncated, corrupted, half-written pair) is a miss that recomputes and overwrites, with the
 *   reason in `stale`.
 *
 * @example
 * const r = await cachedFeatures(keyPartsFor(fx, 'global_average_pooling2d_1', datasetInputs('mnist', split)),
 *   async () => (await fx.extract(split.images))['global_average_pooling2d_1']!);
 * r.hit; // false the first time, true the next; r.path: '~/.cache/genbench/features/3f9c....npy'
 */
export interface CacheResult {
  readonly matrix: Matrix;
  readonly hit: boolean;
  readonly key: string;
  readonly path: string;
  /** Why an existing entry was not trusted (then recomputed), e.g. 'sha256 mismatch'. */
  readonly stale?: string;
}

export interface CacheOptions {
  /** Cache folder; default GENBENCH_HOME/features. */
  readonly dir?: string;
  /** Extra facts for the sidecar only (engine, backend): recorded, not part of the key. */
  readonly note?: Readonly<Record<string, string>>;
}

/** The cache folder: GENBENCH_HOME/features. */
export function featureCacheDir(): string {
  return join(genbenchHome(), 'features');
}

/** Features for `parts`, from the cache when a valid entry exists, else from `compute` (then stored). */
export async function cachedFeatures(parts: FeatureKeyParts, compute: () => Promise<Matrix>, opts: CacheOptions = {}): Promise<CacheResult> {
  const [r] = Object.values(await cachedLayers([parts], async () => ({ [parts.layer]: await compute() }), opts));
  return r!;
}

/**
 * Several layers of one input at once: `compute` is called once, with only the layers that missed (one forward
 * pass for all of them), and must return a matrix for each.
 */
export async function cachedLayers(
  parts: readonly FeatureKeyParts[],
  compute: (missing: string[]) => Promise<Record<string, Matrix>>,
  opts: CacheOptions = {},
): Promise<Record<string, CacheResult>> {
  const dir = opts.dir ?? featureCacheDir();
  const out: Record<string, CacheResult> = {};
  const missing: { parts: FeatureKeyParts; key: string; stale?: string }[] = [];
  for (const p of parts) {
    const key = featureCacheKey(p);
    const got = await readEntry(dir, key);
    if ('matrix' in got) out[p.layer] = { matrix: got.matrix, hit: true, key, path: npyEntryPath(dir, key) };
    else missing.push({ parts: p, key, ...(got.stale === undefined ? {} : { stale: got.stale }) });
  }
  if (missing.length === 0) return out;
  const computed = await compute(missing.map((m) => m.parts.layer));
  for (const m of missing) {
    const matrix = computed[m.parts.layer];
    if (matrix === undefined) throw new Error(`feature cache: compute() returned no matrix for layer '${m.parts.layer}'`);
    await writeEntry(dir, m.key, m.parts, matrix, opts.note);
    out[m.parts.layer] = { matrix, hit: false, key: m.key, path: npyEntryPath(dir, m.key), ...(m.stale === undefined ? {} : { stale: m.stale }) };
  }
  return out;
}

/**
 * Extracts `layers` of `images` with `fx` through the cache: cached layers are read, the rest computed in one
 * extract call. `inputs` identifies the images by content (datasetInputs / imagesInputs).
 *
 * @example
 * const r = await extractCached(fx, split.images, datasetInputs('mnist', split), { layers: ['f1', 'f2'] });
 * r['f1'].hit; // true on a second run
 */
export async function extractCached(
  fx: FeatureExtractor,
  images: ImageBatchU8,
  inputs: FeatureInputs,
  opts: ExtractOptions & CacheOptions = {},
): Promise<Record<string, CacheResult>> {
  const layers = opts.layers ?? [fx.defaults.features];
  const note = { engine: fx.engine, extractorId: fx.id, ...opts.note };
  return cachedLayers(
    layers.map((l) => keyPartsFor(fx, l, inputs)),
    (missing) => fx.extract(images, { ...opts, layers: missing }),
    { ...opts, note },
  );
}

async function readEntry(dir: string, key: string): Promise<{ matrix: Matrix } | { stale?: string }> {
  const got = await readNpyEntry(dir, key, FEATURE_CACHE_VERSION);
  if (!('data' in got)) return got;
  if (got.shape.length !== 2) return { stale: 'shape differs from sidecar' };
  return { matrix: { rows: got.shape[0]!, cols: got.shape[1]!, data: got.data } };
}

async function writeEntry(dir: string, key: string, parts: FeatureKeyParts, m: Matrix, note?: Readonly<Record<string, string>>): Promise<void> {
  const data = exactFloat32(m.data) ?? m.data;
  await writeNpyEntry(dir, key, FEATURE_CACHE_VERSION, data, [m.rows, m.cols], { recipe: keyRecord(parts), genbenchVersion: VERSION, ...(note === undefined ? {} : { note }) });
}

/** The values as float32 when each one is exactly representable, else null. */
function exactFloat32(d: Float64Array): Float32Array | null {
  const f = new Float32Array(d);
  for (let i = 0; i < d.length; i++) if (f[i] !== d[i]) return null;
  return f;
}

export { FEATURE_CACHE_VERSION, featureCacheKey, keyPartsFor, keyRecord, imagesInputs, datasetInputs } from './cache-key.js';
export type { FeatureInputs, FeatureKeyParts } from './cache-key.js';
