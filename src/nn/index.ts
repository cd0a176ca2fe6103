import { GenbenchError } from '../errors.js';
import { checkMatrix } from './common.js';
import { exactNearestNeighbors, type ExactOptions } from './exact.js';
import { hnswNearestNeighbors, type HnswOptions } from './hnsw.js';
import type { NearestNeighbors, NnMatrix, NnMetric } from './types.js';

/**
 * The one entry point for nearest-neighbour search: `createNearestNeighbors(train, { metric, method })` returns a
 * NearestNeighbors (exact or HNSW, same conventions: see types.ts). `method: 'auto'` (default) picks exact search
 * up to `exactMax` training rows (option, else env GENBENCH_NN_EXACT_MAX, else EXACT_MAX_DEFAULT, the crossover
 * measured by `npm run bench:nn`) and HNSW above; the choice and its reason are in `recipe`.
 *
 * @example
 * const nn = await createNearestNeighbors(train, { metric: 'cosine' });
 * const r = await nn.search(generated, 5);
 * nn.recipe.method; // 'exact' (train has 20,000 rows <= exactMax)
 * await nn.dispose();
 */
export interface NearestNeighborsOptions extends Omit<ExactOptions, 'metric'>, Omit<HnswOptions, 'metric'> {
  readonly metric?: NnMetric;
  readonly method?: 'exact' | 'hnsw' | 'auto';
  /** 'auto' uses exact search up to this many training rows (default: env GENBENCH_NN_EXACT_MAX or EXACT_MAX_DEFAULT). */
  readonly exactMax?: number;
}

/**
 * Training-set size up to which 'auto' picks exact search: below it, building an HNSW index costs more than exact
 * search of a typical query set (10,000 queries, d = 768) on this 2-core machine; see `npm run bench:nn`.
 */
export const EXACT_MAX_DEFAULT = 100_000;

/** The exact/HNSW threshold in effect: `exactMax` option, else env GENBENCH_NN_EXACT_MAX, else the default. */
export function exactMaxThreshold(exactMax?: number): number {
  if (exactMax !== undefined) return exactMax;
  const env = process.env['GENBENCH_NN_EXACT_MAX'];
  if (env === undefined || env === '') return EXACT_MAX_DEFAULT;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 0) throw new GenbenchError('USAGE', `GENBENCH_NN_EXACT_MAX must be a non-negative integer, got '${env}'`);
  return n;
}

export async function createNearestNeighbors(train: NnMatrix, opts: NearestNeighborsOptions = {}): Promise<NearestNeighbors> {
  const method = opts.method ?? 'auto';
  if (method !== 'exact' && method !== 'hnsw' && method !== 'auto') {
    throw new GenbenchError('USAGE', `unknown nearest-neighbour method '${String(method)}'; use exact, hnsw or auto`);
  }
  checkMatrix(train, 'train');
  const limit = method === 'auto' ? exactMaxThreshold(opts.exactMax) : undefined;
  const useExact = method === 'exact' || (limit !== undefined && train.rows <= limit);
  const { method: _m, exactMax: _e, ...rest } = opts;
  const nn = useExact ? exactNearestNeighbors(train, rest) : await hnswNearestNeighbors(train, rest);
  if (limit === undefined) return nn;
  return withRecipe(nn, { selection: { method: 'auto', exactMax: limit, trainRows: train.rows } });
}

function withRecipe(nn: NearestNeighbors, extra: Record<string, unknown>): NearestNeighbors {
  return {
    kind: nn.kind,
    metric: nn.metric,
    size: nn.size,
    dims: nn.dims,
    recipe: { ...nn.recipe, ...extra },
    search: (query, k, o) => nn.search(query, k, o),
    dispose: () => nn.dispose(),
  };
}

export { exactNearestNeighbors, ExactNearestNeighbors, kthNeighbourDistances, type ExactOptions } from './exact.js';
export { hnswNearestNeighbors, HnswNearestNeighbors, HNSW_DEFAULTS, type HnswOptions } from './hnsw.js';
export { METRICS } from './common.js';
export type { NearestNeighbors, NeighborResult, NnMatrix, NnMetric, SearchOptions } from './types.js';
