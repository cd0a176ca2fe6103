import type { Matrix } from '../src/linalg/matrix.js';
import type { Progress } from '../src/progress.js';
import type { GaussianStats } from './fd.js';
import type { MetricId } from './index.js';
import type { ParamSpecs } from './params.js';

/**
 * The shared vocabulary of metrics: what a metric takes (by role), what it returns, and the descriptor that the
 * registry (metrics/index.ts) holds for each reported id. A metric file is pure functions plus its descriptor(s):
 * Float64 matrices in, plain objects out, no I/O, no models, no tensors.
 *
 * @example
 * const d: MetricDescriptor = METRICS.get('kid')!;
 * d.higherIsBetter; // false
 * d.defaults;       // { subsets: 100, subsetSize: 1000, seed: 2020, products: 'float64' }
 * d.tolerance;      // { absolute: 0.001, relative: 0.1 }
 */
/** Every reported metric id: derived from the registry (metrics/index.ts), never written out by hand. */
export type { MetricId };

/** Two feature sets by role: rows are samples, columns features (never positional `(a, b)`: torch-fidelity #58). */
export interface FeatureSets {
  readonly generated: Matrix;
  readonly reference: Matrix;
  /** Statistics of `reference` known beforehand (cached or from a statistics file); the point values use them. */
  readonly referenceStats?: ReferenceStats;
}

/**
 * Statistics of the reference rows alone, computed once and reused (the harness caches them by content,
 * src/features/stats-cache.ts; genbench metrics reads them from a statistics file). Each must be exactly what the
 * metric computes from the rows (metrics/reference-stats.ts checks the shapes), so no value changes with them.
 * Bootstrap resamples always recompute their own.
 */
export interface ReferenceStats {
  /** Mean and covariance (ddof 1) by statsOf (metrics/fd.ts), float64. */
  readonly gaussian?: GaussianStats;
  /** Per k: each row's distance to its k-th nearest reference row, itself counted as neighbour 0 (kthNeighbourDistances). */
  readonly radii?: ReadonlyMap<number, Float64Array>;
}

/** Which reference statistics a group's point value reads: the Gaussian fit, and radii for these k. */
export interface ReferenceNeeds {
  readonly gaussian: boolean;
  readonly radii: readonly number[];
}

/** Class scores of generated samples (logits or probabilities), rows are samples. */
export interface ClassScores {
  readonly generated: Matrix;
  readonly kind: 'logits' | 'probs';
}

/**
 * Paired feature rows of several layers (row i of each role is pair i), the layers' columns side by side in `layers`
 * order: the input of the per-pair feature-matching distance.
 */
export interface FeaturePairs extends FeatureSets {
  readonly layers: readonly { readonly name: string; readonly dim: number }[];
}

/** Features of several layers by layer name (a discriminator's), both roles with the same layer names. */
export interface LayerSets {
  readonly generated: Readonly<Record<string, Matrix>>;
  readonly reference: Readonly<Record<string, Matrix>>;
}

/** Paired images, N x H x W x C, float64 values in the units of `range` (e.g. 0..255). Pair i = (generated[i], reference[i]). */
export interface ImagePairs {
  readonly generated: ImageStack;
  readonly reference: ImageStack;
}

export interface ImageStack {
  readonly n: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** NHWC, row-major. */
  readonly data: Float64Array;
}

/** One reported number with its uncertainty and method details (extras). */
export interface MetricValue {
  readonly value: number;
  readonly std?: number;
  readonly ci95?: readonly [number, number];
  readonly [extra: string]: unknown;
}

/** A metric's result by reported id (a group such as precision/recall reports several ids at once). */
export type MetricResults = Partial<Record<MetricId, MetricValue>>;

export type ParamValue = number | string | boolean;
export type MetricParams = Readonly<Record<string, ParamValue>>;

export interface RunContext {
  readonly progress?: Progress;
}

/** Which samples a per-sample contribution belongs to: generated rows, reference rows or image pairs. */
export type SampleRole = 'generated' | 'reference' | 'pairs';

/** Per-sample terms whose plain mean is the metric's value (precision: 1 if a generated sample is inside). */
export interface Contributions {
  readonly over: SampleRole;
  readonly values: Float64Array;
}

/** A group's point results together with the per-sample contributions of the ids that are such means. */
export interface ResultsWithContributions {
  readonly results: MetricResults;
  readonly contributions: Partial<Record<MetricId, Contributions>>;
}

/** Row draws of a bootstrap: one index array (with replacement, full size) per resample and role; null = role kept fixed. */
export interface ResampleDraws {
  readonly generated: readonly Int32Array[];
  readonly reference: readonly Int32Array[] | null;
}

/** A metric's variance at full size as its group computed it, the Monte-Carlo error of its sd, and the metric's range. */
export interface OwnVariance {
  readonly total: number;
  readonly monteCarloError: number;
  readonly range?: readonly [number, number];
}

/** A group's values on every resample, plus a variance the resamples cannot see (e.g. KID's subset noise). */
export interface ResampledValues {
  readonly values: Partial<Record<MetricId, Float64Array>>;
  readonly extraVariance?: Partial<Record<MetricId, number>>;
  /**
   * Ids whose variance at full size the group computes itself (precision and density: by the law of total variance):
   * their interval is normal, point +- z sqrt(total), clipped to `range`, and `monteCarloError` is its own.
   */
  readonly variance?: Partial<Record<MetricId, OwnVariance>>;
  /** How the values were obtained, for the recipe (e.g. KID's weighted full-sample statistic). */
  readonly scheme?: string;
}

