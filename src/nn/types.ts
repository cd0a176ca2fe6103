import type { Progress } from '../progress.js';

/**
 * The nearest-neighbour interface shared by the exact (tiled matrix products, float64 re-check) and the HNSW
 * (hnswlib-node) implementations. Conventions, identical for both:
 * - metric 'l2': Euclidean distance (NOT squared); metric 'cosine': 1 - cos(q, t) (rows are normalised; a zero
 *   row is an INPUT error);
 * - `search` returns, per query row, k training row indices, nearest first (ascending distance, ties broken by the
 *   lower training index), and their distances, each recomputed in float64 from the stored training rows;
 * - training and query matrices are row-major [rows, cols], float64 or float32 values.
 *
 * @example
 * const nn = await createNearestNeighbors(train, { metric: 'l2' });
 * const { indices, distances } = await nn.search(query, 5);
 * indices[0];   // Int32Array [ 812, 4, 77, 1903, 55 ]
 * distances[0]; // Float64Array [ 0.031, 1.92, 2.04, 2.05, 2.11 ]
 * await nn.dispose();
 */
export type NnMetric = 'l2' | 'cosine';

/** A row-major [rows, cols] matrix of float64 or float32 values (src/linalg/matrix.ts Matrix, or its float32 twin). */
export interface NnMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array | Float32Array;
}

/** k neighbours per query row: `indices[i][r]` is the r-th nearest training row of query i, `distances[i][r]` its distance. */
export interface NeighborResult {
  readonly indices: Int32Array[];
  readonly distances: Float64Array[];
}

export interface SearchOptions {
  /** Progress over query rows (library code never prints). */
  readonly progress?: Progress;
}

export interface NearestNeighbors {
  readonly kind: 'exact' | 'hnsw';
  readonly metric: NnMetric;
  /** Number of training rows. */
  readonly size: number;
  /** Feature dimension. */
  readonly dims: number;
  /** Everything that determines the results: method, metric, parameters, cache key and whether it was a cache hit. */
  readonly recipe: Readonly<Record<string, unknown>>;
  /** The k nearest training rows of every query row (k in [1, size]; query.cols must equal dims). */
  search(query: NnMatrix, k: number, opts?: SearchOptions): Promise<NeighborResult>;
  /** Releases workers and native indexes; the object cannot search afterwards. */
  dispose(): Promise<void>;
}
