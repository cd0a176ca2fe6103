import { createHash } from 'node:crypto';
import type { Dataset, DatasetSplit } from '../data/types.js';
import { parseSplitExpr, splitRowIndices } from '../data/split-spec.js';
import { takeImageRows } from '../io/image.js';
import { GenbenchError } from '../errors.js';
import type { Progress } from '../progress.js';
import { Rng } from '../rng.js';

/**
 * Which real images a generator is compared with.
 *
 * Default split: the dataset's `test` split (else its last split), made HELD OUT when the generator's manifest
 * names its training images in it. `train_split` may be a split expression (`test[:8000]`) or an inclusive index
 * range `A-B` (as the shared MNIST fixtures write `0-7999`: rows of the split evaluated, see their README). When the
 * training rows are a prefix of the split the default is the rest (`test[8000:]`); a suffix likewise. An explicit
 * `--split` is always used as given (a warning names any overlap with the training rows).
 *
 * Reference rows: `referenceN` rows of the split drawn at random without replacement (Rng(seed).fork('reference-rows'),
 * kept in split order), or the whole split when it has no more rows (default: as many as generated). Never "the
 * first n": a split's file order is not random (MNIST's writers change along its test split), so its first rows are
 * not a sample of it. The seed, the count and a sha256 of the row indices go into the recipe. Equal-size sets are
 * what PRDC (Naeem et al. 2020) assumes.
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
  readonly shuffle?: number;
  readonly start: number;
  /** Exclusive; undefined = to the end. */
  readonly stop?: number;
}

export function defaultSplit(ds: Pick<Dataset, 'name' | 'splits'>, training: TrainingInfo): string {
  const base = ds.splits.find((s) => s.name === 'test')?.name ?? ds.splits[ds.splits.length - 1]!.name;
  const train = trainingRows(ds.name, training, ds.splits);
  if (train === undefined || (train.name !== undefined && train.name !== base)) return base;
  const shuffled = train.shuffle === undefined ? base : `${base}~${train.shuffle}`;
  if (train.start === 0 && train.stop !== undefined) return `${shuffled}[${train.stop}:]`;
  if (train.stop === undefined && train.start > 0) return `${shuffled}[:${train.start}]`;
  return base;
}

/**
 * A warning when the reference split may hold the generator's training images (metrics then reward copying), or
 * undefined when it is known not to. With the split's size known, the rows are compared exactly (seeded shuffles
 * included).
 */
export function trainingOverlapWarning(datasetName: string, referenceSplit: string, training: TrainingInfo, splitCount?: number): string | undefined {
  if (training.dataset === undefined || training.dataset !== datasetName || training.train_split === undefined) return undefined;
  const train = trainingRows(datasetName, training);
  const ref = rowsOfSplit(referenceSplit);
  if (train !== undefined && ref !== undefined) {
    if (train.name !== undefined && train.name !== ref.name) return undefined;
    if (splitCount !== undefined) {
      const shared = overlapCount(trainExpr(train, ref.name), referenceSplit, splitCount);
      if (shared === 0) return undefined;
      if (shared !== undefined) return `the model was trained on ${datasetName} '${training.train_split}' (its manifest) and ${shared} of the reference '${referenceSplit}' images are among them, so the metrics reward memorisation; pick a held-out --split`;
    } else if (train.shuffle === undefined && ref.shuffle === undefined) {
      const disjoint = (train.stop !== undefined && train.stop <= ref.start) || (ref.stop !== undefined && ref.stop <= train.start);
      if (disjoint) return undefined;
    }
  }
  return `the model was trained on ${datasetName} '${training.train_split}' (its manifest) and the reference '${referenceSplit}' may contain those images, so the metrics reward memorisation; pick a held-out --split`;
}

function trainExpr(t: RowRange, name: string): string {
  return `${t.name ?? name}${t.shuffle === undefined ? '' : `~${t.shuffle}`}[${t.start}:${t.stop ?? ''}]`;
}

/** Rows two expressions of one split share, or undefined when either does not resolve. */
function overlapCount(a: string, b: string, count: number): number | undefined {
  try {
    const rows = new Set(splitRowIndices(a, count));
    return splitRowIndices(b, count).reduce((s, r) => s + (rows.has(r) ? 1 : 0), 0);
  } catch {
    return undefined;
  }
}

/**
 * The manifest's training rows as a split expression of `ds` (`train_split: '0-7999'` -> `test[0:8000]`, rows of
 * the split evaluated by default as in defaultSplit), or undefined when the manifest names no training split on it.
 *
 * @example
 * trainingSplit(mnist, { dataset: 'mnist', train_split: '0-7999' }); // 'test[0:8000]'
 */
