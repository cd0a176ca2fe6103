import { describe, expect, it } from 'vitest';
import { memorizationVerdict, memorizationVerdictOfSpaces } from '../../src/memorization/verdict.js';

const checks = (o: { copy?: boolean; closer?: boolean; ct?: boolean; warning?: string } = {}) => ({
  fd: { value: 12 },
  copy_rate: { value: 0.0123, copying: o.copy ?? false, p_value: 0.9 },
  closer_to_train_share: { value: 0.8, copying: o.closer ?? false, p_value: 0.4123, ...(o.warning === undefined ? {} : { warning: o.warning }) },
  mifid_term: { value: 0.2, copying: false },
  ct: { value: o.ct ? -6.43 : -0.04, copying: o.ct ?? false },
});

describe('memorizationVerdict', () => {
  it('names the flagging checks, else gives the headline numbers in one line', () => {
    expect(memorizationVerdict(checks())).toBe('memorisation: no copying detected (copy_rate 0.012, closer-to-train p=0.41, C_T 0.0)');
    expect(memorizationVerdict(checks({ copy: true, ct: true }))).toBe('memorisation: COPYING flagged by copy_rate, ct');
    expect(memorizationVerdict(checks({ closer: true, warning: 'the held-out set looks shifted from the training set: ...' }))).toBe(
      'memorisation: COPYING flagged by closer_to_train_share; held-out set looks shifted from the training set, so the verdict may not hold',
    );
  });

  it('is undefined without memorisation entries, and ignores entries without a boolean verdict', () => {
    expect(memorizationVerdict({ fd: { value: 3 } })).toBeUndefined();
    expect(memorizationVerdict(undefined)).toBeUndefined();
    expect(memorizationVerdict({ ct: { value: -9 } })).toBeUndefined();
  });

  it('over several spaces: flags name their spaces, numbers are given per space', () => {
    expect(memorizationVerdictOfSpaces({ pixel: checks({ copy: true }), features: checks({ copy: true, ct: true }) })).toBe('memorisation: COPYING flagged by copy_rate (pixel, features), ct (features)');
    expect(memorizationVerdictOfSpaces({ pixel: checks(), features: undefined })).toBe('memorisation: no copying detected (pixel: copy_rate 0.012, closer-to-train p=0.41, C_T 0.0)');
  });
});
