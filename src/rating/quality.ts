import { normalQuantile } from '../stats/normal.js';
import { quantileSorted } from '../stats/quantile.js';
import type { Answer, TrialKind } from './protocol.js';
import { isCorrect } from './protocol.js';

/**
 * Rater quality statistics (as Stein et al. 2023 report per participant): accuracy on real and on fake images,
 * response bias, signal-detection sensitivity d' and criterion c, response times, vigilance record.
 */

/** One answered trial of a rater. */
export interface QualityTrial {
  readonly kind: TrialKind;
  readonly answer: Answer;
  /** Milliseconds from the answer buttons' appearance to the answer, when measured. */
  readonly responseMs?: number | null;
}

/** Quality statistics of one rater. */
export interface RaterQuality {
  readonly votes: number;
  readonly accuracy: number | null;
  readonly realAccuracy: number | null;
  readonly fakeAccuracy: number | null;
  /** Fraction of real + fake images answered "real" (0.5 = no bias). */
  readonly saysReal: number | null;
  /** Sensitivity d' = z(hit) - z(false alarm), "real" as the signal, log-linear correction (Hautus 1995). */
  readonly dPrime: number | null;
  /** Criterion c = -(z(hit) + z(false alarm)) / 2; positive means a bias towards answering "fake". */
  readonly criterion: number | null;
  readonly medianResponseMs: number | null;
  readonly vigilance: { readonly answered: number; readonly missed: number };
}

/**
 * Quality statistics from a rater's answered trials.
 *
 * @example
 * raterQuality([{ kind: 'real', answer: 'real' }, { kind: 'fake', answer: 'real' }]);
 * // { votes: 2, accuracy: 0.5, realAccuracy: 1, fakeAccuracy: 0, saysReal: 1, dPrime: 0, criterion: -0.674..., ... }
 */
export function raterQuality(trials: readonly QualityTrial[]): RaterQuality {
  const real = trials.filter((t) => t.kind === 'real');
  const fake = trials.filter((t) => t.kind === 'fake');
  const vig = trials.filter((t) => t.kind === 'vigilance');
  const rf = [...real, ...fake];
  const rate = (ts: readonly QualityTrial[], f: (t: QualityTrial) => boolean): number | null =>
    ts.length === 0 ? null : ts.filter(f).length / ts.length;
  const hits = real.filter((t) => t.answer === 'real').length;
  const falseAlarms = fake.filter((t) => t.answer === 'real').length;
  const sdt = real.length > 0 && fake.length > 0 ? signalDetection(hits, real.length, falseAlarms, fake.length) : null;
  const times = rf.map((t) => t.responseMs).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return {
    votes: rf.length,
    accuracy: rate(rf, (t) => isCorrect(t.kind, t.answer)),
    realAccuracy: rate(real, (t) => t.answer === 'real'),
    fakeAccuracy: rate(fake, (t) => t.answer === 'fake'),
    saysReal: rate(rf, (t) => t.answer === 'real'),
    dPrime: sdt?.dPrime ?? null,
    criterion: sdt?.criterion ?? null,
    medianResponseMs: times.length === 0 ? null : quantileSorted(Float64Array.from(times).sort(), 0.5),
    vigilance: { answered: vig.length, missed: vig.filter((t) => t.answer === 'real').length },
  };
}

/**
 * d' and c with the log-linear correction: rates (k + 0.5) / (n + 1), so that 0% and 100% stay finite; z is the
 * normal quantile (src/stats/normal.ts).
 *
 * @example
 * signalDetection(10, 10, 0, 10); // { dPrime: 3.381..., criterion: ~0 }
 */
export function signalDetection(hits: number, signals: number, falseAlarms: number, noise: number): { dPrime: number; criterion: number } {
  const zh = normalQuantile((hits + 0.5) / (signals + 1));
  const zf = normalQuantile((falseAlarms + 0.5) / (noise + 1));
  return { dPrime: zh - zf, criterion: -(zh + zf) / 2 };
}
