import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/io/report.js';
import { memorisationOf } from '../../src/server/routes/model-json.js';
import { fakeReport } from '../store/conformance.js';

const check = (value: number, copying: boolean) => ({ value, copying, baseline: 0 });

function withChecks(copying: Partial<Record<'copy_rate' | 'closer_to_train_share' | 'mifid_term' | 'ct', boolean>>): Report {
  const r = fakeReport(10);
  const metrics = { ...r.metrics, copy_rate: check(0.01, copying.copy_rate ?? false), closer_to_train_share: check(0.5, copying.closer_to_train_share ?? false), mifid_term: check(1, copying.mifid_term ?? false), ct: check(-0.4, copying.ct ?? false) };
  return { ...r, metrics, recipe: { ...r.recipe, params: { ...r.recipe.params, memorization: { train_split: 'test[0:8000]' } } } } as Report;
}

describe('memorisationOf', () => {
  it('reads the four check entries of report.metrics', () => {
    const m = memorisationOf(withChecks({}))!;
    expect(m.verdict).toBe('no memorisation detected');
    expect(m.details).toEqual({
      copy_rate: { value: 0.01, copying: false },
      closer_to_train_share: { value: 0.5, copying: false },
      mifid_term: { value: 1, copying: false },
      ct: { value: -0.4, copying: false },
      recipe: { train_split: 'test[0:8000]' },
    });
    expect(memorisationOf(withChecks({ ct: true }))!.verdict).toBe('copies training images');
    expect(memorisationOf(withChecks({ copy_rate: true }))!.verdict).toBe('copies training images');
  });

  it('takes the verdict of genbench\'s own section and keeps the check entries as details', () => {
    const verdict = 'memorisation: no copying detected (copy_rate 0.01, closer-to-train p=0.5, C_T -0.4)';
    const both = { ...withChecks({}), memorization: { verdict } } as unknown as Report;
    const m = memorisationOf(both)!;
    expect(m.verdict).toBe(verdict);
    expect(m.details).toEqual({
      copy_rate: { value: 0.01, copying: false },
      closer_to_train_share: { value: 0.5, copying: false },
      mifid_term: { value: 1, copying: false },
      ct: { value: -0.4, copying: false },
      recipe: { train_split: 'test[0:8000]' },
      verdict,
    });
  });

  it('keeps the section form and is undefined without either', () => {
    expect(memorisationOf(fakeReport(10))).toBeUndefined();
    const section = { ...fakeReport(10), memorisation: { verdict: 'custom' } } as unknown as Report;
    expect(memorisationOf(section)).toEqual({ verdict: 'custom', details: { verdict: 'custom' } });
    const flag = { ...withChecks({ ct: true }), memorization: { copying: false } } as unknown as Report;
    expect(memorisationOf(flag)!.verdict).toBe('no memorisation detected');
  });
});
