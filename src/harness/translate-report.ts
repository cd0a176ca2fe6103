import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { BOOTSTRAP_DEFAULTS, RECENTRED_METHOD } from '../../metrics/bootstrap.js';
import type { PairImages } from '../data/paired.js';
import type { SourceFile } from '../data/types.js';
import { REPORT_SCHEMA, type Report } from '../io/report.js';
import { RANGE_TOLERANCE, type Translator } from '../models/translator.js';
import { VERSION } from '../version.js';
import type { FeatureMatchingRecipe } from './pair-feature-matching.js';
import type { MetricEntryValue } from './run-metrics.js';
import type { TranslationFeatures } from './translate-features.js';
import { intervalWarnings } from './warnings.js';

/**
 * The `genbench.report/v1` report of a translation run (translate.ts), paired or unpaired: the translator (and the
 * reverse translator of a cycle) as the model, the two sides of the data as the dataset (imagesSha256 over both),
 * the recipe with every parameter (pixel metrics, translation mapping, the protocol the data was made by as
 * `params.protocol`, feature metric groups, classifier, cycle) and the extractor when features were read (else `none`: the sha256 of zero bytes as its weights), the
 * discriminator of `feature_matching` as `featureMatching` (pair-feature-matching.ts), the metrics in order, timings and warnings.
 *
 * @example
 * translationReport({ t, mode: 'paired', data: 'task colin27-t1-bet', ... }).recipe.rankedBy; // 'ssim'
 */
export interface TranslationFacts {
  readonly t: Translator;
  readonly reverse?: Translator;
  readonly mode: 'paired' | 'unpaired';
  /** What was scored, e.g. 'task colin27-t1-bet' or 'pairs P.npz'. */
  readonly data: string;
  readonly name: string;
  readonly split: string;
  readonly source: PairImages;
  readonly target: PairImages;
  readonly files: readonly SourceFile[];
  readonly loading?: Readonly<Record<string, string | number>>;
  readonly metrics: Readonly<Record<string, MetricEntryValue>>;
  /** Parameters by group beside those of the feature metrics (pixel, content, cycle, classifier). */
  readonly params: Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;
  readonly features?: TranslationFeatures;
  /** The discriminator recipe of `feature_matching` (pair-feature-matching.ts), when it was computed. */
  readonly featureMatching?: FeatureMatchingRecipe;
  readonly resamples: number;
  readonly seed: number;
  /** What the pixel-level intervals resample. */
  readonly covers: string;
  readonly rankedBy: string;
  readonly warnings: readonly string[];
  readonly seconds: { readonly translate: number; readonly metrics: number; readonly total: number };
  readonly batchSize?: number;
  readonly grid?: string;
}

const NO_WEIGHTS = createHash('sha256').digest('hex');

