/**
 * The cautions an evaluation report carries: conditions under which its numbers mislead. Pure: facts in, sentences
 * out (each says what is wrong and what to do).
 *
 * @example
 * sampleWarnings({ nGenerated: 500, nReference: 500, referenceAvailable: 2000, featureDim: 768, ... });
 * // ['the covariance of the 768 features is rank-deficient (rank 499 < 768, n = 500): ...', ...]
 */
export interface WarningFacts {
  readonly nGenerated: number;
  readonly nReference: number;
  /** Images in the reference split before it was cut to nReference. */
  readonly referenceAvailable: number;
  /** Size of the features layer (FD/KID/PRDC). */
  readonly featureDim: number;
  /** The FD and FD∞ entries of the report, when computed. */
  readonly fd?: FdFacts | undefined;
  readonly fdInf?: FdFacts | undefined;
  readonly metrics: readonly string[];
  /** 'none' (unconditional), 'reference' (labels taken from the reference), 'balanced' (i % classes). */
  readonly labels: 'none' | 'reference' | 'balanced';
  readonly generatedShape: { readonly height: number; readonly width: number; readonly channels: number };
  readonly referenceShape: { readonly height: number; readonly width: number; readonly channels: number };
  /** What the advice tells the user to raise for more samples (default '--n'). */
  readonly nName?: string;
}

/**
 * FD's finite-sample bias: FD(n) - FD∞ (Chong & Forsyth 2020) is about c / n, with c growing with the feature
 * dimension. A warning is given when the covariance is rank-deficient (n <= d: FD then measures only the span of
 * the samples), and when FD∞ lies outside FD's interval, i.e. the bias is larger than the noise.
 */
export interface FdFacts {
  readonly value: number | null;
  readonly ci95?: readonly [number, number];
  readonly [extra: string]: unknown;
}

export function sampleWarnings(f: WarningFacts): string[] {
  const w: string[] = [];
  const fdLike = f.metrics.some((m) => m === 'fd' || m === 'fd_inf' || m === 'disc');
  const ranks = f.fd?.['ranks'] as { generated?: number; reference?: number } | undefined;
  const rank = Math.min(ranks?.generated ?? Infinity, ranks?.reference ?? Infinity);
  if (fdLike && (Math.min(f.nGenerated, f.nReference) <= f.featureDim || rank < f.featureDim)) {
    const r = Number.isFinite(rank) ? rank : Math.min(f.nGenerated, f.nReference) - 1;
    w.push(`the covariance of the ${f.featureDim} features is rank-deficient (rank ${r} < ${f.featureDim}, n = ${Math.min(f.nGenerated, f.nReference)}): FD compares only the span of the samples and falls steeply as n grows; raise ${f.nName ?? '--n'} above ${f.featureDim} or compare only runs with the same n`);
  }
  const fd = f.fd?.value;
  const inf = f.fdInf?.value;
  if (fd !== undefined && fd !== null && inf !== undefined && inf !== null && f.fd?.ci95 !== undefined && (inf < f.fd.ci95[0] || inf > f.fd.ci95[1])) {
    w.push(`FD at n = ${Math.min(f.nGenerated, f.nReference)} is ${fd.toPrecision(4)} but FD extrapolated to infinite n is ${inf.toPrecision(4)}: the finite-sample bias (${f.featureDim} features) exceeds FD's interval; compare FD only between runs with the same n, or compare fd_inf`);
  }
  if (f.nGenerated > f.referenceAvailable) {
    w.push(`n = ${f.nGenerated} generated samples but the reference split has only ${f.referenceAvailable} images; metrics compare sets of different sizes (pick a larger --split or a smaller --n)`);
  }
  if (f.labels === 'balanced') {
    w.push('conditional model sampled with balanced labels (i % classes) because the reference split has no usable labels; class frequencies may differ from the reference');
  }
  const g = f.generatedShape;
  const r = f.referenceShape;
  if (g.height !== r.height || g.width !== r.width || g.channels !== r.channels) {
    w.push(`generated images are ${g.height}x${g.width}x${g.channels} but reference images are ${r.height}x${r.width}x${r.channels}; the extractor resizes both, but check that the model matches the dataset`);
  }
  return w;
}

/**
 * Metrics whose point value lies outside its own bootstrap interval. Re-centred intervals (FD, KID, IS, disc) contain
 * it by construction; an interval from per-sample contributions (precision, recall, density, coverage) can miss it
 * only when the resampled means are strongly skewed (few samples, heavy-tailed terms), which the user should know.
 *
 * @example
 * intervalWarnings({ fd: { value: 1361, ci95: [1532, 1637] } }); // ['fd: the value 1361 lies outside its ci95 ...']
 */
export function intervalWarnings(metrics: Readonly<Record<string, { value: number | null; ci95?: readonly [number, number] }>>): string[] {
  const w: string[] = [];
  for (const [id, m] of Object.entries(metrics)) {
    if (m.value === null || m.ci95 === undefined) continue;
    if (m.value < m.ci95[0] || m.value > m.ci95[1]) {
      w.push(`${id}: the value ${m.value.toPrecision(6)} lies outside its ci95 [${m.ci95[0].toPrecision(6)}, ${m.ci95[1].toPrecision(6)}]: the bootstrap distribution is strongly skewed at this n; read the interval as spread, not location`);
    }
  }
  return w;
}
