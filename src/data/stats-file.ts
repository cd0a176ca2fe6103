import { zipSync } from 'fflate';
import type { GaussianStats } from '../../metrics/fd.js';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { parseJsonText } from '../io/json-file.js';
import { encodeNpy, type NpyArray } from '../io/npy.js';
import { maxNpzBytes, parseNpz, readWithHash } from './npz.js';
import { listZip, readZipMember } from './zip.js';

/**
 * Feature statistics files (`genbench stats --out S.npz`): a NumPy archive with `mu.npy` (float64 [d], the mean),
 * `sigma.npy` (float64 [d, d], the covariance, ddof 1: the names pytorch-fid and clean-fid use), `count.npy` (int32
 * [1], the number of images), optionally the k-NN radii of the rows, `radii.npy` (float64 [K, count]: row t holds
 * each image's distance to its radii_k[t]-th nearest image, itself counted as neighbour 0) with `radii_k.npy`
 * (int32 [K]), and `recipe.json` (which extractor, weights, layer, preprocessing and images made the features; with
 * radii, `featuresSha256`, the sha256 of the feature rows they belong to). `np.load(S)['mu']` reads it in Python.
 * FD against such a file is `genbench metrics --reference S.npz --metrics fd` (metrics/fd.ts fdFromStats); with
 * the rows themselves, `--reference R.npy --reference-stats S.npz` uses the stored statistics for every metric.
 *
 * @example
 * await writeStats('s.npz', { mean, cov, count: 1000 }, { extractor: { id: 'mobilenet-v1-0.25' } });
 * const { stats, recipe } = await readStats('s.npz'); // stats.count 1000, recipe.extractor.id 'mobilenet-v1-0.25'
 */
export async function writeStats(path: string, stats: GaussianStats, recipe: Record<string, unknown>, radii?: ReadonlyMap<number, Float64Array>): Promise<void> {
  const d = stats.mean.length;
  const ks = [...(radii?.keys() ?? [])];
  const stacked = new Float64Array(ks.length * stats.count);
  ks.forEach((k, t) => stacked.set(radii!.get(k)!, t * stats.count));
  const bytes = zipSync({
    'mu.npy': encodeNpy(stats.mean, [d]),
    'sigma.npy': encodeNpy(stats.cov.data, [d, d]),
    'count.npy': encodeNpy(Int32Array.of(stats.count), [1]),
    ...(ks.length === 0 ? {} : { 'radii.npy': encodeNpy(stacked, [ks.length, stats.count]), 'radii_k.npy': encodeNpy(Int32Array.from(ks), [ks.length]) }),
    'recipe.json': new TextEncoder().encode(`${JSON.stringify(recipe, null, 2)}\n`),
  });
  await writeFileAtomic(path, bytes);
}

/** A statistics file as read: the Gaussian statistics, the radii by k and the rows' sha256 when stored, the recipe. */
export interface StatsFile {
  readonly stats: GaussianStats;
  readonly radii?: ReadonlyMap<number, Float64Array>;
  readonly featuresSha256?: string;
  readonly recipe?: Record<string, unknown>;
  /** sha256 of the file. */
  readonly sha256: string;
}

const MEMBERS = ['mu', 'sigma', 'count', 'radii', 'radii_k'];

