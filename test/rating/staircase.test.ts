import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/rng.js';
import { DEFAULT_STAIRCASE, ratingConfig } from '../../src/rating/protocol.js';
import { convergedExposure, modalExposure, replayStaircase, startStaircase, stepStaircase } from '../../src/rating/staircase.js';

const P = DEFAULT_STAIRCASE;

describe('HYPE-time staircase', () => {
  it('starts at 500 ms, shortens by 30 after three correct, lengthens by 10 after one error', () => {
    let s = startStaircase(P);
    expect(s).toEqual({ exposureMs: 500, streak: 0 });
    s = stepStaircase(s, true, P);
    s = stepStaircase(s, true, P);
    expect(s).toEqual({ exposureMs: 500, streak: 2 });
    s = stepStaircase(s, true, P);
    expect(s).toEqual({ exposureMs: 470, streak: 0 });
    s = stepStaircase(s, true, P);
    s = stepStaircase(s, false, P); // an error resets the streak
    expect(s).toEqual({ exposureMs: 480, streak: 0 });
  });

  it('stays within 100..1000 ms', () => {
    expect(replayStaircase(Array<boolean>(300).fill(true), P).exposureMs).toBe(100);
    expect(replayStaircase(Array<boolean>(100).fill(false), P).exposureMs).toBe(1000);
    const custom = ratingConfig({ staircase: { startMs: 2000 } }).staircase;
    expect(startStaircase(custom).exposureMs).toBe(1000);
  });

  it('converges where a simulated observer is right 63% of the time (the zero-drift point of -30/+10)', () => {
    // Observer accuracy rises with exposure: p(t) = 0.5 + 0.5 (1 - exp(-t / 1000)); p = 0.63 at t = 1000 ln(1/0.74) ms.
    const target = 1000 * Math.log(1 / 0.74);
    const rng = new Rng(7);
    let s = startStaircase(P);
    const exposures: number[] = [];
    for (let i = 0; i < 6000; i++) {
      exposures.push(s.exposureMs);
      const p = 0.5 + 0.5 * (1 - Math.exp(-s.exposureMs / 1000));
      s = stepStaircase(s, rng.float() < p, P);
    }
    const tail = exposures.slice(1000);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(Math.abs(mean - target)).toBeLessThan(35);
    expect(Math.abs(convergedExposure(tail, P.blockSize) - target)).toBeLessThan(60);
  });

  it('takes the modal exposure per block and averages the blocks', () => {
    expect(modalExposure([500, 470, 470, 480])).toBe(470);
    expect(modalExposure([500, 470])).toBe(485);
    expect(convergedExposure([300, 300, 310, 200, 200, 210], 3)).toBe(250);
    // a last block shorter than half a block is ignored
    expect(convergedExposure([300, 300, 310, 200], 3)).toBe(300);
    expect(() => modalExposure([])).toThrow(RangeError);
  });
});
