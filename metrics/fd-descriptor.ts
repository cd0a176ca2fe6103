/**
 * Registry descriptor of the Fréchet distance. The metric itself lives in metrics/fd.ts (paper, reference and
 * method are documented there); it is imported on first use, so the registry and the CLI load no eigen solver
 * unless fd is asked for.
 *
 * @example
 * await fdDescriptor.compute({ generated, reference }, fdDescriptor.defaults); // { fd: { value: 5.4401, ranks: {...}, ... } }
 */
import type { FeatureMetricDescriptor, FeatureSets, MetricResults } from './types.js';

async function compute(sets: FeatureSets): Promise<MetricResults> {
  const { fdFromFeatures } = await import('./fd.js');
  const { value, ...extras } = await fdFromFeatures(sets);
  return { fd: { value, ...extras } };
}

export const fdDescriptor: FeatureMetricDescriptor = {
  id: 'fd',
  group: 'fd',
  input: 'features',
  title: 'Fréchet distance between Gaussian fits',
  higherIsBetter: false,
  paper: 'Heusel et al., GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium, NeurIPS 2017',
  reference: 'pytorch-fid 0.3.0 calculate_frechet_distance (float64, np.cov ddof 1)',
  defaults: { covDdof: 1, dtype: 'float64' },
  compute,
};
