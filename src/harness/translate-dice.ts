import { recentredBootstrap } from '../../metrics/bootstrap.js';
import { fromCounts, sliceCounts, type LabelMaps } from '../../metrics/dice.js';
import type { PairedDataset } from '../data/paired.js';
import { GenbenchError } from '../errors.js';
import type { Progress } from '../progress.js';
import type { MetricEntryValue } from './run-metrics.js';

/**
 * The report's Dice of segmentation outputs (metrics/dice.ts: per label, the pixel counts pooled over the slices,
 * and their mean over the labels present in the target or the output), with its interval: slices resampled with
 * replacement (the pair bootstrap of the pixel metrics: 200 resamples, seeded, percentile re-centred on the point
 * estimate), the pooled counts and the mean over the labels present recomputed on each resample.
 *
 * @example
 * const e = await diceEntry({ output, target }, 116, { resamples: 200, seed: 0 });
 * // { value: 0.181, ci95: [0.166, 0.192], labels: 116, labelsPresent: 116, perLabel: { '1': { dice: 0.41, output: 80, target: 95 }, ... } }
 */
export { diceScores, type DiceScores, type LabelDice, type LabelMaps } from '../../metrics/dice.js';

/**
 * The report's `dice` entry: the mean with the slice bootstrap's 95% interval (when `resamples` > 0), and
 * `perLabel` ({ label: { dice, output, target } }), `labelsPresent` and `labels` (the task's label count).
 */
export async function diceEntry(
  maps: { readonly output: LabelMaps; readonly target: LabelMaps },
  labels: number,
  o: { resamples: number; seed: number; progress?: Progress },
): Promise<MetricEntryValue> {
  const counts = sliceCounts(maps.output, maps.target);
  const point = fromCounts(counts, Array.from({ length: counts.length }, (_, i) => i));
  const perLabel = Object.fromEntries([...point.perLabel].map(([k, v]) => [String(k), { dice: v.dice, output: v.output, target: v.target }]));
  const entry: MetricEntryValue = { value: Number.isFinite(point.mean) ? point.mean : null, labels, labelsPresent: point.perLabel.size, perLabel };
  if (o.resamples === 0 || !Number.isFinite(point.mean)) return entry;
  const ci = await recentredBootstrap(
    [counts.length],
    async ([rows]) => {
      const m = fromCounts(counts, rows!).mean;
      return Number.isFinite(m) ? { dice: m } : {};
    },
    { dice: point.mean },
    { resamples: o.resamples, seed: o.seed, ...(o.progress ? { progress: o.progress } : {}) },
  );
  return ci['dice'] === undefined ? entry : { ...entry, ci95: ci['dice'].ci, bootstrapBias: ci['dice'].bias };
}

/**
 * Paired data whose targets are label maps (`--pairs P.npz --labels N`): each loaded split is checked (every target
 * value an integer 0..N, else an INPUT error naming the file) and marked as segmentation, so it is scored by Dice.
 *
 * @example
 * asLabelPairs(await openPairs('seg.npz'), 3); // targets with labels 0..3
 */
export function asLabelPairs(ds: PairedDataset, labels: number): PairedDataset {
  return {
    ...ds,
    async load(split, opts) {
      const s = await ds.load(split, opts);
      const t = s.target.data;
      if (!(t instanceof Uint8Array)) throw new GenbenchError('INPUT', `${ds.name}: --labels needs uint8 label maps as targets, got float values; store the labels as uint8`);
      for (let i = 0; i < t.length; i++) {
        const v = t[i]!;
        if (!(v >= 0 && v <= labels && v === Math.floor(v))) {
          throw new GenbenchError('INPUT', `${ds.name}: target value ${v} at flat index ${i} is not a label 0..${labels} (--labels ${labels}); label maps hold integer labels, 0 background`);
        }
      }
      return { ...s, segmentation: { labels } };
    },
  };
}