export function translationReport(f: TranslationFacts): Report {
  const { t, features } = f;
  const uint8 = f.target.data instanceof Uint8Array;
  const translation = {
    mode: f.mode,
    data: f.data,
    dataRange: f.target.range.join('..'),
    inputRange: t.manifest.input_range,
    outputRange: t.manifest.output_range,
    rangeTolerance: RANGE_TOLERANCE,
    inputMapping: 'linear from the data range to input_range',
    outputMapping: `linear from output_range to the data range, clipped${uint8 ? ', then uint8 round-half-even' : ''}`,
    ...(features?.extractor === undefined ? {} : { features: uint8 ? 'outputs as scored (uint8) and the target images' : 'outputs and targets quantised to uint8 from the data range (round-half-even)' }),
  };
  const fx = features?.extractor;
  const seconds = features?.seconds;
  const files: Record<string, string> = { [basename(t.path)]: t.sha256 };
  if (f.reverse !== undefined) files[`reverse:${basename(f.reverse.path)}`] = f.reverse.sha256;
  return {
    schema: REPORT_SCHEMA,
    created: new Date().toISOString(),
    model: {
      name: t.manifest.name,
      path: t.path,
      format: 'onnx',
      files,
      manifest: { ...t.manifest, ...(f.reverse === undefined ? {} : { reverse: { ...f.reverse.manifest } }) },
      engine: t.engine,
    },
    dataset: {
      name: f.name,
      split: f.split,
      count: f.source.n,
      files: f.files.map((x) => ({ ...(x.id === undefined ? {} : { id: x.id }), path: x.path, sha256: x.sha256 })),
      imagesSha256: sidesSha256(f.source, f.target),
      ...(f.loading === undefined ? {} : { loading: { ...f.loading } }),
      labelled: false,
    },
    recipe: {
      extractor: fx?.recipe ?? { id: 'none', weightsSha256: NO_WEIGHTS, layers: { features: 'pixels' }, preprocessing: { note: 'pixel metrics only: no feature network reads the images' } },
      n: { generated: f.source.n, reference: f.target.n },
      seeds: { sampling: f.seed, metrics: { ...(features?.seeds ?? {}) }, bootstrap: f.resamples > 0 ? f.seed : null },
      sampling: { labels: 'none', quantisation: uint8 ? "outputs to uint8: clip(round-half-even(x)) in the targets' 0..255 scale" : 'none: float outputs against float targets' },
      metrics: Object.keys(f.metrics),
      params: {
        ...f.params,
        ...Object.fromEntries(Object.entries(features?.params ?? {}).map(([k, v]) => [k, { ...v }])),
        translation,
        ...(f.loading === undefined ? {} : { protocol: { ...f.loading } }),
      },
      ...(f.featureMatching === undefined ? {} : { featureMatching: f.featureMatching }),
      rankedBy: f.rankedBy,
      bootstrap: f.resamples === 0 ? null : bootstrapRecipe(f),
      genbench: VERSION,
      backend: { tfjs: null, generator: t.engine, extractor: fx?.engine ?? 'none' },
    },
    metrics: f.metrics as Report['metrics'],
    timings: {
      sample: { seconds: f.seconds.translate },
      featuresGenerated: { seconds: seconds?.generated ?? 0 },
      featuresReference: { seconds: seconds?.reference ?? 0, cached: seconds?.cached ?? false },
      ...(features?.referenceStats === undefined ? {} : { referenceStats: { ...features.referenceStats } }),
      metrics: { seconds: f.seconds.metrics },
      ...(f.resamples > 0 && seconds !== undefined && fx !== undefined ? { intervals: { seconds: seconds.intervals } } : {}),
      total: { seconds: f.seconds.total },
    },
    warnings: [...f.warnings, ...(features?.warnings ?? []), ...intervalWarnings(f.metrics)],
    run: { extractor: fx?.id ?? 'none', ...(f.batchSize === undefined ? {} : { batchSize: f.batchSize }), ...(f.grid === undefined ? {} : { grid: resolve(f.grid) }) },
  };
}

function bootstrapRecipe(f: TranslationFacts): NonNullable<Report['recipe']['bootstrap']> {
  const withFeatures = f.features?.extractor !== undefined;
  return {
    resamples: f.resamples,
    level: BOOTSTRAP_DEFAULTS.level,
    method: withFeatures ? `${RECENTRED_METHOD}, or as each metric's ciMethod says (docs/uncertainty.md)` : RECENTRED_METHOD,
    resampleReference: withFeatures,
    covers: withFeatures ? `${f.covers}; ${f.features!.ids.join(', ')}: outputs and target images resampled independently` : f.covers,
  };
}

/** sha256 over each side's shape line and values as stored (the images actually scored). */
function sidesSha256(source: PairImages, target: PairImages): string {
  const h = createHash('sha256');
  for (const [role, s] of [['source', source], ['target', target]] as const) {
    h.update(`${role} ${s.n}x${s.height}x${s.width}x${s.channels} ${s.data.constructor.name} ${s.range.join(',')}\n`);
    h.update(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength));
  }
  return h.digest('hex');
}
