import type { Dataset, DatasetSplit } from '../data/types.js';
import { parseSplitExpr } from '../data/split-spec.js';
import { sliceImages } from '../io/image.js';
import type { Progress } from '../progress.js';

/**
 * Which real images a generator is compared with.
 *
 * Default split: the dataset's `test` split (else its last split), made HELD OUT when the generator's manifest
 * names its training images in it. `train_split` may be a split expression (`test[:8000]`) or an inclusive index
 * range `A-B` (as the shared MNIST fixtures write `0-7999`: rows of the split evaluated, see their README). When the
 * training rows are a prefix of the split the default is the rest (`test[8000:]`); a suffix likewise. An explicit
 * `--split` is always used as given (a warning names any overlap with the training rows).
 *
 * Reference count: the first `referenceN` images of the split (default: as many as generated, capped at the split
 * size). Equal-size sets are what PRDC (Naeem et al. 2020) assumes, and the count is part of the cache key (the
 * split expression becomes e.g. `test[8000:9000]`).
 *
 * @example
 * defaultSplit(mnist, { dataset: 'mnist', train_split: '0-7999' }); // 'test[8000:]'
 * defaultSplit(mnist, {});                                          // 'test'
 */
export interface TrainingInfo {
  readonly dataset?: string | undefined;
  readonly train_split?: string | undefined;
}

interface RowRange {
  readonly name?: string;
  readonly start: number;
  /** Exclusive; undefined = to the end. */
  readonly stop?: number;
}

export function defaultSplit(ds: Pick<Dataset, 'name' | 'splits'>, training: TrainingInfo): string {
  const base = ds.splits.find((s) => s.name === 'test')?.name ?? ds.splits[ds.splits.length - 1]!.name;
  const train = trainingRows(ds.name, training);
  if (train === undefined || (train.name !== undefined && train.name !== base)) return base;
  if (train.start === 0 && train.stop !== undefined) return `${base}[${train.stop}:]`;
  if (train.stop === undefined && train.start > 0) return `${base}[:${train.start}]`;
  return base;
}

/**
 * A warning when the reference split may hold the generator's training images (metrics then reward copying), or
 * undefined when it is known not to.
 */
export function trainingOverlapWarning(datasetName: string, referenceSplit: string, training: TrainingInfo): string | undefined {
  if (training.dataset === undefined || training.dataset !== datasetName || training.train_split === undefined) return undefined;
  const train = trainingRows(datasetName, training);
  const ref = rowsOfSplit(referenceSplit);
  if (train !== undefined && ref !== undefined) {
    const sameSplit = train.name === undefined || train.name === ref.name;
    const disjoint = !sameSplit || (train.stop !== undefined && train.stop <= ref.start) || (ref.stop !== undefined && ref.stop <= train.start);
    if (disjoint) return undefined;
  }
  return `the model was trained on ${datasetName} '${training.train_split}' (its manifest) and the reference '${referenceSplit}' may contain those images, so the metrics reward memorisation; pick a held-out --split`;
}

/**
 * The manifest's training rows as a split expression of `ds` (`train_split: '0-7999'` -> `test[0:8000]`, rows of
 * the split evaluated by default as in defaultSplit), or undefined when the manifest names no training split on it.
 *
 * @example
 * trainingSplit(mnist, { dataset: 'mnist', train_split: '0-7999' }); // 'test[0:8000]'
 */
export function trainingSplit(ds: Pick<Dataset, 'name' | 'splits'>, training: TrainingInfo): string | undefined {
  const t = trainingRows(ds.name, training);
  if (t === undefined) return undefined;
  const base = t.name ?? ds.splits.find((s) => s.name === 'test')?.name ?? ds.splits[ds.splits.length - 1]!.name;
  return `${base}[${t.start}:${t.stop ?? ''}]`;
}

/**
 * Loads `split` and keeps its first `referenceN` images, naming the result by an exact split expression;
 * `available` is the number of images in the whole split expression.
 */
export async function loadReference(ds: Dataset, split: string, referenceN: number | undefined, progress?: Progress): Promise<{ reference: DatasetSplit; available: number }> {
  const full = await ds.load(split, progress === undefined ? {} : { progress });
  const available = full.images.n;
  if (referenceN === undefined || referenceN >= available) return { reference: full, available };
  const e = parseSplitExpr(full.split);
  const start = e.start ?? 0;
  const reference = {
    images: sliceImages(full.images, 0, referenceN),
    ...(full.labels === undefined ? {} : { labels: full.labels.slice(0, referenceN) }),
    split: `${e.name}[${start}:${start + referenceN}]`,
    source: full.source,
  };
  return { reference, available };
}

/** Training rows from the manifest: a split expression with non-negative bounds, or an inclusive range 'A-B'. */
function trainingRows(datasetName: string, t: TrainingInfo): RowRange | undefined {
  if (t.dataset !== datasetName || t.train_split === undefined) return undefined;
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(t.train_split);
  if (range) return { start: Number(range[1]), stop: Number(range[2]) + 1 };
  return rowsOfSplit(t.train_split);
}

function rowsOfSplit(expr: string): (RowRange & { name: string }) | undefined {
  try {
    const e = parseSplitExpr(expr);
    if ((e.start ?? 0) < 0 || (e.stop ?? 0) < 0) return undefined;
    return { name: e.name, start: e.start ?? 0, ...(e.stop === undefined ? {} : { stop: e.stop }) };
  } catch {
    return undefined;
  }
}