/** An extractor output that switches a metric on by default: any feature layer, a class-score layer, a discriminator's layers. */
export type ExtractorOutput = 'features' | 'class-scores' | 'discriminator';

/** The sizes of the two sets, for a descriptor's `fit`. */
export interface SetSizes {
  readonly generated: number;
  readonly reference: number;
}

interface DescriptorBase<I> {
  readonly id: MetricId;
  /** Metrics computed together share a group and a `compute` (precision and recall share one kNN pass). */
  readonly group: string;
  readonly title: string;
  readonly higherIsBetter: boolean;
  /** Paper and the reference implementation the values are checked against. */
  readonly paper: string;
  readonly reference: string;
  /** Settable parameters with their defaults, validation and CLI flags (metrics/params.ts). */
  readonly params: ParamSpecs;
  /**
   * Every recorded value: the parameters' defaults (paramDefaults), including the default seed of stochastic
   * metrics (the only place a default seed lives), plus any fixed constant of the method (recorded, not settable).
   */
  readonly defaults: MetricParams;
  /** The extractor output that turns this metric on when no list is given; absent: only when asked for. */
  readonly defaultFor?: ExtractorOutput;
  /** The gate's built-in tolerance: a candidate may be worse by max(absolute, relative * |baseline|). */
  readonly tolerance: { readonly absolute: number; readonly relative: number };
  /** Where boards put its column (ascending order) and its short label. */
  readonly display: { readonly order: number; readonly label: string };
  /** Optional: the rows each set needs under these parameters, and why (absent: 2); a caller skips the metric below it. */
  readonly minimumRows?: { readonly rows: (params: MetricParams) => number; readonly why: string };
  /**
   * Optional: parameters lowered to what the set sizes allow (e.g. KID's subset size), calling `warn` with one line
   * per change; the plan applies it after the defaults and overrides are merged.
   */
  readonly fit?: (params: MetricParams, sizes: SetSizes, warn: (message: string) => void) => MetricParams;
  /**
   * How resamples are drawn (metrics/bootstrap.ts): 'bootstrap' (default: B resamples of n rows with replacement),
   * 'half-sample' (B random halves of each set without replacement, the delete-half jackknife: no row is copied, so
   * k-NN radii see distinct rows), 'half-extrapolated' (halves and nested quarters; the variance is extrapolated
   * from V(n/2) and V(n/4), which removes the excess the halves give the quadratic part of KID) or
   * 'half-complement' (halves and their complements; the sums of complementary pairs hold FD's quadratic part alone).
   */
  readonly resampling?: 'bootstrap' | 'half-sample' | 'half-extrapolated' | 'half-complement';
  /**
   * Share of the requested resamples this group draws (default 1; at least 20): FD's resamples each solve a d x d
   * eigenproblem, so it draws a quarter (halves and their complements) and reads a normal interval from the variance (metrics/bootstrap.ts).
   */
  readonly resampleShare?: number;
  /** Parameters set when this id is asked for (e.g. fd_inf switches on the FD group's extrapolation). */
  readonly whenRequested?: MetricParams;
  /** Computes every metric of the group on `input` with `params` (defaults merged by the caller). */
  readonly compute: (input: I, params: MetricParams, ctx?: RunContext) => Promise<MetricResults>;
  /**
   * Optional: the same results plus per-sample contributions (one pass), for metrics that are means over samples;
   * the bootstrap resamples these instead of recomputing (metrics/bootstrap.ts).
   */
  readonly contributions?: (input: I, params: MetricParams, ctx?: RunContext) => Promise<ResultsWithContributions>;
  /**
   * Optional: the group's values on all bootstrap resamples at once, faster than recomputing per resample (KID).
   * `point` holds the group's point results.
   */
  readonly resampled?: (input: I, params: MetricParams, draws: ResampleDraws, point: MetricResults, ctx?: RunContext) => Promise<ResampledValues>;
}

export interface FeatureMetricDescriptor extends DescriptorBase<FeatureSets> {
  readonly input: 'features';
  /** Optional: the reference statistics `compute` reads, so a caller can supply them as `referenceStats`. */
  readonly referenceNeeds?: (sets: FeatureSets, params: MetricParams) => ReferenceNeeds;
}
export interface ClassMetricDescriptor extends DescriptorBase<ClassScores> {
  readonly input: 'class-scores';
}
export interface PairMetricDescriptor extends DescriptorBase<ImagePairs> {
  readonly input: 'image-pairs';
}

export interface FeaturePairMetricDescriptor extends DescriptorBase<FeaturePairs> {
  readonly input: 'feature-pairs';
}

/** A metric over several layers of a discriminator (the harness bootstraps it by recomputation on resampled rows). */
export interface LayerMetricDescriptor extends DescriptorBase<LayerSets> {
  readonly input: 'discriminator-layers';
}

export type MetricDescriptor = FeatureMetricDescriptor | ClassMetricDescriptor | PairMetricDescriptor | FeaturePairMetricDescriptor | LayerMetricDescriptor;

/** Reads a numeric parameter (after defaults were merged), for descriptor `compute` functions. */
export function numParam(params: MetricParams, name: string): number {
  const v = params[name];
  if (typeof v !== 'number') throw new TypeError(`metric parameter '${name}' must be a number, got ${String(v)}`);
  return v;
}
