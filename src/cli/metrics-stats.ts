import { resolve } from 'node:path';
import { GenbenchError } from '../errors.js';
import { firstDifference } from '../gate/comparable.js';
import type { GaussianStats } from '../../metrics/fd.js';
import type { FeatureSets, MetricDescriptor, MetricParams, ReferenceStats } from '../../metrics/types.js';
import type { Matrix } from '../linalg/matrix.js';
import { VERSION } from '../version.js';
import { featureHeader, loadNpyInput, type InputRecord } from './metrics.js';

/**
 * `genbench metrics` with a statistics file (`genbench stats --out S.npz`) as --reference or --generated: FD from the
 * two sets' means and covariances (metrics/fd.ts fdFromStats; a feature .npy is reduced to its statistics first).
 * FD is the only metric statistics allow, and there are no intervals (no samples to resample). When both sides carry
 * a recipe, their extractor, weights, layer and preprocessing must agree.
 *
 * With the reference rows themselves (`--reference R.npy --reference-stats S.npz`), every metric runs on the rows and
 * the point values read the file's mean, covariance and k-NN radii instead of recomputing them (the same numbers:
 * the file's featuresSha256 must be that of R's rows, and it must hold radii for the k each metric asks for).
 *
 * @example
 * await fdWithStats({ generated: 'g.npy', reference: 'mnist-test.npz' }); // { fd: { value: 41.2, ... }, recipe: {...} }
 */
export function isStatsFile(path: string | undefined): boolean {
  return path !== undefined && path.toLowerCase().endsWith('.npz');
}

interface Side {
  stats: GaussianStats;
  record: Record<string, unknown>;
  recipe?: Record<string, unknown>;
}

export async function fdWithStats(f: { generated: string; reference: string; metrics?: string }): Promise<Record<string, unknown>> {
  const ids = (f.metrics ?? 'fd').split(',').map((s) => s.trim());
  if (ids.some((id) => id !== 'fd')) throw new GenbenchError('USAGE', `--metrics ${f.metrics}: a statistics file (.npz) gives FD only; pass --metrics fd, or feature files (.npy) for the other metrics`);
  const widths = await Promise.all([f.generated, f.reference].map(async (p) => (isStatsFile(p) ? undefined : (await featureHeader(p, 'feature')).shape[1])));
  const g = await side(f.generated);
  const r = await side(f.reference);
  const dims = [g.stats.mean.length, r.stats.mean.length];
  if (widths.some((w, i) => w !== undefined && w !== dims[i]) || dims[0] !== dims[1]) {
    throw new GenbenchError('INPUT', `${f.generated} has ${dims[0]} features per sample but ${f.reference} has ${dims[1]}; extract both with the same feature extractor and layer`);
  }
  checkRecipes(g.recipe, r.recipe, f);
  const { fdFromStats } = await import('../../metrics/fd.js');
  const { value, ...extras } = await fdFromStats({ generated: g.stats, reference: r.stats });
  const recipe = { genbench: VERSION, command: 'metrics', metrics: ['fd'], inputs: { generated: g.record, reference: r.record }, method: 'fdFromStats: mean and covariance (ddof 1) of each side', bootstrap: null };
  return { fd: { value, ...extras }, recipe };
}

async function side(path: string): Promise<Side> {
  if (isStatsFile(path)) {
    const { readStats } = await import('../data/stats-file.js');
    const s = await readStats(path);
    return { stats: s.stats, record: { path: resolve(path), sha256: s.sha256, kind: 'statistics', count: s.stats.count, dim: s.stats.mean.length }, ...(s.recipe === undefined ? {} : { recipe: s.recipe }) };
  }
  const { toFeatureMatrix } = await import('../linalg/matrix.js');
  const { statsOf } = await import('../../metrics/fd.js');
  const { array, record } = await loadNpyInput(path);
  const [rows, cols] = array.shape as [number, number];
  return { stats: await statsOf(toFeatureMatrix(array.data, rows, cols, path)), record: { ...(record as InputRecord) } };
}

function checkRecipes(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined, f: { generated: string; reference: string }): void {
  if (a === undefined || b === undefined) return;
  const pick = (r: Record<string, unknown>) => ({ extractor: r['extractor'], layer: r['layer'] });
  const diff = firstDifference(pick(a), pick(b), 'recipe');
  if (diff !== undefined) {
    throw new GenbenchError('INPUT', `${f.generated} and ${f.reference} come from different features: ${diff.path} is ${JSON.stringify(diff.a)} vs ${JSON.stringify(diff.b)}; compute both with the same --extractor and --layer`);
  }
}

/** A statistics file of the --reference rows, checked against them, with what the recipe records of it. */
export interface ReferenceStatsFile {
  readonly path: string;
  readonly stats: ReferenceStats;
  readonly record: Record<string, unknown>;
}

/** Reads `path` for the rows `reference` (read from `referencePath`): their sha256 must be the one it records. */
export async function referenceStatsFile(path: string, referencePath: string, reference: Matrix): Promise<ReferenceStatsFile> {
  const { readStats } = await import('../data/stats-file.js');
  const s = await readStats(path);
  if (s.featuresSha256 === undefined || s.radii === undefined) {
    throw new GenbenchError('INPUT', `${path}: holds no k-NN radii and no sha256 of its feature rows; remake it with genbench stats to use it with --reference-stats`);
  }
  const { matrixSha256 } = await import('../nn/cache.js');
  const sha = matrixSha256(reference);
  if (sha !== s.featuresSha256) {
    throw new GenbenchError('INPUT', `${referencePath}: its ${reference.rows} x ${reference.cols} feature rows (sha256 ${sha.slice(0, 12)}...) are not the rows ${path} was made from (sha256 ${s.featuresSha256.slice(0, 12)}...); pass those features, or drop --reference-stats`);
  }
  if (s.stats.count !== reference.rows || s.stats.mean.length !== reference.cols) {
    throw new GenbenchError('INPUT', `${path}: statistics of ${s.stats.count} x ${s.stats.mean.length} features, but its featuresSha256 is that of ${reference.rows} x ${reference.cols} rows; remake it with genbench stats`);
  }
  const record = { path: resolve(path), sha256: s.sha256, kind: 'statistics', count: s.stats.count, dim: s.stats.mean.length, featuresSha256: s.featuresSha256, radiiK: [...s.radii.keys()], used: 'mean, covariance and k-NN radii of the reference in the point values' };
  return { path, stats: { gaussian: s.stats, radii: s.radii }, record };
}

/** A group's input with the file's statistics, once it is checked to hold the radii the group reads. */
export function withStatsFile(d: MetricDescriptor, input: FeatureSets, params: MetricParams, file: ReferenceStatsFile): FeatureSets {
  if (d.input !== 'features' || d.referenceNeeds === undefined) return input;
  const held = [...(file.stats.radii?.keys() ?? [])];
  const missing = d.referenceNeeds(input, params).radii.filter((k) => !held.includes(k));
  if (missing.length > 0) {
    const all = [...new Set([...held, ...missing])].sort((a, b) => a - b);
    throw new GenbenchError('INPUT', `${file.path}: holds k-NN radii for k = ${held.join(',')} but ${d.group} needs k = ${missing.join(',')} (--k-pr, --k-dc); remake it with genbench stats --k ${all.join(',')}`);
  }
  return { ...input, referenceStats: file.stats };
}
