import { sliceSplit } from '../data/split-spec.js';
import type { DatasetSplit, SplitInfo } from '../data/types.js';
import { GenbenchError } from '../errors.js';
import { Rng } from '../rng.js';

/**
 * The sanity suite's seeds and row sets. Each run seed S (derived from the user's --seed) cuts the split into a
 * seeded random partition (split expression `split~S`, data/split-spec.ts) and takes three DISJOINT row sets:
 *
 * - reference: `split~S[0:r]`, the real images every metric compares against;
 * - generated: `split~S[r:r+n]`, held-out real images that play the generator's output and get corrupted;
 * - training:  `split~S[r+n:r+2n]`, the rows a "model" was trained on, which the memorisation corruption copies
 *   (only drawn when that corruption runs).
 *
 * Random rows, not the first and last rows of the split: a file order need not be random (MNIST's writers change
 * along its test split), and contiguous blocks would differ in distribution before any corruption.
 *
 * @example
 * sanitySeeds(0, 3);  // [2339197473, 3513066938, 783149785] (the same on every machine; a longer list extends it)
 * sanityRows(full, 1234, { reference: 256, generated: 256, training: 256 }).training.split; // 'test~1234[512:768]'
 * sanitySplit(pneumoniamnist.splits, 768); // 'train' (test has 624 images)
 */
export interface RowCounts {
  readonly reference: number;
  readonly generated: number;
  /** 0: no training rows. */
  readonly training: number;
}

export interface SanityRows {
  readonly seed: number;
  readonly reference: DatasetSplit;
  readonly generated: DatasetSplit;
  readonly training?: DatasetSplit;
}

/** `count` run seeds from `seed` (a forked stream of 32-bit integers, so `count + 1` seeds extend `count`). */
export function sanitySeeds(seed: number, count: number): number[] {
  if (!Number.isInteger(count) || count < 2) throw new GenbenchError('USAGE', `--seeds: must be an integer >= 2 (the interval comes from the spread across seeds), got ${count}`);
  const rng = new Rng(seed).fork('sanity-seeds');
  return Array.from({ length: count }, () => rng.uint32());
}

/** The three disjoint row sets of run seed `seed` from the fully loaded split `full` (named by a bare split name). */
export function sanityRows(full: DatasetSplit, seed: number, counts: RowCounts): SanityRows {
  const { reference: r, generated: n, training: t } = counts;
  if (r + n + t > full.images.n) {
    const what = t > 0 ? `--reference-n ${r} + 2 x --n ${n} (reference, generated and training rows)` : `--reference-n ${r} + --n ${n}`;
    throw new GenbenchError('USAGE', `split '${full.split}' has ${full.images.n} images, fewer than ${what}; lower them or pick a larger --split`);
  }
  const at = (from: number, to: number) => sliceSplit(full, `${full.split}~${seed}[${from}:${to}]`);
  return { seed, reference: at(0, r), generated: at(r, r + n), ...(t > 0 ? { training: at(r + n, r + n + t) } : {}) };
}

/** The default split: test when it holds `rows` images (or its size is unknown), else the largest split that does, else test (or the last split). */
export function sanitySplit(splits: readonly SplitInfo[], rows: number): string {
  const test = splits.find((s) => s.name === 'test');
  if (test !== undefined && (test.count === undefined || test.count >= rows)) return test.name;
  const big = splits.filter((s) => s.count !== undefined && s.count >= rows).sort((a, b) => b.count! - a.count!)[0];
  return (big ?? test ?? splits[splits.length - 1]!).name;
}
