/**
 * Precision, recall, density and coverage in one pass: the reference kNN radii are computed once for both k (or
 * taken from `referenceStats` when the caller has them: the same numbers, reference-radii.ts), and
 * one tiled scan of the generated x reference distances settles every ball test. Same values as
 * `precisionRecall` (metrics/precision-recall.ts, torch-fidelity conventions) and `densityCoverage`
 * (metrics/density-coverage.ts, clovaai prdc conventions); the papers and references are named there.
 *
 * @example
 * await prdc({ generated, reference }); // { precision: 0.271, recall: 0.7825, density: 0.2497, coverage: 0.658, ... }
 */
import { ballCounts, type BallCountOptions } from '../src/linalg/ball-counts.js';
import { kthNeighbourDistances } from '../src/nn/exact.js';
import { referenceRadii } from './reference-radii.js';
import { checkFeatureSets } from './check.js';
import { DC_DEFAULTS, densityCoverageFromCounts } from './density-coverage.js';
import { paramDefaults, type ParamSpecs } from './params.js';
import { PR_DEFAULTS, precisionRecallFromCounts, type BallCompare } from './precision-recall.js';
import { numParam, type FeatureMetricDescriptor, type FeatureSets, type MetricParams, type MetricResults, type ReferenceNeeds, type ResampleDraws, type ResampledValues, type ResultsWithContributions, type RunContext } from './types.js';

export interface PrdcOptions extends BallCountOptions {
  readonly kPr?: number;
  readonly kDc?: number;
  readonly comparePr?: BallCompare;
  readonly compareDc?: BallCompare;
}

export interface Prdc {
  readonly precision: number;
  readonly recall: number;
  readonly fScore: number;
  readonly density: number;
  readonly coverage: number;
}

/** All four kNN metrics of `generated` against `reference`. */
export async function prdc(sets: FeatureSets, opts: PrdcOptions = {}): Promise<Prdc> {
  return (await prdcWithContributions(sets, opts)).values;
}

/** Per-sample terms whose means are the four metrics (see `prdcWithContributions`). */
export interface PrdcContributions {
  /** Per generated sample: 1 if inside some reference k-NN ball (kPr), else 0. */
  readonly precision: Float64Array;
  /** Per reference sample: 1 if inside some generated k-NN ball (kPr), else 0. */
  readonly recall: Float64Array;
  /** Per generated sample: number of reference balls (kDc) containing it, divided by kDc. */
  readonly density: Float64Array;
  /** Per reference sample: 1 if its ball (kDc) contains a generated sample, else 0. */
  readonly coverage: Float64Array;
}

/**
 * The four metrics and, from the same pass, their per-sample contributions: each metric is the plain mean of its
 * array (precision and density over generated samples, recall and coverage over reference samples), the other
 * set's k-NN manifold being what it is on the full data.
 *
 * @example
 * const { values, contributions } = await prdcWithContributions({ generated, reference });
 * contributions.precision.length; // generated.rows; its mean is values.precision
 */
export async function prdcWithContributions(sets: FeatureSets, opts: PrdcOptions = {}): Promise<{ values: Prdc; contributions: PrdcContributions }> {
  const kPr = opts.kPr ?? PR_DEFAULTS.k;
  const kDc = opts.kDc ?? DC_DEFAULTS.k;
  checkFeatureSets(sets, Math.max(kPr, kDc) + 1);
  const [refPr, refDc] = await referenceRadii(sets, [kPr, kDc]);
  const [genPr] = await kthNeighbourDistances(sets.generated, [kPr]);
  const prStrict = (opts.comparePr ?? PR_DEFAULTS.compare) === '<';
  const dcStrict = (opts.compareDc ?? DC_DEFAULTS.compare) === '<';
  const [p, r, dc] = await ballCounts(
    sets.generated,
    sets.reference,
    [
      { radii: refPr!, on: 'cols', strict: prStrict },
      { radii: genPr!, on: 'rows', strict: prStrict },
      { radii: refDc!, on: 'cols', strict: dcStrict },
    ],
    opts,
  );
  const pr = precisionRecallFromCounts(p!.rowCounts, r!.colCounts);
  const dcv = densityCoverageFromCounts(dc!.rowCounts, dc!.colCounts, kDc);
  const inside = (c: Int32Array) => Float64Array.from(c, (v) => (v > 0 ? 1 : 0));
  return {
    values: { precision: pr.precision, recall: pr.recall, fScore: pr.fScore, density: dcv.density, coverage: dcv.coverage },
    contributions: {
      precision: inside(p!.rowCounts),
      recall: inside(r!.colCounts),
      density: Float64Array.from(dc!.rowCounts, (v) => v / kDc),
      coverage: inside(dc!.colCounts),
    },
  };
}

