/**
 * The discriminator feature distance: the Fréchet distance of each discriminator layer l, and their combination
 *   D = sum_l FD_l / tr(S_ref,l)
 * (each layer scaled by its reference spread, so a wide layer cannot dominate and the value is unit-free).
 * FD per layer is metrics/fd.ts (float64, pytorch-fid conventions); tr(S_ref,l) is the trace of the reference
 * covariance (ddof 1) of that layer. A layer whose reference features do not vary (trace 0) is reported but left
 * out of the sum. The FD code loads on first use, like FD's descriptor (metrics/fd-descriptor.ts).
 *
 * @example
 * const r = await discriminatorDistance({ generated: { f1, f2 }, reference: { f1: r1, f2: r2 } });
 * r.value;           // 0.183
 * r.layers['f2'];    // { fd: 41.2, traceReference: 310.5, scaled: 0.1327 }
 */
import type { LayerMetricDescriptor, LayerSets, MetricResults } from './types.js';

export interface DiscLayerValue {
  readonly fd: number;
  readonly traceReference: number;
  readonly scaled: number | null;
}

export interface DiscDistance {
  readonly value: number;
  readonly layers: Readonly<Record<string, DiscLayerValue>>;
}

export async function discriminatorDistance(sets: LayerSets): Promise<DiscDistance> {
  const { fdFromFeatures } = await import('./fd.js');
  const layers: Record<string, DiscLayerValue> = {};
  let value = 0;
  for (const [name, generated] of Object.entries(sets.generated)) {
    const reference = sets.reference[name];
    if (reference === undefined) throw new RangeError(`discriminatorDistance: no reference features for layer '${name}'`);
    const fd = await fdFromFeatures({ generated, reference });
    const tr = fd.components.traceReference;
    const scaled = tr > 0 ? fd.value / tr : null;
    if (scaled !== null) value += scaled;
    layers[name] = { fd: fd.value, traceReference: tr, scaled };
  }
  return { value, layers };
}

async function compute(sets: LayerSets): Promise<MetricResults> {
  const r = await discriminatorDistance(sets);
  return { disc: { value: r.value, layers: r.layers } };
}

export const discDescriptor: LayerMetricDescriptor = {
  id: 'disc',
  group: 'disc',
  input: 'discriminator-layers',
  title: 'Discriminator feature distance (sum over layers of FD / reference covariance trace)',
  higherIsBetter: false,
  paper: 'genbench: per-layer Fréchet distance (Heusel et al., NeurIPS 2017) on the features of the model\'s own discriminator',
  reference: 'metrics/fd.ts per layer (pytorch-fid conventions), analytic scale-invariance tests',
  params: {},
  defaults: {},
  defaultFor: 'discriminator',
  tolerance: { absolute: 0, relative: 0.05 },
  display: { order: 80, label: 'disc' },
  compute,
};
