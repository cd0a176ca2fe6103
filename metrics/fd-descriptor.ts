/**
 * Registry descriptors of the Fréchet distance and of FD∞. The metric itself lives in metrics/fd.ts (paper,
 * reference and method are documented there) and FD∞ and the resampling in metrics/fd-resampled.ts; both are
 * imported on first use, so the registry and the CLI load no eigen solver unless fd is asked for.
 *
 * FD is clipped at 0 (rounding can leave -1e-13 for identical sets). FD∞ is computed with FD (same group) when the
 * plan asks for it (`infinity: true`, which the harness sets when fd_inf is in the metric list); both read one
 * mean and covariance of the reference (given as `referenceStats.gaussian`, else computed once). Resamples: FD on
 * two-sample weighted resamples; FD∞'s values are FD's resampled values moved to FD∞ (the sampling of both sets
 * drives both), with the intercept's variance from the subsets' own noise (fd-resampled.ts subsetNoiseSe) as the
 * extra variance the resamples cannot see. `fitSe`, the intercept's standard error from the fit's residuals, is
 * reported beside it: it also holds the line's lack of fit, and a `fitSe` well above `subsetSe` says FD is not
 * linear in 1 / N over the sizes fitted (N near d).
 *
 * @example
 * await fdDescriptor.compute({ generated, reference }, fdDescriptor.defaults); // { fd: { value: 5.4401, ranks: {...}, ... }, fd_inf: {...} }
 */
import { paramDefaults, type ParamSpecs } from './params.js';
import type { FeatureMetricDescriptor, FeatureSets, MetricParams, MetricResults, ReferenceNeeds, ResampleDraws, ResampledValues, RunContext } from './types.js';

const MIN_ROWS_FOR_INFINITY = 16;

async function compute(input: FeatureSets, params: MetricParams): Promise<MetricResults> {
  const { fdFromFeatures, referenceGaussian } = await import('./fd.js');
  // the reference's mean and covariance once, for FD and FD∞ (given, or statsOf when the covariance route needs them)
  const sets = usesGaussian(input) ? { ...input, referenceStats: { ...input.referenceStats, gaussian: await referenceGaussian(input) } } : input;
  const { value, ...extras } = await fdFromFeatures(sets);
  const out: MetricResults = { fd: { value: Math.max(0, value), ...extras } };
  if (params['infinity'] === true && sets.generated.rows >= MIN_ROWS_FOR_INFINITY) {
    const { fdInfinity } = await import('./fd-resampled.js');
    const inf = await fdInfinity(sets, { seed: typeof params['infinitySeed'] === 'number' ? params['infinitySeed'] : 0 });
    out.fd_inf = { value: Math.max(0, inf.value), slope: inf.slope, fitSe: inf.se, subsetSe: inf.subsetSe, sizes: inf.sizes.join(','), fdAtSizes: inf.fds.map((v) => Number(v.toPrecision(8))).join(',') };
  }
  return out;
}

/** FD's covariance route and FD∞'s fixed reference read the reference's Gaussian fit when it has more rows than features. */
function usesGaussian(sets: FeatureSets): boolean {
  return sets.reference.rows > sets.reference.cols;
}

function referenceNeeds(sets: FeatureSets): ReferenceNeeds {
  return { gaussian: usesGaussian(sets), radii: [] };
}

async function resampled(sets: FeatureSets, _params: MetricParams, draws: ResampleDraws, point: MetricResults, ctx: RunContext = {}): Promise<ResampledValues> {
  const { fdResampled } = await import('./fd-resampled.js');
  const fd = await fdResampled(sets, draws, ctx.progress);
  const inf = point.fd_inf;
  if (inf === undefined || point.fd === undefined) return { values: { fd }, scheme: 'weighted two-sample resamples (row multiplicities), FD recomputed' };
  const shift = inf.value - point.fd.value;
  const se = typeof inf['subsetSe'] === 'number' ? inf['subsetSe'] : 0;
  return {
    values: { fd, fd_inf: fd.map((v) => v + shift) },
    extraVariance: { fd_inf: se * se },
    scheme: 'weighted two-sample resamples (row multiplicities), FD recomputed; fd_inf: FD\'s resampled spread plus the subsets\' own noise in the intercept',
  };
}

const FD_PARAMS: ParamSpecs = {
  infinity: { type: 'boolean', default: false, help: 'also compute FD∞ (switched on when fd_inf is asked for)', example: true },
  infinitySeed: { type: 'int', default: 0, min: 0, max: 0xffffffff, help: 'seed of the generated subsets FD∞ is fitted on', requires: { infinity: true }, example: 1 },
};

const base = {
  group: 'fd',
  input: 'features',
  higherIsBetter: false,
  reference: 'pytorch-fid 0.3.0 calculate_frechet_distance (float64, np.cov ddof 1)',
  params: FD_PARAMS,
  defaults: paramDefaults(FD_PARAMS),
  defaultFor: 'features',
  tolerance: { absolute: 0, relative: 0.05 },
  minimumRows: { rows: () => 4, why: 'FD needs n > 3 (its interval reads FD on a half of the rows and on the other half, and each needs 2 rows for a covariance)' },
  resampling: 'half-complement',
  resampleShare: 0.25,
  compute,
  resampled,
  referenceNeeds,
} as const;

export const fdDescriptor: FeatureMetricDescriptor = {
  ...base,
  id: 'fd',
  display: { order: 10, label: 'FD' },
  title: 'Fréchet distance between Gaussian fits',
  paper: 'Heusel et al., GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium, NeurIPS 2017',
};

export const fdInfDescriptor: FeatureMetricDescriptor = {
  ...base,
  id: 'fd_inf',
  display: { order: 90, label: 'FD∞' },
  title: 'FD extrapolated to infinite samples (FD∞: fit of FD against 1/N on generated subsets)',
  paper: 'Chong & Forsyth, Effectively Unbiased FID and Inception Score and where to find them, CVPR 2020',
  reference: 'mchong6/FID_IS_infinity calculate_FID_infinity (linear fit of FID_N against 1/N, intercept)',
  whenRequested: { infinity: true },
};
