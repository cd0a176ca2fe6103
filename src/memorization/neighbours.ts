import type { Matrix } from '../linalg/matrix.js';
import { createNearestNeighbors } from '../nn/index.js';
import type { NeighborResult, NnMetric } from '../nn/types.js';

/**
 * The memorisation checks' access to nearest neighbours: a thin wrapper over src/nn (`createNearestNeighbors`,
 * exact or HNSW by size), so every check searches the same way and the recipe can name the method. Distances follow
 * src/nn: Euclidean for 'l2' (not squared), 1 - cos for 'cosine', recomputed in float64.
 *
 * @example
 * const d1 = await nearestDistances({ reference: train, queries: generated });   // Float64Array, one per query row
 * const r = await neighbours({ reference: train, queries: generated }, 2);      // { indices, distances }, 2 per row
 */
export interface NeighbourOptions {
  /** 'exact', 'hnsw' or 'auto' (default: src/nn picks by size). */
  readonly method?: 'exact' | 'hnsw' | 'auto';
  readonly metric?: NnMetric;
}

export interface NeighbourSets {
  /** The set searched (training or held-out rows). */
  readonly reference: Matrix;
  /** One search per row. */
  readonly queries: Matrix;
}

/** The k nearest reference rows of every query row, nearest first. */
export async function neighbours(s: NeighbourSets, k: number, opts: NeighbourOptions = {}): Promise<NeighborResult & { recipe: Readonly<Record<string, unknown>> }> {
  const index = await createNearestNeighbors(s.reference, { metric: opts.metric ?? 'l2', method: opts.method ?? 'auto' });
  try {
    const r = await index.search(s.queries, k);
    return { indices: r.indices, distances: r.distances, recipe: index.recipe };
  } finally {
    await index.dispose();
  }
}

/** Distance of every query row to its nearest reference row. */
export async function nearestDistances(s: NeighbourSets, opts: NeighbourOptions = {}): Promise<Float64Array> {
  const r = await neighbours(s, 1, opts);
  return Float64Array.from(r.distances, (d) => d[0]!);
}
