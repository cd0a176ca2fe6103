import { describe, expect, it } from 'vitest';
import { ratingConfig, type Answer, type TrialKind } from '../../src/rating/protocol.js';
import { qualificationNeeds, qualificationStatus, vigilanceStatus } from '../../src/rating/qualification.js';

const cfg = ratingConfig({ qualificationTrials: 10 });
const trials = (kind: TrialKind, right: number, wrong: number): { kind: TrialKind; answer: Answer }[] => {
  const good: Answer = kind === 'real' ? 'real' : 'fake';
  const bad: Answer = kind === 'real' ? 'fake' : 'real';
  return [...Array<Answer>(right).fill(good), ...Array<Answer>(wrong).fill(bad)].map((answer) => ({ kind, answer }));
};

describe('qualification round', () => {
  it('is pending until both halves are answered', () => {
    const s = qualificationStatus([...trials('real', 5, 0), ...trials('fake', 4, 0)], cfg);
    expect(s.state).toBe('pending');
    expect(s.real).toEqual({ answered: 5, correct: 5 });
    expect(s.fake).toEqual({ answered: 4, correct: 4 });
  });

  it('needs 65% on real AND on fake', () => {
    expect(qualificationStatus([...trials('real', 4, 1), ...trials('fake', 4, 1)], cfg).state).toBe('qualified'); // 80% / 80%
    expect(qualificationStatus([...trials('real', 5, 0), ...trials('fake', 3, 2)], cfg).state).toBe('failed'); // 100% / 60%
    expect(qualificationStatus([...trials('real', 3, 2), ...trials('fake', 5, 0)], cfg).state).toBe('failed'); // 60% / 100%
    // a rater who always answers "fake" is 50% overall but fails on real
    expect(qualificationStatus([...trials('real', 0, 5), ...trials('fake', 5, 0)], cfg).state).toBe('failed');
    // exactly 65% passes (HYPE: 100 images, 50/50)
    const big = ratingConfig({ qualificationTrials: 40 });
    expect(qualificationStatus([...trials('real', 13, 7), ...trials('fake', 13, 7)], big).state).toBe('qualified');
    expect(qualificationStatus([...trials('real', 12, 8), ...trials('fake', 20, 0)], big).state).toBe('failed');
  });

  it('ignores vigilance trials and trials past the round', () => {
    const extra = [...trials('real', 4, 1), ...trials('fake', 4, 1), ...trials('fake', 0, 5), { kind: 'vigilance' as const, answer: 'real' as const }];
    expect(qualificationStatus(extra, cfg).state).toBe('qualified');
  });

  it('asks for the kind that keeps the round half real, half fake', () => {
    expect(qualificationNeeds({ real: 5, fake: 3 }, cfg)).toBe('fake');
    expect(qualificationNeeds({ real: 2, fake: 5 }, cfg)).toBe('real');
    expect(qualificationNeeds({ real: 2, fake: 3 }, cfg)).toBeUndefined();
  });
});

describe('vigilance', () => {
  it('flags a rater who calls a broken image real', () => {
    expect(vigilanceStatus([{ kind: 'vigilance', answer: 'fake' }, ...trials('real', 0, 3)], cfg)).toEqual({ answered: 1, missed: 0, flagged: false });
    expect(vigilanceStatus([{ kind: 'vigilance', answer: 'real' }], cfg)).toEqual({ answered: 1, missed: 1, flagged: true });
    const lenient = ratingConfig({ vigilanceMissesAllowed: 1 });
    expect(vigilanceStatus([{ kind: 'vigilance', answer: 'real' }], lenient).flagged).toBe(false);
  });
});
