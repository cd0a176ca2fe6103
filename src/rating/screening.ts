import { quantileSorted } from '../stats/quantile.js';
import { isCorrect, type Answer, type Protocol, type ScreeningParams, type TrialKind } from './protocol.js';

/**
 * Screening of raters on their scored trials. After qualification every real/fake trial is still a known-truth
 * trial (the server knows which images are real) and gets no feedback, so a rater is judged on all of them:
 *
 * - too fast: the median time from the image to the answer, on the server's clock (issue to vote, less the page's
 *   countdown, exposure and masks for HYPE-time), is under `humanFloorMs`;
 * - one-sided: 'real' (or 'fake') to more than `oneSided` of a 50/50 mix;
 * - inverted: more errors than chance allows, P(X >= errors | n, 1/2) < alpha;
 * - too accurate: on one model and protocol, fewer errors than people allow, P(X <= errors | n, p/2) < alpha,
 *   where p is the pooled error rate of at least `minCrowd` other raters there who pass the rules above (a rater may
 *   be twice as good as the crowd, not more). Where the crowd itself makes almost no errors, this rule cannot tell a
 *   script from a careful person, and the per-rater cap on counted trials bounds what one rater moves.
 *
 * Each rule looks at a rater only after `minTrials` trials (of the rater, or of the rater on that model).
 */

/** One scored real/fake trial as screening sees it. */
export interface ScreenedTrial {
  readonly raterId: string;
  readonly modelId: string;
  readonly protocol: Protocol;
  readonly kind: TrialKind;
  readonly answer: Answer;
  /** Server-clock time from the image to the answer (ms). */
  readonly responseMs: number;
}

/**
 * The flag reason of every rater that fails a rule (raters that pass are absent).
 *
 * @example
 * screenRaters(trials, DEFAULT_RATING_CONFIG.screening).get(botId); // 'too fast: median answer 40 ms after the image (server clock; people need 350 ms)'
 */
export function screenRaters(trials: readonly ScreenedTrial[], p: ScreeningParams): Map<string, string> {
  const rated = trials.filter((t) => t.kind === 'real' || t.kind === 'fake');
  const byRater = groupBy(rated, (t) => t.raterId);
  const flags = new Map<string, string>();
  for (const [rater, ts] of byRater) {
    const reason = ownRule(ts, p);
    if (reason !== null) flags.set(rater, reason);
  }
  for (const [, ts] of groupBy(rated, (t) => `${t.protocol}\u0000${t.modelId}`)) {
    const tallies = [...groupBy(ts, (t) => t.raterId)].map(([raterId, mine]) => ({ raterId, n: mine.length, errors: errorsOf(mine) }));
    const eligible = tallies.filter((t) => t.n >= p.minTrials && !flags.has(t.raterId));
    for (const me of eligible) {
      const crowd = eligible.filter((t) => t.raterId !== me.raterId);
      if (crowd.length < p.minCrowd) continue;
      const rate = crowd.reduce((a, t) => a + t.errors, 0) / crowd.reduce((a, t) => a + t.n, 0);
      if (rate <= 0) continue;
      const tail = binomialCdf(me.errors, me.n, rate / 2);
      if (tail < p.alpha) {
        const t0 = ts[0]!;
        flags.set(me.raterId, `too accurate: wrong on ${me.errors} of ${me.n} ${t0.protocol} trials of model ${t0.modelId} where ${crowd.length} other raters are wrong on ${pct(rate)} (p = ${tail.toExponential(1)})`);
      }
    }
  }
  return flags;
}

function ownRule(ts: readonly ScreenedTrial[], p: ScreeningParams): string | null {
  if (ts.length < p.minTrials) return null;
  const median = quantileSorted(Float64Array.from(ts, (t) => t.responseMs).sort(), 0.5);
  if (median < p.humanFloorMs) return `too fast: median answer ${Math.round(median)} ms after the image (server clock; people need ${p.humanFloorMs} ms)`;
  const saysReal = ts.filter((t) => t.answer === 'real').length / ts.length;
  if (saysReal > p.oneSided || saysReal < 1 - p.oneSided) return `one-sided: answered 'real' to ${pct(saysReal)} of ${ts.length} half-real trials`;
  const errors = errorsOf(ts);
  const tail = 1 - binomialCdf(errors - 1, ts.length, 0.5);
  if (tail < p.alpha) return `inverted: wrong on ${errors} of ${ts.length} known-truth trials (p = ${tail.toExponential(1)})`;
  return null;
}

/**
 * P(X <= k) for X ~ Binomial(n, q), summed in log space (exact; no normal approximation).
 *
 * @example
 * binomialCdf(0, 10, 0.5); // 0.0009765625
 */
export function binomialCdf(k: number, n: number, q: number): number {
  if (k < 0) return 0;
  if (k >= n || q <= 0) return 1;
  if (q >= 1) return 0;
  const lq = Math.log(q);
  const l1q = Math.log1p(-q);
  let logPmf = n * l1q; // j = 0
  let logSum = logPmf;
  for (let j = 0; j < k; j++) {
    logPmf += Math.log((n - j) / (j + 1)) + lq - l1q;
    const hi = Math.max(logSum, logPmf);
    logSum = hi + Math.log(Math.exp(logSum - hi) + Math.exp(logPmf - hi));
  }
  return Math.min(1, Math.exp(logSum));
}

function errorsOf(ts: readonly ScreenedTrial[]): number {
  return ts.filter((t) => !isCorrect(t.kind, t.answer)).length;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const k = key(t);
    const list = m.get(k);
    if (list === undefined) m.set(k, [t]);
    else list.push(t);
  }
  return m;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(0)}%`;
}
