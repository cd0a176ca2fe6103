import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { DEFAULT_RATING_CONFIG, ratingConfig, type TrialKind } from '../../src/rating/protocol.js';
import { imageKey, nextKind, parseImageKey, pickUnseen } from '../../src/rating/schedule.js';
import { checkVoteTiming, clippedResponseMs, clockDropReason, timingDropReason } from '../../src/rating/timing.js';

describe('trial schedule', () => {
  it('gives about 10% vigilance trials and keeps real/fake balanced', () => {
    const rng = new Rng(1);
    const shown = { real: 0, fake: 0, vigilance: 0 };
    for (let i = 0; i < 2000; i++) {
      const k: TrialKind = nextKind({ phase: 'scored', shown, cfg: DEFAULT_RATING_CONFIG, rng });
      shown[k]++;
      expect(Math.abs(shown.real - shown.fake)).toBeLessThanOrEqual(1);
    }
    expect(shown.vigilance / 2000).toBeGreaterThan(0.08);
    expect(shown.vigilance / 2000).toBeLessThan(0.12);
  });

  it('fills a qualification round with exactly half real and half fake', () => {
    const cfg = ratingConfig({ qualificationTrials: 10, vigilanceRate: 0 });
    for (let seed = 0; seed < 20; seed++) {
      const rng = new Rng(seed);
      const shown = { real: 0, fake: 0, vigilance: 0 };
      for (let i = 0; i < 10; i++) shown[nextKind({ phase: 'qualification', shown, cfg, rng })]++;
      expect(shown).toEqual({ real: 5, fake: 5, vigilance: 0 });
    }
  });

  it('never repeats an image and reports an exhausted pool', () => {
    const rng = new Rng(2);
    const seen = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const k = pickUnseen(50, seen, rng)!;
      expect(seen.has(k)).toBe(false);
      seen.add(k);
    }
    expect(pickUnseen(50, seen, rng)).toBeUndefined();
    expect(pickUnseen(0, new Set(), rng)).toBeUndefined();
  });

  it('round-trips image keys', () => {
    for (const ref of [
      { kind: 'real', dataset: 'mnist', index: 8123 },
      { kind: 'fake', modelId: 'sha:ab:cd', seed: 0, index: 17 },
      { kind: 'vigilance', index: 3 },
    ] as const) {
      expect(parseImageKey(imageKey(ref))).toEqual(ref);
    }
    expect(() => parseImageKey('real:mnist')).toThrow(RangeError);
  });
});

describe('timing rules', () => {
  const limits = DEFAULT_RATING_CONFIG.limits;
  it('rejects votes that come too fast or too late', () => {
    expect(checkVoteTiming({ protocol: 'inf', elapsedMs: 40, limits }).ok).toBe(false);
    expect(checkVoteTiming({ protocol: 'inf', elapsedMs: 400, limits }).ok).toBe(true);
    expect(checkVoteTiming({ protocol: 'inf', elapsedMs: 11 * 60_000, limits })).toMatchObject({ ok: false, reason: 'too-late' });
    // HYPE-time: the page's countdown (1500 ms), the exposure and the masks (4 x 30 ms) must have elapsed
    expect(checkVoteTiming({ protocol: 'time', elapsedMs: 900, targetExposureMs: 500, limits })).toMatchObject({ ok: false, reason: 'too-fast' });
    expect(checkVoteTiming({ protocol: 'time', elapsedMs: 2110, targetExposureMs: 500, limits })).toMatchObject({ ok: false, reason: 'too-fast' });
    expect(checkVoteTiming({ protocol: 'time', elapsedMs: 2130, targetExposureMs: 500, limits }).ok).toBe(true);
    expect(checkVoteTiming({ protocol: 'time', elapsedMs: 61_000, targetExposureMs: 500, limits }).ok).toBe(false);
  });

  it('drops HYPE-time claims that do not fit the server clock and clips response times to it', () => {
    expect(clockDropReason({ exposureMs: 500, responseMs: 400 }, 2520, 100)).toBeNull();
    expect(clockDropReason({ exposureMs: 500, responseMs: 400 }, 2419, 100)).toBe('clock-mismatch');
    expect(clippedResponseMs(5000, { protocol: 'inf', elapsedMs: 1200, exposureMs: null })).toBe(1200);
    expect(clippedResponseMs(5000, { protocol: 'time', elapsedMs: 3000, exposureMs: 500 })).toBe(880);
    expect(clippedResponseMs(300, { protocol: 'time', elapsedMs: 3000, exposureMs: 500 })).toBe(300);
    expect(clippedResponseMs(undefined, { protocol: 'inf', elapsedMs: 1200, exposureMs: null })).toBeUndefined();
  });

  it('drops HYPE-time trials with a missed frame, a hidden tab or an exposure off target', () => {
    expect(timingDropReason({ exposureMs: 501, missedFrames: 0, hidden: false, frameMs: 16.7 }, 500, 20)).toBeNull();
    expect(timingDropReason({ exposureMs: 500, missedFrames: 1, hidden: false }, 500, 20)).toBe('missed-frame');
    expect(timingDropReason({ exposureMs: 500, missedFrames: 0, hidden: true }, 500, 20)).toBe('hidden-tab');
    expect(timingDropReason({ exposureMs: 560, missedFrames: 0, hidden: false, frameMs: 16.7 }, 500, 20)).toBe('exposure-off-target');
    expect(timingDropReason(undefined, 500, 20)).toBe('no-timing');
  });
});
