/**
 * The metric registry: every reported metric id with its descriptor, in one frozen Map built here. Adding a metric
 * touches its file, one line below and its test. Unknown ids are USAGE errors that list the valid ones.
 *
 * @example
 * getMetric('kid').defaults;         // { subsets: 100, subsetSize: 1000, seed: 2020, degree: 3, coef0: 1 }
 * getMetric('fid');                  // GenbenchError USAGE: unknown metric 'fid'; valid metrics: is, fd, kid, ...
 * await computeMetrics(['precision', 'recall'], { generated, reference }); // one kNN pass for both
 */
import { GenbenchError } from '../src/errors.js';
import { fdDescriptor, fdInfDescriptor } from './fd-descriptor.js';
import { featureMatchingDescriptor } from './feature-matching.js';
import { isDescriptor } from './is.js';
import { kidDescriptor } from './kid.js';
import { l1Descriptor, mseDescriptor, psnrDescriptor, ssimDescriptor } from './pixel.js';
import { coverageDescriptor, densityDescriptor, precisionDescriptor, recallDescriptor } from './prdc.js';
import type { MetricDescriptor, MetricId, MetricParams, MetricResults, ParamValue, RunContext } from './types.js';

export const METRICS: ReadonlyMap<MetricId, MetricDescriptor> = Object.freeze(
  new Map<MetricId, MetricDescriptor>([
    ['is', isDescriptor],
    ['fd', fdDescriptor],
    ['fd_inf', fdInfDescriptor],
    ['kid', kidDescriptor],
    ['precision', precisionDescriptor],
    ['recall', recallDescriptor],
    ['density', densityDescriptor],
    ['coverage', coverageDescriptor],
    ['mse', mseDescriptor],
    ['l1', l1Descriptor],
    ['psnr', psnrDescriptor],
    ['ssim', ssimDescriptor],
    ['feature_matching', featureMatchingDescriptor],
  ]),
);

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
 * A group's parameters: its defaults, then what each requested member switches on (`whenRequested`).
 *
 * @example
 * groupDefaults([getMetric('fd'), getMetric('fd_inf')]); // { infinity: true, infinitySeed: 0 }
 */
export function groupDefaults(group: readonly MetricDescriptor[]): Record<string, ParamValue> {
  return Object.assign({}, group[0]!.defaults, ...group.map((d) => d.whenRequested ?? {}));
}

/**
 * Computes the given metrics on one input, each group once, with `params` overriding the defaults; returns only
 * the ids asked for.
 */
export async function computeMetrics<I>(
  ids: readonly MetricId[],
  input: I,
  params: MetricParams = {},
  ctx: RunContext = {},
): Promise<MetricResults> {
  const out: MetricResults = {};
  for (const group of groupMetrics(ids.map(getMetric))) {
    const d = group[0]!;
    const compute = d.compute as (i: I, p: MetricParams, c: RunContext) => Promise<MetricResults>;
    const r = await compute(input, { ...groupDefaults(group), ...params }, ctx);
    for (const g of group) if (r[g.id] !== undefined) out[g.id] = r[g.id]!;
  }
  return out;
}

export type * from './types.js';