export function trainingSplit(ds: Pick<Dataset, 'name' | 'splits'>, training: TrainingInfo): string | undefined {
  const t = trainingRows(ds.name, training, ds.splits);
  if (t === undefined) return undefined;
  const base = t.name ?? ds.splits.find((s) => s.name === 'test')?.name ?? ds.splits[ds.splits.length - 1]!.name;
  return trainExpr(t, base);
}

/** Which rows of the split the reference holds: all of them, or a seeded random subset. */
export interface ReferenceSelection {
  readonly count: number;
  /** Rows in the split expression. */
  readonly of: number;
  /** Seed of the subset; null when the whole split is used. */
  readonly seed: number | null;
  /** sha256 of the selected row indices (int32 little-endian), so two reports can tell whether they share rows. */
  readonly rowsSha256: string;
}

/**
 * Loads `split` and keeps `referenceN` seeded random rows of it (see the file comment); `available` is the number
 * of images in the whole split expression.
 *
 * @example
 * const { reference, selection } = await loadReference(mnist, 'test[8000:]', 1000, 0);
 * selection; // { count: 1000, of: 2000, seed: 0, rowsSha256: '5c1e...' }
 */
export async function loadReference(ds: Dataset, split: string, referenceN: number | undefined, seed = 0, progress?: Progress): Promise<{ reference: DatasetSplit; available: number; selection: ReferenceSelection }> {
  const full = await ds.load(split, progress === undefined ? {} : { progress });
  const available = full.images.n;
  if (referenceN === undefined || referenceN >= available) {
    const all = Int32Array.from({ length: available }, (_, i) => i);
    return { reference: full, available, selection: { count: available, of: available, seed: null, rowsSha256: rowsHash(all) } };
  }
  const rows = new Rng(seed).fork('reference-rows').sampleWithoutReplacement(available, referenceN).sort();
  const rowsSha256 = rowsHash(rows);
  const reference = {
    images: takeImageRows(full.images, rows),
    ...(full.labels === undefined ? {} : { labels: Int32Array.from(rows, (r) => full.labels![r]!) }),
    split: full.split,
    rows: rowsSha256, // the subset's features are cached under its rows, not under the whole split's expression
    source: full.source,
  };
  return { reference, available, selection: { count: referenceN, of: available, seed, rowsSha256 } };
}

function rowsHash(rows: Int32Array): string {
  return createHash('sha256').update(new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength)).digest('hex');
}

/** Training rows from the manifest: a split expression with non-negative bounds, or an inclusive range 'A-B'. */
function trainingRows(datasetName: string, t: TrainingInfo, splits?: Pick<Dataset, 'splits'>['splits']): RowRange | undefined {
  if (t.dataset !== datasetName || t.train_split === undefined) return undefined;
  // a split expression may carry a note in parentheses, as exported manifests write it: "train (2428 images, x.npz)"
  const noted = /^\s*([^\s(]+)\s*\((.*)\)\s*$/.exec(t.train_split);
  const expr = noted?.[1] ?? t.train_split;
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(expr);
  const rows = range ? { start: Number(range[1]), stop: Number(range[2]) + 1 } : rowsOfSplit(expr);
  if (rows === undefined) {
    throw new GenbenchError('INPUT', `manifest train_split '${t.train_split}' is not a split expression; write e.g. test[:8000], test~0[:8000] or the inclusive range 0-7999`);
  }
  const declared = /(\d[\d,]*)\s+images?\b/.exec(noted?.[2] ?? '');
  const base = 'name' in rows ? splits?.find((x) => x.name === rows.name) : undefined;
  if (declared && base?.count !== undefined) {
    const n = Math.min(rows.stop ?? base.count, base.count) - rows.start;
    const want = Number(declared[1]!.replace(/,/g, ''));
    if (n !== want) throw new GenbenchError('INPUT', `manifest train_split '${t.train_split}' says ${want} images, but ${datasetName} ${expr} has ${n}; the model was trained on other data than genbench's ${datasetName}`);
  }
  return rows;
}

function rowsOfSplit(expr: string): (RowRange & { name: string }) | undefined {
  try {
    const e = parseSplitExpr(expr);
    if ((e.start ?? 0) < 0 || (e.stop ?? 0) < 0) return undefined;
    return { name: e.name, ...(e.shuffle === undefined ? {} : { shuffle: e.shuffle }), start: e.start ?? 0, ...(e.stop === undefined ? {} : { stop: e.stop }) };
  } catch {
    return undefined;
  }
}
