/**
 * Dice (Dice 1945; Sørensen 1948) of segmentation outputs against target label maps, for paired tasks whose targets
 * are labels (pixel value = label, 0 background). Per label k: Dice_k = 2 |O_k ∩ T_k| / (|O_k| + |T_k|), the pixel
 * counts pooled over all slices scored (the volume-level Dice of the slices, not a mean of per-slice values, which
 * would be undefined on every slice a region misses). The mean is over the labels present (k >= 1 with
 * |O_k| + |T_k| > 0) in the target or the output, so a region the output invents counts as 0 and one it misses
 * counts as 0, while a label absent from both is left out; the background is not a region and is left out.
 * Checked against: the definition computed directly (tests), as `2 * np.sum((o == k) & (t == k)) / (np.sum(o == k) +
 * np.sum(t == k))` per label.
 *
 * Pure functions over label arrays; the report entry and its slice bootstrap are in src/harness/translate-dice.ts.
 *
 * @example
 * diceScores({ output: { n: 1, size: 4, data: [0, 1, 1, 2] }, target: { n: 1, size: 4, data: [0, 1, 2, 2] } });
 * // { mean: 0.667, perLabel: Map { 1 => { dice: 0.667, output: 2, target: 1 }, 2 => { dice: 0.667, output: 1, target: 2 } } }
 */
export interface LabelMaps {
  /** Slices of `size` pixels each, one label (an integer) per pixel. */
  readonly n: number;
  readonly size: number;
  readonly data: ArrayLike<number>;
}

export interface LabelDice {
  readonly dice: number;
  /** Pixels of the label in the outputs and in the targets. */
  readonly output: number;
  readonly target: number;
}

export interface DiceScores {
  /** Mean Dice over the labels present in the target or the output (NaN when there is none). */
  readonly mean: number;
  /** Per label present, in ascending label order. */
  readonly perLabel: ReadonlyMap<number, LabelDice>;
}

/** Per-slice counts: for each slice, label -> [intersection, output pixels, target pixels]. */
export type SliceCounts = Map<number, [number, number, number]>[];

export function sliceCounts(output: LabelMaps, target: LabelMaps): SliceCounts {
  if (output.n !== target.n || output.size !== target.size) throw new RangeError(`label maps differ in shape: ${output.n}x${output.size} vs ${target.n}x${target.size}`);
  const out: SliceCounts = [];
  for (let s = 0; s < output.n; s++) {
    const m = new Map<number, [number, number, number]>();
    const at = (k: number) => m.get(k) ?? (m.set(k, [0, 0, 0]), m.get(k)!);
    for (let i = s * output.size, e = i + output.size; i < e; i++) {
      const o = output.data[i]!;
      const t = target.data[i]!;
      if (o !== 0) at(o)[1]++;
      if (t !== 0) at(t)[2]++;
      if (o === t && o !== 0) at(o)[0]++;
    }
    out.push(m);
  }
  return out;
}

/** Dice per label and their mean from the counts of the slices at `rows` (each row as often as it is drawn). */
export function fromCounts(counts: SliceCounts, rows: ArrayLike<number>): DiceScores {
  const pooled = new Map<number, [number, number, number]>();
  for (let r = 0; r < rows.length; r++) {
    for (const [k, c] of counts[rows[r]!]!) {
      const p = pooled.get(k) ?? (pooled.set(k, [0, 0, 0]), pooled.get(k)!);
      p[0] += c[0];
      p[1] += c[1];
      p[2] += c[2];
    }
  }
  const perLabel = new Map<number, LabelDice>();
  let sum = 0;
  for (const k of [...pooled.keys()].sort((a, b) => a - b)) {
    const [inter, o, t] = pooled.get(k)!;
    const dice = (2 * inter) / (o + t);
    perLabel.set(k, { dice, output: o, target: t });
    sum += dice;
  }
  return { mean: perLabel.size === 0 ? NaN : sum / perLabel.size, perLabel };
}

/** Dice per label (pixel counts pooled over the slices) and the mean over labels present in the target or output. */
export function diceScores(maps: { readonly output: LabelMaps; readonly target: LabelMaps }): DiceScores {
  const counts = sliceCounts(maps.output, maps.target);
  return fromCounts(counts, Array.from({ length: counts.length }, (_, i) => i));
}
