import { resolve } from 'node:path';
import { GenbenchError } from '../errors.js';
import { firstDifference } from '../gate/comparable.js';
import type { GaussianStats } from '../../metrics/fd.js';
import { VERSION } from '../version.js';
import { featureHeader, loadNpyInput, type InputRecord } from './metrics.js';

/**
 * `genbench metrics` with a statistics file (`genbench stats --out S.npz`) as --reference or --generated: FD from the
 * two sets' means and covariances (metrics/fd.ts fdFromStats; a feature .npy is reduced to its statistics first).
 * FD is the only metric statistics allow, and there are no intervals (no samples to resample). When both sides carry
 * a recipe, their extractor, weights, layer and preprocessing must agree.
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
