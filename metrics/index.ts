/**
 * The metric registry: every reported metric id with its descriptor, in one frozen Map built here. A descriptor
 * carries every fact about its metric (direction, default-on rule, parameters and their CLI flags, gate tolerance,
 * display order, interval method, size fitting), and `MetricId` is derived from the list below, so adding a metric
 * touches its file, one line below and its test (docs/adding-a-metric.md). Unknown ids are USAGE errors that list
 * the valid ones.
 *
 * @example
 * getMetric('kid').defaults;         // { subsets: 100, subsetSize: 1000, seed: 2020, products: 'float64' }
 * getMetric('fid');                  // GenbenchError USAGE: unknown metric 'fid'; valid metrics: is, fd, kid, ...
 * await computeMetrics(['precision', 'recall'], { generated, reference }); // one kNN pass for both
 */
import { GenbenchError } from '../src/errors.js';
import { discDescriptor } from './disc.js';
import { fdDescriptor, fdInfDescriptor } from './fd-descriptor.js';
import { featureMatchingDescriptor } from './feature-matching.js';
import { isDescriptor } from './is.js';
import { kidDescriptor } from './kid.js';
import { l1Descriptor, mseDescriptor, psnrDescriptor, ssimDescriptor } from './pixel.js';
import { coverageDescriptor, densityDescriptor, precisionDescriptor, recallDescriptor } from './prdc.js';
import { vendiDescriptor } from './vendi.js';
import { resolveParams } from './params.js';
import type { ExtractorOutput, MetricDescriptor, MetricParams, MetricResults, ParamValue, RunContext } from './types.js';

/** Every metric by id, in the order default lists and help texts name them: one line per metric. */
const DESCRIPTORS = {
  is: isDescriptor,
  fd: fdDescriptor,
  fd_inf: fdInfDescriptor,
  kid: kidDescriptor,
  precision: precisionDescriptor,
  recall: recallDescriptor,
  density: densityDescriptor,
  coverage: coverageDescriptor,
  disc: discDescriptor,
  mse: mseDescriptor,
  l1: l1Descriptor,
  psnr: psnrDescriptor,
  ssim: ssimDescriptor,
  feature_matching: featureMatchingDescriptor,
  vendi: vendiDescriptor,
} as const;

/** Every reported metric id: the keys above (each descriptor's `id` is its key; test/metrics/registry.test.ts). */
export type MetricId = keyof typeof DESCRIPTORS;

export const METRICS: ReadonlyMap<MetricId, MetricDescriptor> = Object.freeze(new Map(Object.entries(DESCRIPTORS) as [MetricId, MetricDescriptor][]));

/** The descriptor of `id`, or a USAGE error listing the valid ids. */
export function getMetric(id: string): MetricDescriptor {
  const d = METRICS.get(id as MetricId);
  if (d === undefined) throw new GenbenchError('USAGE', `unknown metric '${id}'; valid metrics: ${[...METRICS.keys()].join(', ')}`);
  return d;
}

/** Parses a comma-separated list of metric ids (USAGE error on an unknown or empty entry). */
export function parseMetricList(list: string): MetricDescriptor[] {
  const ids = list.split(',').map((s) => s.trim());
  if (ids.some((s) => s.length === 0)) throw new GenbenchError('USAGE', `empty metric name in '${list}'; valid metrics: ${[...METRICS.keys()].join(', ')}`);
  return [...new Set(ids)].map(getMetric);
}

/** Groups descriptors that are computed together (e.g. precision and recall), keeping the first-seen order. */
export function groupMetrics(descs: readonly MetricDescriptor[]): MetricDescriptor[][] {
  const groups = new Map<string, MetricDescriptor[]>();
  for (const d of descs) groups.set(d.group, [...(groups.get(d.group) ?? []), d]);
  return [...groups.values()];
}

/**
 * The metrics an extractor with these outputs gets when no list is given (each descriptor's `defaultFor`), in
 * registry order.
 *
 * @example
 * defaultMetrics(['features', 'class-scores']).map((d) => d.id); // ['is', 'fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage']
 */
export function defaultMetrics(outputs: readonly ExtractorOutput[]): MetricDescriptor[] {
  return [...METRICS.values()].filter((d) => d.defaultFor !== undefined && outputs.includes(d.defaultFor));
}

/**
 * A group's parameters: its defaults, then what each requested member switches on (`whenRequested`).
 *
 * @example
 * groupDefaults([getMetric('fd'), getMetric('fd_inf')]); // { infinity: true, infinitySeed: 0 }
 */
export function groupDefaults(group: readonly MetricDescriptor[]): Record<string, ParamValue> {
  return Object.assign({}, group[0]!.defaults, ...group.map((d) => d.whenRequested ?? {}));
}

/**
 * Computes the given metrics on one input, each group once, with `params` overriding the defaults (each group takes
 * the parameters it declares; one that no group declares, or an invalid value, is a USAGE error); returns only the
 * ids asked for.
 */
export async function computeMetrics<I>(
  ids: readonly MetricId[],
  input: I,
  params: MetricParams = {},
  ctx: RunContext = {},
): Promise<MetricResults> {
  const out: MetricResults = {};
  const groups = groupMetrics(ids.map(getMetric));
  for (const name of Object.keys(params)) {
    if (!groups.some((g) => name in g[0]!.params || name in g[0]!.defaults)) {
      throw new GenbenchError('USAGE', `parameter '${name}' belongs to none of the metrics asked for (${ids.join(', ')}); drop it or ask for the metric it sets`);
    }
  }
  for (const group of groups) {
    const d = group[0]!;
    const compute = d.compute as (i: I, p: MetricParams, c: RunContext) => Promise<MetricResults>;
    const own = Object.fromEntries(Object.entries(params).filter(([k]) => k in d.params || k in d.defaults));
    const r = await compute(input, resolveParams(group, own), ctx);
    for (const g of group) if (r[g.id] !== undefined) out[g.id] = r[g.id]!;
  }
  return out;
}

export { paramDefaults, resolveParams, type ParamSpec, type ParamSpecs } from './params.js';
export type * from './types.js';
