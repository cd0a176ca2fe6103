import type { Report } from '../io/report.js';
import { protocolKey } from '../store/evaluations.js';

/**
 * The evaluation protocol of each built-in dataset on the leaderboard: the reference split, the generated sample
 * count n, the reference count (a seeded random subset of the split, seed REFERENCE_SEED), the extractor, and the
 * training rows the memorisation checks use when a manifest names none. Splits are written as reports write them
 * (data/split-spec.ts formatSplit), so a report's split compares equal. MNIST's reference is `test[8000:10000]`, the
 * held-out rows of submitted checkpoints (their `train_split` 0-7999 is `test[0:8000]`; genbench's own models use
 * the seeded partition `test~0`, see the README). The
 * server evaluates every submission of a dataset under its protocol (evaluate-job.ts serverProtocol), and a board
 * ranks only evaluations under one protocol (leaderboard.ts). The README's "Reference protocol" table shows this one.
 *
 * @example
 * PROTOCOLS.get('pneumoniamnist'); // { split: 'test', n: 468, referenceN: 468, extractor: 'classifier:pneumoniamnist', train: 'train' }
 */
export interface DatasetProtocol {
  /** Reference split expression (held out from the training rows of genbench's models). */
  readonly split: string;
  /** Generated samples per evaluation. */
  readonly n: number;
  /** Reference images (a seeded random subset of `split`). */
  readonly referenceN: number;
  /** Extractor id. */
  readonly extractor: string;
  /** Training rows the memorisation checks compare with when the manifest names no usable `train_split`. */
  readonly train: string;
}

export const PROTOCOLS: ReadonlyMap<string, DatasetProtocol> = new Map<string, DatasetProtocol>([
  ['mnist', Object.freeze({ split: 'test[8000:10000]', n: 2000, referenceN: 2000, extractor: 'classifier:mnist', train: 'test[0:8000]' })],
  ['fashion-mnist', Object.freeze({ split: 'test', n: 10_000, referenceN: 10_000, extractor: 'mobilenet-v1-0.75', train: 'train' })],
  ['pneumoniamnist', Object.freeze({ split: 'test', n: 468, referenceN: 468, extractor: 'classifier:pneumoniamnist', train: 'train' })],
  ['polygons', Object.freeze({ split: 'test[0:2000]', n: 2000, referenceN: 2000, extractor: 'classifier:polygons', train: 'train' })],
]);

/**
 * The evaluation protocol of each built-in translation task on the leaderboard: the split the translator is scored
 * on (the task's held-out `test`), the metric its report ranks by (`recipe.rankedBy`; the translate harness chooses
 * the metrics by the task's kind: pixel metrics and features for paired intensity tasks, Dice for label maps,
 * features, content and the target-domain classifier for unpaired tasks), the feature
 * extractor (`none`: no features are read) and the bootstrap seed. The server scores every translation submission
 * of a task under its protocol (translation-protocol.ts), and the task's board ranks only reports under it.
 *
 * @example
 * TRANSLATION_PROTOCOLS.get('pneumonia-sr2')?.rank; // 'ssim'
 */
export interface TranslationProtocol {
  /** Split expression of the task (its held-out pairs or images). */
  readonly split: string;
  /** The report's rank metric (`recipe.rankedBy`) under this protocol. */
  readonly rank: string;
  /** Feature extractor id for FD, KID, precision and recall; `none` for label-map targets. */
  readonly extractor: string;
  /** Bootstrap seed. */
  readonly seed: number;
}

const paired = (extractor: string): TranslationProtocol => Object.freeze({ split: 'test', rank: 'ssim', extractor, seed: 0 });

export const TRANSLATION_PROTOCOLS: ReadonlyMap<string, TranslationProtocol> = new Map<string, TranslationProtocol>([
  ['colin27-t1-bet', paired('mobilenet-v1-0.75')],
  ['colin27-t1-aal', Object.freeze({ split: 'test', rank: 'dice', extractor: 'none', seed: 0 })],
  ['pneumonia-sr2', paired('classifier:pneumoniamnist')],
  ['pneumonia-denoise', paired('classifier:pneumoniamnist')],
  ['pneumonia-normal-to-pneumonia', Object.freeze({ split: 'test', rank: 'fd', extractor: 'classifier:pneumoniamnist', seed: 0 })],
]);

/** Direction and meaning of the translation metrics outside the metric registry (the board's arrows and tooltips). */
export const TRANSLATION_METRICS: ReadonlyMap<string, { readonly title: string; readonly higherIsBetter: boolean }> = new Map([
  ['dice', { title: 'mean Dice over the labels present in target or output (label-map targets)', higherIsBetter: true }],
  ['content_ssim', { title: 'content preservation: mean SSIM of each input and its output', higherIsBetter: true }],
  ['target_share', { title: 'share of outputs the target-domain classifier assigns to the target class', higherIsBetter: true }],
  ['cycle_l1', { title: 'cycle error: mean L1 of B(A(x)) - x', higherIsBetter: false }],
]);

/** The part of a translation protocol the server sets (translation-protocol.ts translationServerProtocol). */
export interface TranslationSpec {
  readonly split: string;
  readonly extractor: string;
  readonly seed: number;
  readonly rank: string;
}

/** Whether a translation report was computed under `p`: its split, extractor and bootstrap seed (none without intervals). */
export function underTranslationProtocol(report: Report, p: TranslationSpec): boolean {
  const seed = report.recipe.seeds.bootstrap;
  return report.dataset.split === p.split && report.recipe.extractor.id === p.extractor && (seed === null || seed === p.seed);
}

/** Seed of the reference subset under every server protocol. */
export const REFERENCE_SEED = 0;

/** The fields of a report's protocol, as a board shows them. */
export interface ProtocolSummary {
  /** store/evaluations.ts protocolKey: these fields plus the weights sha256, the metric list and parameters. */
  readonly key: string;
  readonly dataset: string;
  readonly split: string;
  readonly n: number;
  readonly reference: number;
  readonly referenceSeed: number | null;
  readonly extractor: string;
  /** First 12 hex digits of the extractor's weights sha256. */
  readonly weights: string;
}

export function protocolSummary(report: Report): ProtocolSummary {
  const r = report.recipe;
  return {
    key: protocolKey(report),
    dataset: report.dataset.name,
    split: r.reference?.split ?? report.dataset.split,
    n: r.n.generated,
    reference: r.reference?.count ?? r.n.reference,
    referenceSeed: r.reference?.seed ?? null,
    extractor: r.extractor.id,
    weights: r.extractor.weightsSha256.slice(0, 12),
  };
}

/** The part of a protocol the server sets (serverProtocol): fields left out match anything. */
export interface ProtocolSpec {
  readonly split?: string;
  readonly n: number;
  readonly referenceN?: number;
  readonly referenceSeed?: number;
  readonly extractor?: string;
}

/** Whether a report was computed under `p`. */
export function underProtocol(report: Report, p: ProtocolSpec): boolean {
  const s = protocolSummary(report);
  return s.n === p.n && (p.split === undefined || s.split === p.split) && (p.referenceN === undefined || s.reference === p.referenceN) &&
    (p.extractor === undefined || s.extractor === p.extractor) && (p.referenceSeed === undefined || s.referenceSeed === null || s.referenceSeed === p.referenceSeed);
}
