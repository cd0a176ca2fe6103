import { GenbenchError } from '../errors.js';
import { sliceImages, takeImageRows } from '../io/image.js';
import { Rng } from '../rng.js';
import type { DatasetSplit, SplitInfo } from './types.js';

/**
 * Split expressions: a split name, an optional seeded shuffle and an optional Python-style slice,
 * `name[~seed][start:stop]`. Either bound may be omitted or negative (counted from the end). Unlike Python, a bound
 * outside the split or an empty selection is an error, so a typo never silently evaluates on zero or fewer images
 * than asked for.
 *
 * `name~S` is the split's rows in the order of a seeded permutation (Fisher-Yates with Rng(S).fork('split'), the same
 * on every machine), so `test~0[:8000]` and `test~0[8000:]` are complementary seeded random partitions of `test`:
 * the way to cut a dataset whose file order is not random (MNIST's writers change along its test split) into
 * training and held-out rows that are samples of one distribution.
 */
export interface SplitExpr {
  readonly name: string;
  /** Seed of the row permutation applied before slicing. */
  readonly shuffle?: number;
  readonly start?: number;
  readonly stop?: number;
}

const SPLIT_RE = /^([A-Za-z0-9_.-]+)(?:~(\d{1,10}))?(?:\[\s*(-?\d+)?\s*:\s*(-?\d+)?\s*\])?$/;

/**
 * Parses 'test', 'test[:8000]', 'train[100:200]', 'test[-2000:]', 'test~0[8000:]'; anything else is a USAGE error.
 *
 * @example
 * parseSplitExpr('test[8000:]');   // { name: 'test', start: 8000 }
 * parseSplitExpr('test~0[:8000]'); // { name: 'test', shuffle: 0, stop: 8000 }
 */
export function parseSplitExpr(expr: string): SplitExpr {
  const m = SPLIT_RE.exec(expr.trim());
  if (!m || (m[2] !== undefined && Number(m[2]) > 0xffffffff)) {
    throw new GenbenchError('USAGE', `split '${expr}': expected NAME, NAME[START:STOP] or NAME~SEED[START:STOP] such as test[:8000], train[-100:] or test~0[8000:]`);
  }
  return {
    name: m[1]!,
    ...(m[2] === undefined ? {} : { shuffle: Number(m[2]) }),
    ...(m[3] === undefined ? {} : { start: Number(m[3]) }),
    ...(m[4] === undefined ? {} : { stop: Number(m[4]) }),
  };
}

/**
 * The seeded permutation of `count` rows that `name~seed` denotes.
 *
 * @example
 * splitPermutation(5, 0); // Int32Array [3, 0, 4, 1, 2] (always the same for seed 0)
 */
export function splitPermutation(count: number, seed: number): Int32Array {
  const order = Int32Array.from({ length: count }, (_, i) => i);
  new Rng(seed).fork('split').shuffle(order);
  return order;
}

/**
 * The rows of the full split that an expression selects, in the expression's order.
 *
 * @example
 * splitRowIndices('test[8000:]', 10000).length; // 2000 (rows 8000..9999)
 * splitRowIndices('test~0[:8000]', 10000);      // 8000 distinct seeded random rows
 */
export function splitRowIndices(expr: string, count: number): Int32Array {
  const { shuffle, start, stop } = resolveSlice(expr, count);
  if (shuffle === undefined) return Int32Array.from({ length: stop - start }, (_, i) => start + i);
  return splitPermutation(count, shuffle).slice(start, stop);
}

/**
 * Resolves a parsed slice against a split of `count` images to absolute [start, stop), or throws USAGE naming the
 * expression when a bound lies outside the split or the selection is empty.
 *
 * @example
 * resolveSlice('test[-2000:]', 10000); // { name: 'test', start: 8000, stop: 10000 }
 */
export function resolveSlice(expr: string, count: number): { name: string; shuffle?: number; start: number; stop: number } {
  const e = parseSplitExpr(expr);
  const abs = (v: number | undefined, dflt: number, what: string): number => {
    if (v === undefined) return dflt;
    const a = v < 0 ? count + v : v;
    if (a < 0 || a > count) {
      throw new GenbenchError('USAGE', `split '${expr}': ${what} ${v} is outside split '${e.name}' of ${count} images`);
    }
    return a;
  };
  const start = abs(e.start, 0, 'start');
  const stop = abs(e.stop, count, 'stop');
  if (stop <= start) throw new GenbenchError('USAGE', `split '${expr}': selects no images (start ${start} >= stop ${stop})`);
  return { name: e.name, ...(e.shuffle === undefined ? {} : { shuffle: e.shuffle }), start, stop };
}

/**
 * The canonical text of a resolved selection: the bare name (with its shuffle) for a whole split, else
 * 'name[start:stop]' or 'name~seed[start:stop]'.
 *
 * @example
 * formatSplit('test', 8000, 10000, 10000);    // 'test[8000:10000]'
 * formatSplit('test', 0, 8000, 10000, 0);     // 'test~0[0:8000]'
 */
export function formatSplit(name: string, start: number, stop: number, count: number, shuffle?: number): string {
  const base = shuffle === undefined ? name : `${name}~${shuffle}`;
  return start === 0 && stop === count ? base : `${base}[${start}:${stop}]`;
}

/**
 * Finds the named split or throws USAGE listing the dataset's splits.
 *
 * @example
 * requireSplit('mnist', mnist.splits, 'test[:10]'); // { name: 'test', count: 10000 }
 */
export function requireSplit(dataset: string, splits: readonly SplitInfo[], expr: string): SplitInfo {
  const { name } = parseSplitExpr(expr);
  const info = splits.find((s) => s.name === name);
  if (!info) {
    throw new GenbenchError('USAGE', `split '${expr}': dataset '${dataset}' has no split '${name}'; its splits are ${splits.map((s) => s.name).join(', ')}`);
  }
  return info;
}

/**
 * Applies a split expression to a fully loaded split (images and labels are copied, sharing no memory).
 *
 * @example
 * sliceSplit(full, 'test[:8000]').images.n; // 8000
 */
export function sliceSplit(full: DatasetSplit, expr: string): DatasetSplit {
  const n = full.images.n;
  const { name, shuffle, start, stop } = resolveSlice(expr, n);
  const split = formatSplit(name, start, stop, n, shuffle);
  if (shuffle !== undefined) {
    const rows = splitRowIndices(expr, n);
    return {
      images: takeImageRows(full.images, rows),
      ...(full.labels === undefined ? {} : { labels: Int32Array.from(rows, (r) => full.labels![r]!) }),
      split,
      source: full.source,
    };
  }
  if (start === 0 && stop === n) return { ...full, split: name };
  return {
    images: sliceImages(full.images, start, stop),
    ...(full.labels === undefined ? {} : { labels: full.labels.slice(start, stop) }),
    split,
    source: full.source,
  };
}
