import { GenbenchError } from '../errors.js';
import { sliceImages } from '../io/image.js';
import type { DatasetSplit, SplitInfo } from './types.js';

/**
 * Split expressions: a split name with an optional Python-style slice, `name[start:stop]`. Either bound may be
 * omitted or negative (counted from the end). Unlike Python, a bound outside the split or an empty selection is an
 * error, so a typo never silently evaluates on zero or fewer images than asked for.
 */
export interface SplitExpr {
  readonly name: string;
  readonly start?: number;
  readonly stop?: number;
}

const SPLIT_RE = /^([A-Za-z0-9_.-]+)(?:\[\s*(-?\d+)?\s*:\s*(-?\d+)?\s*\])?$/;

/**
 * Parses 'test', 'test[:8000]', 'train[100:200]', 'test[-2000:]'; anything else is a USAGE error.
 *
 * @example
 * parseSplitExpr('test[8000:]'); // { name: 'test', start: 8000 }
 */
export function parseSplitExpr(expr: string): SplitExpr {
  const m = SPLIT_RE.exec(expr.trim());
  if (!m) {
    throw new GenbenchError('USAGE', `split '${expr}': expected NAME or NAME[START:STOP] such as test[:8000] or train[-100:]`);
  }
  return {
    name: m[1]!,
    ...(m[2] === undefined ? {} : { start: Number(m[2]) }),
    ...(m[3] === undefined ? {} : { stop: Number(m[3]) }),
  };
}

/**
 * Resolves a parsed slice against a split of `count` images to absolute [start, stop), or throws USAGE naming the
 * expression when a bound lies outside the split or the selection is empty.
 *
 * @example
 * resolveSlice('test[-2000:]', 10000); // { name: 'test', start: 8000, stop: 10000 }
 */
export function resolveSlice(expr: string, count: number): { name: string; start: number; stop: number } {
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
  return { name: e.name, start, stop };
}

/**
 * The canonical text of a resolved selection: the bare name for a whole split, else 'name[start:stop]'.
 *
 * @example
 * formatSplit('test', 8000, 10000, 10000); // 'test[8000:10000]'
 */
export function formatSplit(name: string, start: number, stop: number, count: number): string {
  return start === 0 && stop === count ? name : `${name}[${start}:${stop}]`;
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
  const { name, start, stop } = resolveSlice(expr, n);
  if (start === 0 && stop === n) return { ...full, split: name };
  return {
    images: sliceImages(full.images, start, stop),
    ...(full.labels === undefined ? {} : { labels: full.labels.slice(start, stop) }),
    split: formatSplit(name, start, stop, n),
    source: full.source,
  };
}
