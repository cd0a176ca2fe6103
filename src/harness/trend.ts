/**
 * How a metric moves as a corruption gets stronger: Spearman's rank correlation between strength and value
 * (average ranks for ties, then Pearson's r on the ranks), strict monotonicity in the expected direction, and a
 * verdict. The expected direction is "worse": up for a lower-is-better metric (FD, KID), down for a
 * higher-is-better one (IS, precision, recall, density, coverage).
 *
 * @example
 * spearman([0, 1, 2, 3], [1.0, 2.5, 2.4, 9.0]); // 0.8
 * metricTrend([0, 8, 24, 64], [3.1, 5.0, 11.2, 40.9], false);
 * // { values: [...], expected: 'increase', spearman: 1, monotonic: true, verdict: 'detects' }
 */
export interface MetricTrend {
  readonly values: readonly (number | null)[];
  readonly expected: 'increase' | 'decrease';
  /** null when it is undefined (a value missing, or all values equal). */
  readonly spearman: number | null;
  /** Every step moves strictly in the expected direction. */
  readonly monotonic: boolean;
  /** detects: rho in the expected direction >= 0.8; inverted: <= -0.8 (the metric improves); else insensitive. */
  readonly verdict: 'detects' | 'inverted' | 'insensitive';
}

/** |rho| at or above this counts as a clear trend (with 4 levels: at most one adjacent swap). */
export const TREND_THRESHOLD = 0.8;

export function spearman(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length || x.length < 2) throw new RangeError(`spearman needs two equal-length series of >= 2 values, got ${x.length} and ${y.length}`);
  return pearson(ranks(x), ranks(y));
}

export function metricTrend(strengths: readonly number[], values: readonly (number | null)[], higherIsBetter: boolean): MetricTrend {
  const expected = higherIsBetter ? 'decrease' : 'increase';
  const sign = higherIsBetter ? -1 : 1;
  const complete = values.every((v): v is number => v !== null && Number.isFinite(v));
  const rho = complete ? spearman(strengths, values as number[]) : null;
  const monotonic = complete && values.every((v, i) => i === 0 || sign * ((v as number) - (values[i - 1] as number)) > 0);
  const signed = rho === null ? 0 : sign * rho;
  const verdict = signed >= TREND_THRESHOLD - 1e-12 ? 'detects' : signed <= -TREND_THRESHOLD + 1e-12 ? 'inverted' : 'insensitive';
  return { values: [...values], expected, spearman: rho === null ? null : round(rho), monotonic, verdict };
}

/** 1-based ranks, ties sharing their average rank. */
export function ranks(v: readonly number[]): number[] {
  const order = v.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) r[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
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

function round(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}
