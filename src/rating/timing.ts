import { presentationMs, type Protocol, type RatingLimits } from './protocol.js';

/**
 * Timing rules of a vote. The server checks its own clock (issue -> vote) and rejects votes that come too fast for
 * a human to have seen the image or too late to belong to the session's flow. HYPE-time trials also carry the
 * browser's requestAnimationFrame measurements: a trial with a missed frame, a hidden tab or an exposure off target
 * is kept in the log but dropped from the staircase and the scores. What the browser claims is checked against the
 * server's clock: a HYPE-time vote must come after the page's countdown, the exposure and the masks, and a trial
 * whose claimed durations do not fit in the server's issue -> vote interval is dropped ('clock-mismatch').
 */

/** What the browser measured for a trial (requestAnimationFrame timestamps, ms). */
export interface TrialTiming {
  /** rAF timestamp of the frame that showed the image and of the frame that replaced it by the mask. */
  readonly shownAt?: number | undefined;
  readonly hiddenAt?: number | undefined;
  /** Measured exposure (hiddenAt - shownAt). */
  readonly exposureMs?: number | undefined;
  /** Frame interval estimated before the trial (median rAF delta). */
  readonly frameMs?: number | undefined;
  /** Frames during the exposure and mask whose interval exceeded 1.5 frame intervals. */
  readonly missedFrames?: number | undefined;
  /** The tab was hidden (visibilitychange) at some point between the countdown and the answer. */
  readonly hidden?: boolean | undefined;
  /** ms from the answer buttons' appearance to the answer. */
  readonly responseMs?: number | undefined;
}

/** The server's verdict on a vote's timing. */
export type TimingVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: 'too-fast' | 'too-late'; readonly message: string };

/**
 * Checks the server-side interval between a trial's issue and its vote. A HYPE-time vote must also leave time for
 * the countdown, the exposure and the masks (TIME_PRESENTATION), whichever is longer.
 *
 * @example
 * checkVoteTiming({ protocol: 'inf', elapsedMs: 40, limits }); // { ok: false, reason: 'too-fast', message: '...' }
 */
export function checkVoteTiming(a: { protocol: Protocol; elapsedMs: number; targetExposureMs?: number | null; limits: RatingLimits }): TimingVerdict {
  const exposure = a.targetExposureMs ?? 0;
  const min = a.protocol === 'time' ? Math.max(a.limits.minVoteMs + exposure, presentationMs() + exposure) : a.limits.minVoteMs;
  if (a.elapsedMs < min) {
    return { ok: false, reason: 'too-fast', message: `vote came ${Math.round(a.elapsedMs)} ms after the trial was issued; look at the image first (at least ${min} ms)` };
  }
  const max = a.protocol === 'time' ? a.limits.maxVoteMsTime : a.limits.maxVoteMsInf;
  if (a.elapsedMs > max) {
    return { ok: false, reason: 'too-late', message: `vote came ${Math.round(a.elapsedMs / 1000)} s after the trial was issued (limit ${max / 1000} s); ask for a new trial` };
  }
  return { ok: true };
}

/**
 * Why a HYPE-time trial is dropped from the staircase and the scores, or null when its timing is valid.
 *
 * @example
 * timingDropReason({ exposureMs: 500, missedFrames: 0, hidden: false, frameMs: 16.7 }, 500, 20); // null
 * timingDropReason({ exposureMs: 500, missedFrames: 1, hidden: false }, 500, 20);                 // 'missed-frame'
 */
export function timingDropReason(t: TrialTiming | undefined, targetMs: number, toleranceMs: number): string | null {
  if (t === undefined || t.exposureMs === undefined || !Number.isFinite(t.exposureMs)) return 'no-timing';
  if (t.hidden === true) return 'hidden-tab';
  if ((t.missedFrames ?? 0) > 0) return 'missed-frame';
  const frame = t.frameMs !== undefined && Number.isFinite(t.frameMs) ? t.frameMs : 0;
  if (Math.abs(t.exposureMs - targetMs) > Math.max(toleranceMs, frame)) return 'exposure-off-target';
  return null;
}

/**
 * 'clock-mismatch' when what the browser claims to have spent on a HYPE-time trial (countdown and masks, the
 * measured exposure, the response time) is longer than the server's issue -> vote interval plus `slackMs`; null
 * when it fits.
 *
 * @example
 * clockDropReason({ exposureMs: 500, responseMs: 9000 }, 2600, 100); // 'clock-mismatch' (1620 + 500 + 9000 > 2700)
 */
export function clockDropReason(t: TrialTiming | undefined, elapsedMs: number, slackMs: number): string | null {
  const claimed = presentationMs() + (t?.exposureMs ?? 0) + (t?.responseMs ?? 0);
  return claimed > elapsedMs + slackMs ? 'clock-mismatch' : null;
}

/**
 * The response time to store: the browser's claim, clipped to what the server's clock allows (the issue -> vote
 * interval less the presentation of a HYPE-time trial); undefined when the browser sent none.
 *
 * @example
 * clippedResponseMs(5000, { protocol: 'inf', elapsedMs: 1200, exposureMs: null }); // 1200
 */
export function clippedResponseMs(claimed: number | undefined, a: { protocol: Protocol; elapsedMs: number; exposureMs: number | null }): number | undefined {
  if (claimed === undefined) return undefined;
  const allowed = a.protocol === 'time' ? a.elapsedMs - presentationMs() - (a.exposureMs ?? 0) : a.elapsedMs;
  return Math.max(0, Math.min(claimed, allowed));
}