const PARAMS: ParamSpecs = {
  kPr: { type: 'int', default: PR_DEFAULTS.k, min: 1, flag: 'k-pr', help: 'precision/recall neighbourhood size', example: 2 },
  kDc: { type: 'int', default: DC_DEFAULTS.k, min: 1, flag: 'k-dc', help: 'density/coverage neighbourhood size', example: 3 },
  comparePr: { type: 'choice', default: PR_DEFAULTS.compare, choices: ['<=', '<'], help: 'precision/recall ball test (d <= r as torch-fidelity, or d < r)', example: '<' },
  compareDc: { type: 'choice', default: DC_DEFAULTS.compare, choices: ['<', '<='], help: 'density/coverage ball test (d < r as clovaai prdc, or d <= r)', example: '<=' },
};
const DEFAULTS: MetricParams = paramDefaults(PARAMS);

function cmp(v: unknown, name: string): BallCompare {
  if (v !== '<' && v !== '<=') throw new TypeError(`metric parameter '${name}' must be '<' or '<=', got ${String(v)}`);
  return v;
}

async function contributions(sets: FeatureSets, params: MetricParams): Promise<ResultsWithContributions> {
  const kPr = numParam(params, 'kPr');
  const kDc = numParam(params, 'kDc');
  const opts = { kPr, kDc, comparePr: cmp(params['comparePr'], 'comparePr'), compareDc: cmp(params['compareDc'], 'compareDc') };
  const { values: v, contributions: c } = await prdcWithContributions(sets, opts);
  return {
    results: {
      precision: { value: v.precision, k: kPr, fScore: v.fScore },
      recall: { value: v.recall, k: kPr, fScore: v.fScore },
      density: { value: v.density, k: kDc },
      coverage: { value: v.coverage, k: kDc },
    },
    contributions: {
      precision: { over: 'generated', values: c.precision },
      recall: { over: 'reference', values: c.recall },
      density: { over: 'generated', values: c.density },
      coverage: { over: 'reference', values: c.coverage },
    },
  };
}

async function compute(sets: FeatureSets, params: MetricParams): Promise<MetricResults> {
  return (await contributions(sets, params)).results;
}

async function resampled(sets: FeatureSets, params: MetricParams, draws: ResampleDraws, _point: MetricResults, ctx: RunContext = {}): Promise<ResampledValues> {
  const { prdcResampled } = await import('./prdc-resampled.js');
  const p = { kPr: numParam(params, 'kPr'), kDc: numParam(params, 'kDc'), comparePr: cmp(params['comparePr'], 'comparePr'), compareDc: cmp(params['compareDc'], 'compareDc') };
  const r = await prdcResampled(sets, draws, p, ctx.progress);
  const range = { precision: [0, 1], density: [0, Infinity] } as const;
  const variance = Object.fromEntries(Object.entries(r.variance).map(([id, v]) => [id, { total: v.total, monteCarloError: v.monteCarloError, range: range[id as 'precision' | 'density'] }]));
  return { values: r.values, variance, scheme: 'recall, coverage: two-sample half-samples without replacement, k-NN radii recomputed among the drawn rows; precision, density: variance of the generated rows\' terms plus the reference half-samples\' covariance part (law of total variance)' };
}

const PR_PAPER = 'Kynkäänniemi et al., Improved Precision and Recall Metric for Assessing Generative Models, NeurIPS 2019';
const DC_PAPER = 'Naeem et al., Reliable Fidelity and Diversity Metrics for Generative Models, ICML 2020';
const TF = 'torch-fidelity 0.4.0 metric_prc (radius = (k+1)-th distance counting self, d <= r)';
const CLOVA = 'clovaai/generative-evaluation-prdc compute_prdc (d < r)';

/** The point values read the reference radii for both k. */
function referenceNeeds(_sets: FeatureSets, params: MetricParams): ReferenceNeeds {
  return { gaussian: false, radii: [numParam(params, 'kPr'), numParam(params, 'kDc')] };
}

/** What the four ids share besides their names: parameters, default-on rule, gate tolerance (fractions in [0, 1]) and minimum rows. */
const SHARED = {
  params: PARAMS,
  defaultFor: 'features',
  tolerance: { absolute: 0.02, relative: 0 },
  minimumRows: {
    rows: (p: MetricParams) => Math.max(Number(p['kPr'] ?? 0), Number(p['kDc'] ?? 0)) + 1,
    why: 'precision and recall need k + 1 rows for the k-th neighbour of each row other than itself',
  },
} as const;

function descriptor(id: 'precision' | 'recall' | 'density' | 'coverage', title: string, order: number, paper: string, reference: string): FeatureMetricDescriptor {
  return { id, group: 'prdc', input: 'features', resampling: 'half-sample', title, higherIsBetter: true, paper, reference, ...SHARED, defaults: DEFAULTS, display: { order, label: id }, compute, resampled, referenceNeeds };
}

export const precisionDescriptor = descriptor('precision', 'Precision (k-NN manifold)', 40, PR_PAPER, TF);
export const recallDescriptor = descriptor('recall', 'Recall (k-NN manifold)', 50, PR_PAPER, TF);
export const densityDescriptor = descriptor('density', 'Density', 60, DC_PAPER, CLOVA);
export const coverageDescriptor = descriptor('coverage', 'Coverage', 70, DC_PAPER, CLOVA);
