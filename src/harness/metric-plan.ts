import { defaultMetrics, getMetric, groupMetrics, METRICS, resolveParams } from '../../metrics/index.js';
import type { ExtractorOutput, MetricDescriptor, MetricParams } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import { defaultLayerFor, layerInfo, type FeatureExtractor } from '../features/types.js';

/**
 * Which metrics an evaluation computes and on which layers, decided once before any work: the registry metrics,
 * grouped, defaults merged and parameters fitted to the sample sizes (each descriptor's `fit`).
 *
 * Defaults: every metric whose `defaultFor` output the extractor has (features: fd, fd_inf, kid, precision, recall,
 * density, coverage; a class-score layer: is; a discriminator: disc). Asking for a metric the extractor cannot serve
 * is a USAGE error.
 *
 * @example
 * const plan = planMetrics({ list: 'fd,kid', fx, nGenerated: 500, nReference: 500 });
 * plan.params['kid'];   // { subsets: 100, subsetSize: 500, seed: 2020, ... }  (subsetSize lowered to fit)
 * plan.warnings;        // ['kid: subset size lowered from 1000 to 500 (the smaller set); ...']
 */
export interface MetricPlan {
  /** Every metric id reported, in order. */
  readonly ids: readonly string[];
  /** Registry metrics, grouped (one compute per group). */
  readonly groups: readonly MetricDescriptor[][];
  /** Parameters by group id, defaults merged and fitted (groups with none, such as disc, have no entry). */
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
  const descs = ids.map(getMetric);
  for (const d of descs) {
    if (d.input === 'feature-pairs') {
      throw new GenbenchError('USAGE', `metric '${d.id}' compares paired images through a discriminator; use genbench pixel --a A.npy --b B.npy --discriminator D for it`);
    }
    if (d.input === 'image-pairs') {
      throw new GenbenchError('USAGE', `metric '${d.id}' compares image pairs, not sample sets; use genbench pixel for it, or one of ${setMetricIds().join(', ')}`);
    }
    if (d.input === 'discriminator-layers' && !isDisc) {
      throw new GenbenchError('USAGE', `metric '${d.id}' needs a discriminator extractor; add --extractor discriminator:<path to the discriminator checkpoint>`);
    }
  }
  const warnings: string[] = [];
  const groups = groupMetrics(descs);
  const params: Record<string, MetricParams> = {};
  const sizes = { generated: input.nGenerated, reference: input.nReference };
  for (const g of groups) {
    const d = g[0]!;
    const merged = resolveParams(g);
    if (Object.keys(merged).length > 0) params[d.group] = d.fit === undefined ? merged : d.fit(merged, sizes, (w) => warnings.push(w));
  }
  const wantsIs = descs.some((d) => d.input === 'class-scores');
  const classScores = wantsIs ? defaultLayerFor(fx, 'class-scores') : undefined;
  const classKind = classScores !== undefined && layerInfo(fx, classScores).kind === 'probabilities' ? 'probs' : 'logits';
  const layers = {
    features: fx.defaults.features,
    ...(classScores === undefined ? {} : { classScores }),
    ...(descs.some((d) => d.input === 'discriminator-layers') ? { discriminator: fx.layers.map((l) => l.name) } : {}),
  };
  return { ids, groups, params, layers, classKind, warnings };
}

/** The metrics over sample sets (what evaluate computes), for messages. */
function setMetricIds(): string[] {
  return [...METRICS.values()].filter((d) => d.input === 'features' || d.input === 'class-scores' || d.input === 'discriminator-layers').map((d) => d.id);
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
  for (const id of metricIds(list, { id: '', defaults: { features: '' }, layers: [] }, false)) getMetric(id);
}

/** Every layer the plan reads, without repeats. */
export function planLayers(plan: MetricPlan): string[] {
  const { features, classScores, discriminator } = plan.layers;
  return [...new Set([features, ...(classScores === undefined ? [] : [classScores]), ...(discriminator ?? [])])];
}

function metricIds(list: PlanInput['list'], fx: PlanInput['fx'], isDisc: boolean): string[] {
  if (list === undefined) {
    const outputs: ExtractorOutput[] = ['features', ...(fx.defaults.classScores !== undefined ? ['class-scores' as const] : []), ...(isDisc ? ['discriminator' as const] : [])];
    return defaultMetrics(outputs).map((d) => d.id);
  }
  const ids = (typeof list === 'string' ? list.split(',') : [...list]).map((s) => s.trim());
  if (ids.length === 0 || ids.some((s) => s.length === 0)) {
    throw new GenbenchError('USAGE', `--metrics '${String(list)}': empty metric name; give a comma-separated list such as fd,kid,precision`);
  }
  return [...new Set(ids)];
}
