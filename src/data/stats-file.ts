import { zipSync } from 'fflate';
import type { GaussianStats } from '../../metrics/fd.js';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { encodeNpy } from '../io/npy.js';
import { maxNpzBytes, parseNpz, readWithHash } from './npz.js';
import { listZip, readZipMember } from './zip.js';

/**
 * Feature statistics files (`genbench stats --out S.npz`): a NumPy archive with `mu.npy` (float64 [d], the mean),
 * `sigma.npy` (float64 [d, d], the covariance, ddof 1: the names pytorch-fid and clean-fid use), `count.npy` (int32
 * [1], the number of images) and `recipe.json` (which extractor, weights, layer, preprocessing and images made the
 * features). `np.load(S)['mu']` reads it in Python. FD against such a file is `genbench metrics --reference S.npz
 * --metrics fd` (metrics/fd.ts fdFromStats).
 *
 * @example
 * await writeStats('s.npz', { mean, cov, count: 1000 }, { extractor: { id: 'mobilenet-v1-0.25' } });
 * const { stats, recipe } = await readStats('s.npz'); // stats.count 1000, recipe.extractor.id 'mobilenet-v1-0.25'
 */
export async function writeStats(path: string, stats: GaussianStats, recipe: Record<string, unknown>): Promise<void> {
  const d = stats.mean.length;
  const bytes = zipSync({
    'mu.npy': encodeNpy(stats.mean, [d]),
    'sigma.npy': encodeNpy(stats.cov.data, [d, d]),
    'count.npy': encodeNpy(Int32Array.of(stats.count), [1]),
    'recipe.json': new TextEncoder().encode(`${JSON.stringify(recipe, null, 2)}\n`),
  });
  await writeFileAtomic(path, bytes);
}

/** Reads a statistics .npz: shapes and counts checked (INPUT errors naming the file), plus its sha256 and recipe. */
export async function readStats(path: string): Promise<{ stats: GaussianStats; recipe?: Record<string, unknown>; sha256: string }> {
  const { bytes, sha256 } = await readWithHash(path);
  const arrays = parseNpz(bytes, path, (m) => m === 'mu' || m === 'sigma' || m === 'count');
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
  return { stats, ...recipeOf(bytes, path), sha256 };
}

function recipeOf(bytes: Uint8Array, path: string): { recipe?: Record<string, unknown> } {
  const entry = listZip(bytes, path).find((e) => e.name === 'recipe.json');
  if (entry === undefined) return {};
  if (entry.size > Math.min(maxNpzBytes(), 2 ** 24)) throw new GenbenchError('INPUT', `${path}: recipe.json declares ${entry.size} bytes; a recipe is a few kilobytes`);
  try {
    return { recipe: JSON.parse(new TextDecoder().decode(readZipMember(bytes, entry, path))) as Record<string, unknown> };
  } catch (e) {
    if (e instanceof GenbenchError) throw e;
    throw new GenbenchError('INPUT', `${path}: recipe.json is not valid JSON`);
  }
}
