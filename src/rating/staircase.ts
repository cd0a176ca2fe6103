import type { StaircaseParams } from './protocol.js';

/**
 * The HYPE-time exposure staircase: a transformed 3-down / 1-up staircase with unequal steps (Zhou et al. 2019).
 * Three correct answers in a row shorten the exposure by `downMs`, one error lengthens it by `upMs`, clamped to
 * [minMs, maxMs]. With HYPE's steps (-30 / +10) the expected drift is zero where p^3 * 30 = (1 - p^3) * 10, i.e. at an
 * accuracy p = 0.25^(1/3) ~ 0.63: the staircase hovers around the exposure at which a rater is right 63% of the time.
 */

/** Where a rater's staircase stands. */
export interface StaircaseState {
  /** Exposure of the next trial, ms. */
  readonly exposureMs: number;
  /** Correct answers in a row since the last step. */
  readonly streak: number;
}

/**
 * The first state of a staircase.
 *
 * @example
 * startStaircase(DEFAULT_STAIRCASE); // { exposureMs: 500, streak: 0 }
 */
export function startStaircase(p: StaircaseParams): StaircaseState {
  return { exposureMs: clamp(p.startMs, p), streak: 0 };
}

/**
 * The state after one answered trial.
 *
 * @example
 * let s = startStaircase(DEFAULT_STAIRCASE);
 * s = stepStaircase(s, true, DEFAULT_STAIRCASE);  // { exposureMs: 500, streak: 1 }
 * s = stepStaircase(s, true, DEFAULT_STAIRCASE);  // { exposureMs: 500, streak: 2 }
 * s = stepStaircase(s, true, DEFAULT_STAIRCASE);  // { exposureMs: 470, streak: 0 }
 * s = stepStaircase(s, false, DEFAULT_STAIRCASE); // { exposureMs: 480, streak: 0 }
 */
export function stepStaircase(s: StaircaseState, correct: boolean, p: StaircaseParams): StaircaseState {
  if (!correct) return { exposureMs: clamp(s.exposureMs + p.upMs, p), streak: 0 };
  const streak = s.streak + 1;
  if (streak < p.correctToShorten) return { exposureMs: s.exposureMs, streak };
  return { exposureMs: clamp(s.exposureMs - p.downMs, p), streak: 0 };
}

/**
 * The mode of the exposures of one block of trials; ties are broken by averaging the tied exposures.
 *
 * @example
 * modalExposure([500, 470, 470, 480]); // 470
 * modalExposure([500, 470]);           // 485
 */
export function modalExposure(exposures: readonly number[]): number {
  if (exposures.length === 0) throw new RangeError('modalExposure of no trials');
  const counts = new Map<number, number>();
  for (const e of exposures) counts.set(e, (counts.get(e) ?? 0) + 1);
  const top = Math.max(...counts.values());
  const modes = [...counts].filter(([, c]) => c === top).map(([e]) => e);
  return modes.reduce((a, b) => a + b, 0) / modes.length;
}

/**
 * HYPE-time score of one rater: the exposures of their valid trials (in order) cut into blocks of `blockSize`,
 * the modal exposure of each block, averaged. A last partial block counts when it holds at least half a block (or
 * when it is the only block).
 *
 * @example
 * convergedExposure([500, 500, 500, 470, 470, 470, 440], 150); // 485 (one block; 500 and 470 tie)
 */
export function convergedExposure(exposures: readonly number[], blockSize: number): number {
  if (exposures.length === 0) throw new RangeError('convergedExposure of no trials');
  const modes: number[] = [];
  for (let start = 0; start < exposures.length; start += blockSize) {
    const block = exposures.slice(start, start + blockSize);
    if (start > 0 && block.length * 2 < blockSize) break;
    modes.push(modalExposure(block));
  }
  return modes.reduce((a, b) => a + b, 0) / modes.length;
}

/**
 * The staircase state after a sequence of answers from the start (how the server rebuilds a rater's state).
 *
 * @example
 * replayStaircase([true, true, true], DEFAULT_STAIRCASE); // { exposureMs: 470, streak: 0 }
 */
export function replayStaircase(answers: readonly boolean[], p: StaircaseParams): StaircaseState {
  return answers.reduce((s, c) => stepStaircase(s, c, p), startStaircase(p));
}

function clamp(ms: number, p: StaircaseParams): number {
  return Math.min(p.maxMs, Math.max(p.minMs, ms));
}
