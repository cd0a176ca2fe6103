import { getMetric, groupDefaults, groupMetrics } from '../../metrics/index.js';
import type { MetricDescriptor, MetricParams } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import { defaultLayerFor, layerInfo, type FeatureExtractor } from '../features/types.js';

/**
 * Which metrics an evaluation computes and on which layers, decided once before any work: the registry metrics
 * (grouped, defaults merged, parameters fitted to the sample sizes) plus `disc`, the discriminator feature distance,
 * which the harness computes itself when the extractor is a discriminator.
 *
 * Defaults: fd, fd_inf, kid, precision, recall, density, coverage; plus is when the extractor has a class-score layer; plus
 * disc when it is a discriminator. Asking for a metric the extractor cannot serve is a USAGE error.
 *
 * @example
 * const plan = planMetrics({ list: 'fd,kid', fx, nGenerated: 500, nReference: 500 });
 * plan.params['kid'];   // { subsets: 100, subsetSize: 500, seed: 2020, ... }  (subsetSize lowered to fit)
 * plan.warnings;        // ['kid: subset size lowered from 1000 to 500 (the smaller set); ...']
 */
export const DISC_METRIC = 'disc';

const FEATURE_DEFAULTS = ['fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage'];

export interface MetricPlan {
  /** Every metric id reported, in order. */
  readonly ids: readonly string[];
  /** Registry metrics, grouped (one compute per group). */
  readonly groups: readonly MetricDescriptor[][];
  /** Parameters by group id, defaults merged and fitted. */
  readonly params: Readonly<Record<string, MetricParams>>;
  /** Layers to extract from both sets. */
  readonly layers: { readonly features: string; readonly classScores?: string; readonly discriminator?: readonly string[] };
  /** IS reads logits or probabilities. */
  readonly classKind: 'logits' | 'probs';
  readonly warnings: readonly string[];
}

export interface PlanInput {
  /** Comma-separated ids, or a list; undefined = the defaults for this extractor. */
  readonly list?: string | readonly string[];
  readonly fx: Pick<FeatureExtractor, 'id' | 'defaults' | 'layers'>;
  readonly nGenerated: number;
  readonly nReference: number;
}

export function planMetrics(input: PlanInput): MetricPlan {
  const { fx } = input;
  const isDisc = fx.id.startsWith('discriminator:');
  const ids = metricIds(input.list, fx, isDisc);
  const regIds = ids.filter((id) => id !== DISC_METRIC);
  const descs = regIds.map(getMetric);
  for (const d of descs) {
    if (d.input === 'feature-pairs') {
      throw new GenbenchError('USAGE', `metric '${d.id}' compares paired images through a discriminator; use genbench pixel --a A.npy --b B.npy --discriminator D for it`);
    }
    if (d.input === 'image-pairs') {
      throw new GenbenchError('USAGE', `metric '${d.id}' compares image pairs, not sample sets; use genbench pixel for it, or one of is, fd, kid, precision, recall, density, coverage, disc`);
    }
  }
  if (ids.includes(DISC_METRIC) && !isDisc) {
    throw new GenbenchError('USAGE', `metric 'disc' needs a discriminator extractor; add --extractor discriminator:<path to the discriminator checkpoint>`);
  }
  const warnings: string[] = [];
  const groups = groupMetrics(descs);
  const params: Record<string, MetricParams> = {};
  for (const g of groups) params[g[0]!.group] = fitParams(g, input, warnings);
  const wantsIs = descs.some((d) => d.input === 'class-scores');
  const classScores = wantsIs ? defaultLayerFor(fx, 'class-scores') : undefined;
  const classKind = classScores !== undefined && layerInfo(fx, classScores).kind === 'probabilities' ? 'probs' : 'logits';
  const layers = {
    features: fx.defaults.features,
    ...(classScores === undefined ? {} : { classScores }),
    ...(ids.includes(DISC_METRIC) ? { discriminator: fx.layers.map((l) => l.name) } : {}),
  };
  return { ids, groups, params, layers, classKind, warnings };
}

/**
 * Checks metric names before any model is loaded (unknown names are USAGE errors listing the valid ones); whether
 * the extractor can serve them is checked later by planMetrics.
 *
 * @example
 * checkMetricNames('fd,fid'); // GenbenchError USAGE: unknown metric 'fid'; valid metrics: is, fd, ...
 */
export function checkMetricNames(list: string | readonly string[] | undefined): void {
  if (list === undefined) return;
  for (const id of metricIds(list, { id: '', defaults: { features: '' }, layers: [] }, false)) if (id !== DISC_METRIC) getMetric(id);
}

/** Every layer the plan reads, without repeats. */
export function planLayers(plan: MetricPlan): string[] {
  const { features, classScores, discriminator } = plan.layers;
  return [...new Set([features, ...(classScores === undefined ? [] : [classScores]), ...(discriminator ?? [])])];
}

function metricIds(list: PlanInput['list'], fx: PlanInput['fx'], isDisc: boolean): string[] {
  if (list === undefined) {
    return [...(fx.defaults.classScores !== undefined ? ['is'] : []), ...FEATURE_DEFAULTS, ...(isDisc ? [DISC_METRIC] : [])];
  }
  const ids = (typeof list === 'string' ? list.split(',') : [...list]).map((s) => s.trim());
  if (ids.length === 0 || ids.some((s) => s.length === 0)) {
    throw new GenbenchError('USAGE', `--metrics '${String(list)}': empty metric name; give a comma-separated list such as fd,kid,precision`);
  }
  return [...new Set(ids)];
}

/** Defaults merged, with the sample-size-dependent parameters lowered to what the sets allow (and a warning). */
function fitParams(group: readonly MetricDescriptor[], input: PlanInput, warnings: string[]): MetricParams {
  const d = group[0]!;
  const p: Record<string, number | string | boolean> = groupDefaults(group);
  const smaller = Math.min(input.nGenerated, input.nReference);
  if (d.group === 'kid' && typeof p['subsetSize'] === 'number' && p['subsetSize'] > smaller) {
    warnings.push(`kid: subset size lowered from ${p['subsetSize']} to ${smaller} (the smaller set); KID values are comparable only at equal subset size`);
    p['subsetSize'] = smaller;
  }
  if (d.group === 'kid' && p['subsetSize'] === input.nGenerated && p['subsetSize'] === input.nReference && p['subsets'] !== 1) {
    // Every subset would be the whole of both sets (drawn without replacement): one is enough, and std is 0.
    warnings.push(`kid: ${p['subsets']} subsets of ${input.nGenerated} would all be the whole set, so 1 subset is used (no std)`);
    p['subsets'] = 1;
  }
  if (d.group === 'is' && typeof p['splits'] === 'number' && p['splits'] > input.nGenerated) {
    warnings.push(`is: splits lowered from ${p['splits']} to ${input.nGenerated} (one per sample)`);
    p['splits'] = input.nGenerated;
  }
  return p;
}