/** Reads a statistics .npz: members, shapes and counts checked (INPUT errors naming the file), plus its sha256 and recipe. */
export async function readStats(path: string): Promise<StatsFile> {
  const { bytes, sha256 } = await readWithHash(path);
  const arrays = parseNpz(bytes, path, (m) => MEMBERS.includes(m));
  const mu = arrays.get('mu');
  const sigma = arrays.get('sigma');
  const count = arrays.get('count');
  if (mu === undefined || sigma === undefined || count === undefined) {
    throw new GenbenchError('INPUT', `${path}: a statistics file holds mu.npy, sigma.npy and count.npy (missing ${['mu', 'sigma', 'count'].filter((k) => !arrays.has(k)).join(', ')}); make it with genbench stats`);
  }
  const d = mu.shape[0] ?? 0;
  if (mu.shape.length !== 1 || sigma.shape.length !== 2 || sigma.shape[0] !== d || sigma.shape[1] !== d) {
    throw new GenbenchError('INPUT', `${path}: mu is (${mu.shape.join(', ')}) and sigma (${sigma.shape.join(', ')}); expected mu (d,) and sigma (d, d)`);
  }
  if (!mu.dtype.startsWith('float') || !sigma.dtype.startsWith('float')) throw new GenbenchError('INPUT', `${path}: mu and sigma must be float arrays, got ${mu.dtype} and ${sigma.dtype}`);
  const n = Number(count.data[0]);
  if (count.data.length !== 1 || !Number.isInteger(n)) throw new GenbenchError('INPUT', `${path}: count.npy must hold one integer, the number of images`);
  const stats = { mean: Float64Array.from(mu.data), cov: { rows: d, cols: d, data: Float64Array.from(sigma.data) }, count: n };
  const { recipe } = recipeOf(bytes, path);
  const radii = radiiOf(arrays.get('radii'), arrays.get('radii_k'), n, path);
  const featuresSha256 = recipe?.['featuresSha256'];
  if (radii !== undefined && (typeof featuresSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(featuresSha256))) {
    throw new GenbenchError('INPUT', `${path}: holds radii but recipe.json has no featuresSha256 (the sha256 of the rows they belong to); make it with genbench stats`);
  }
  return { stats, ...(radii === undefined ? {} : { radii, featuresSha256: featuresSha256 as string }), ...(recipe === undefined ? {} : { recipe }), sha256 };
}

/** radii.npy [K, count] and radii_k.npy [K] together, or neither: the radii by k. */
function radiiOf(radii: NpyArray | undefined, ks: NpyArray | undefined, count: number, path: string): Map<number, Float64Array> | undefined {
  if (radii === undefined && ks === undefined) return undefined;
  if (radii === undefined || ks === undefined) throw new GenbenchError('INPUT', `${path}: radii.npy and radii_k.npy come together (missing ${radii === undefined ? 'radii' : 'radii_k'}.npy); make it with genbench stats`);
  const k = Array.from(ks.data, Number);
  if (ks.shape.length !== 1 || k.length === 0 || k.some((v) => !Number.isInteger(v) || v < 1 || v >= count) || new Set(k).size !== k.length) {
    throw new GenbenchError('INPUT', `${path}: radii_k.npy must list distinct integers k in [1, ${count - 1}], got (${k.join(', ')})`);
  }
  if (!radii.dtype.startsWith('float') || radii.shape.length !== 2 || radii.shape[0] !== k.length || radii.shape[1] !== count) {
    throw new GenbenchError('INPUT', `${path}: radii is ${radii.dtype} (${radii.shape.join(', ')}); expected float (${k.length}, ${count}): one radius per image (count ${count}) for each k of radii_k`);
  }
  const values = Float64Array.from(radii.data);
  if (!values.every((v) => Number.isFinite(v) && v >= 0)) throw new GenbenchError('INPUT', `${path}: radii must be finite and >= 0`);
  return new Map(k.map((v, t) => [v, values.slice(t * count, (t + 1) * count)]));
}

function recipeOf(bytes: Uint8Array, path: string): { recipe?: Record<string, unknown> } {
  const entry = listZip(bytes, path).find((e) => e.name === 'recipe.json');
  if (entry === undefined) return {};
  if (entry.size > Math.min(maxNpzBytes(), 2 ** 24)) throw new GenbenchError('INPUT', `${path}: recipe.json declares ${entry.size} bytes; a recipe is a few kilobytes`);
  const text = new TextDecoder().decode(readZipMember(bytes, entry, path));
  return { recipe: parseJsonText(text, `${path}: recipe.json`, 'make it with genbench stats') as Record<string, unknown> };
}
