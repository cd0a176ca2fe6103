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
