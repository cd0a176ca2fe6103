/**
 * Per-pair feature-matching distance for paired tasks (translation, super-resolution, reconstruction): for pair i =
 * (generated[i], reference[i]) and the named layers l of a feature network (a GAN discriminator's intermediate
 * outputs), d_i = sum_l ||phi_l(x_i) - phi_l(y_i)||^2 / dim_l; the value is the mean of d_i over pairs. Dividing
 * by dim_l makes each layer a mean squared difference, so wide early layers do not drown the later ones.
 *
 * Paper: the feature-matching loss of pix2pixHD (Wang et al., CVPR 2018, eq. 4, there an L1 per layer over the
 * discriminator's layers) and of Salimans et al. 2016 ("Improved Techniques for Training GANs", section 3.1); here
 * squared L2, to match the squared distances of genbench's other metrics. Reference implementation: the direct formula
 * in float64 (numpy: `sum(((a_l - b_l) ** 2).mean(axis=1) for l in layers).mean()`), checked analytically in the tests.
 *
 * Input: one Float64 matrix per role whose columns are the layers side by side (`layers` gives each name and width,
 * in column order), rows paired. Reported: `value`, `perPair` (d_i) and `layers` (the mean over pairs of each
 * layer's term). A mean over pairs, so the bootstrap resamples the per-pair contributions.
 *
 * @example
 * featureMatching({ generated, reference, layers: [{ name: 'f1', dim: 2 }, { name: 'f2', dim: 1 }] });
 * // { value: 1.25, perPair: [0.5, 2], layers: { f1: 0.25, f2: 1 } }
 */
import { GenbenchError } from '../src/errors.js';
import type { Matrix } from '../src/linalg/matrix.js';
import type { FeaturePairMetricDescriptor, FeaturePairs, ResultsWithContributions } from './types.js';

export interface FeatureMatchingResult {
  readonly value: number;
  readonly perPair: number[];
  /** Mean over pairs of ||phi_l(x) - phi_l(y)||^2 / dim_l, by layer name. */
  readonly layers: Record<string, number>;
}

/** The feature-matching distance of paired feature rows (see the file comment). */
export function featureMatching(pairs: FeaturePairs): FeatureMatchingResult {
  checkPairs(pairs);
  const { generated: a, reference: b, layers } = pairs;
  const n = a.rows;
  const perPair = new Array<number>(n).fill(0);
  const perLayer: Record<string, number> = {};
  let offset = 0;
  for (const l of layers) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const term = squaredDistance(a, b, i, offset, l.dim) / l.dim;
      perPair[i]! += term;
      total += term;
    }
    perLayer[l.name] = total / n;
    offset += l.dim;
  }
  return { value: perPair.reduce((s, x) => s + x, 0) / n, perPair, layers: perLayer };
}

function squaredDistance(a: Matrix, b: Matrix, row: number, offset: number, dim: number): number {
  const base = row * a.cols + offset;
  let s = 0;
  for (let k = 0; k < dim; k++) {
    const d = a.data[base + k]! - b.data[base + k]!;
    s += d * d;
  }
  return s;
}

function checkPairs(p: FeaturePairs): void {
  const { generated: a, reference: b, layers } = p;
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new GenbenchError('INPUT', `feature_matching: generated features are ${a.rows}x${a.cols} but reference features are ${b.rows}x${b.cols}; give the same number of paired images`);
  }
  if (a.rows < 1) throw new GenbenchError('INPUT', 'feature_matching: no pairs; give at least one image pair');
  if (layers.length === 0) throw new GenbenchError('USAGE', 'feature_matching: no layers; name at least one feature layer');
  const width = layers.reduce((s, l) => s + l.dim, 0);
  if (width !== a.cols || layers.some((l) => !(Number.isInteger(l.dim) && l.dim > 0))) {
    throw new GenbenchError('INPUT', `feature_matching: the layers' dims (${layers.map((l) => `${l.name}:${l.dim}`).join(', ')}) do not add up to the ${a.cols} feature columns`);
  }
}

async function withContributions(pairs: FeaturePairs): Promise<ResultsWithContributions> {
  const r = featureMatching(pairs);
  return {
    results: { feature_matching: { value: r.value, perPair: r.perPair, layers: r.layers } },
    contributions: { feature_matching: { over: 'pairs', values: Float64Array.from(r.perPair) } },
  };
}

export const featureMatchingDescriptor: FeaturePairMetricDescriptor = {
  id: 'feature_matching',
  group: 'feature_matching',
  title: 'feature-matching distance (mean over pairs of sum_l ||phi_l(x) - phi_l(y)||^2 / dim_l)',
  higherIsBetter: false,
  paper: 'Wang et al. 2018 (pix2pixHD) feature-matching loss; Salimans et al. 2016',
  reference: 'direct float64 formula (analytic tests)',
  input: 'feature-pairs',
  params: {},
  defaults: {},
  tolerance: { absolute: 0, relative: 0.05 },
  display: { order: 100, label: 'feature matching' },
  compute: async (pairs) => (await withContributions(pairs)).results,
  contributions: withContributions,
};
