/**
 * Ranks with ties and Spearman's rank correlation: average ranks (ties share the mean of their ranks, as
 * scipy.stats.rankdata), rho = Pearson's r of the two rank vectors (scipy.stats.spearmanr). One null rule: rho is
 * null below 3 pairs (two points always give +-1, which says nothing) and when either series is constant (no rank
 * order to correlate).
 *
 * @example
 * ranks([10, 20, 10, 30]);                   // [1.5, 3, 1.5, 4]
 * spearman([0, 1, 2, 3], [1, 2.5, 2.4, 9]);  // 0.8
 * spearman([1, 2], [1, 2]);                  // null
 */
export function ranks(v: ArrayLike<number>): number[] {
  const order = Array.from(v, (x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's rho of paired samples (see the module comment for when it is null). */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new RangeError(`spearman needs two equal-length series, got ${x.length} and ${y.length}`);
  return x.length < 3 ? null : pearson(ranks(x), ranks(y));
}

function pearson(a: readonly number[], b: readonly number[]): number | null {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? null : sab / Math.sqrt(saa * sbb);
}
