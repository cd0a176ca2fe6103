import type { Rng } from '../rng.js';
import type { Phase, RatingConfig, TrialKind } from './protocol.js';
import { qualificationNeeds } from './qualification.js';

/**
 * Which trial comes next: vigilance at `vigilanceRate`, otherwise real or fake kept at 50/50 (exactly half and
 * half over a qualification round, never more than one apart in the scored phase), and an image the rater has not
 * seen.
 */

/** Kinds already shown to the rater in the current phase (and, for the scored phase, on the current model). */
export interface ShownCounts {
  readonly real: number;
  readonly fake: number;
}

/**
 * The kind of the next trial.
 *
 * @example
 * nextKind({ phase: 'scored', shown: { real: 4, fake: 3 }, cfg, rng }); // 'fake', or 'vigilance' one time in ten
 */
export function nextKind(a: { phase: Phase; shown: ShownCounts; cfg: RatingConfig; rng: Rng }): TrialKind {
  if (a.rng.float() < a.cfg.vigilanceRate) return 'vigilance';
  if (a.phase === 'qualification') {
    const need = qualificationNeeds(a.shown, a.cfg);
    if (need !== undefined) return need;
  } else if (a.shown.real !== a.shown.fake) {
    return a.shown.real < a.shown.fake ? 'real' : 'fake';
  }
  return a.rng.int(2) === 0 ? 'real' : 'fake';
}

/**
 * A uniformly drawn index in [0, poolSize) that is not in `seen`, or undefined when the rater has seen them all.
 * Draws at random first and falls back to a scan of the free indices when the pool is nearly used up.
 *
 * @example
 * pickUnseen(3, new Set([0, 2]), rng); // 1
 */
export function pickUnseen(poolSize: number, seen: ReadonlySet<number>, rng: Rng): number | undefined {
  if (poolSize <= 0) return undefined;
  for (let tries = 0; tries < 16; tries++) {
    const i = rng.int(poolSize);
    if (!seen.has(i)) return i;
  }
  const free: number[] = [];
  for (let i = 0; i < poolSize; i++) if (!seen.has(i)) free.push(i);
  return free.length === 0 ? undefined : free[rng.int(free.length)];
}

/** The key that names an image across trials (never sent to the browser). */
export type ImageRef =
  | { readonly kind: 'real'; readonly dataset: string; readonly index: number }
  | { readonly kind: 'fake'; readonly modelId: string; readonly seed: number; readonly index: number }
  | { readonly kind: 'vigilance'; readonly index: number };

/**
 * Image key of a reference ('real:mnist:8123', 'fake:<model>:<seed>:17', 'vig:3').
 *
 * @example
 * imageKey({ kind: 'fake', modelId: 'm1', seed: 0, index: 17 }); // 'fake:m1:0:17'
 */
export function imageKey(r: ImageRef): string {
  if (r.kind === 'real') return `real:${r.dataset}:${r.index}`;
  if (r.kind === 'fake') return `fake:${r.modelId}:${r.seed}:${r.index}`;
  return `vig:${r.index}`;
}

/**
 * The reference named by an image key (inverse of imageKey).
 *
 * @example
 * parseImageKey('real:mnist:8123'); // { kind: 'real', dataset: 'mnist', index: 8123 }
 */
export function parseImageKey(key: string): ImageRef {
  const parts = key.split(':');
  const last = Number(parts[parts.length - 1]);
  if (!Number.isInteger(last) || last < 0) throw new RangeError(`bad image key '${key}'`);
  if (parts[0] === 'real' && parts.length === 3) return { kind: 'real', dataset: parts[1]!, index: last };
  if (parts[0] === 'vig' && parts.length === 2) return { kind: 'vigilance', index: last };
  if (parts[0] === 'fake' && parts.length >= 4) {
    return { kind: 'fake', modelId: parts.slice(1, -2).join(':'), seed: Number(parts[parts.length - 2]), index: last };
  }
  throw new RangeError(`bad image key '${key}'`);
}
