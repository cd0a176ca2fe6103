import type { Dataset } from '../data/types.js';
import { datasetInputs, extractCached } from '../features/cache.js';
import type { FeatureExtractor } from '../features/types.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Progress } from '../progress.js';
import { memorizationChecks } from './checks.js';
import { checksJson } from './output.js';

/**
 * The memorisation checks as `evaluate` reports them when a training split is given (`--train-split`): feature
 * space only (the features already extracted for the metrics), the evaluation's reference split as the held-out
 * set, training-split features through the feature cache. Returns report metric entries (`copy_rate`,
 * `closer_to_train_share`, `mifid_term`, `ct`, each `{ value, ..., copying }`), flat recipe parameters, and
 * `warnings` for the report (a held-out set shifted from the training set; the same text is the
 * `closer_to_train_share` entry's `warning`).
 *
 * @example
 * const m = await memorizationForReport({ ds, trainSplit: 'test[:8000]', fx, layer: 'f2', generated, reference, seed: 0 });
 * m.metrics['ct']?.value;        // about 0 for a model that does not copy
 * m.params['train_split'];       // 'test[0:8000]'
 * m.warnings;                    // [] when the held-out set looks like the training set
 */
export interface ReportHookInput {
  readonly ds: Dataset;
  readonly trainSplit: string;
  readonly fx: FeatureExtractor;
  /** The features layer the metrics read. */
  readonly layer: string;
  readonly generated: Matrix;
  /** Reference (held-out) features of the evaluation. */
  readonly reference: Matrix;
  readonly seed: number;
  readonly batchSize?: number;
  readonly cacheDir?: string;
  readonly progress?: Progress;
}

export async function memorizationForReport(i: ReportHookInput): Promise<{ metrics: Record<string, { value: number | null } & Record<string, unknown>>; params: Record<string, string | number | boolean>; warnings: string[] }> {
  const split = await i.ds.load(i.trainSplit, i.progress === undefined ? {} : { progress: i.progress });
  const opts = { layers: [i.layer], ...(i.batchSize === undefined ? {} : { batchSize: i.batchSize }), ...(i.progress === undefined ? {} : { progress: i.progress }), ...(i.cacheDir === undefined ? {} : { dir: i.cacheDir }) };
  const train = (await extractCached(i.fx, split.images, datasetInputs(i.ds.name, split), opts))[i.layer]!.matrix;
  const r = await memorizationChecks({ train, heldout: i.reference, generated: i.generated }, { seed: i.seed });
  const rc = r.recipe as { ct: { cells: number; tau: number; threshold: number }; copy_rate: { ratio: number; dup_fraction: number; alpha: number }; closer_to_train_share: { alpha: number; permutations: number }; mifid_term: { eps: number; baseline_factor: number }; nn: Record<string, unknown> };
  const params = {
    train_split: split.split,
    train_count: split.images.n,
    space: `features (${i.layer})`,
    seed: i.seed,
    ct_cells: rc.ct.cells,
    ct_tau: rc.ct.tau,
    ct_threshold: rc.ct.threshold,
    copy_ratio: rc.copy_rate.ratio,
    copy_dup_fraction: rc.copy_rate.dup_fraction,
    copy_alpha: rc.copy_rate.alpha,
    closer_alpha: rc.closer_to_train_share.alpha,
    closer_permutations: rc.closer_to_train_share.permutations,
    mifid_eps: rc.mifid_term.eps,
    mifid_baseline_factor: rc.mifid_term.baseline_factor,
    nn_method: String(rc.nn['method'] ?? rc.nn['kind'] ?? 'unknown'),
  };
  const warnings = r.warnings.map((w) => `memorisation: ${w}`);
  return { metrics: { ...checksJson(r) }, params, warnings };
}
