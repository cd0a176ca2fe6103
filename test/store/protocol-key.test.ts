import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/io/report.js';
import { protocolKey } from '../../src/store/index.js';
import { fakeReport } from './conformance.js';

const withKid = (kid: Record<string, unknown>): Report => {
  const r = fakeReport(10);
  return { ...r, recipe: { ...r.recipe, params: { ...r.recipe.params, kid } } } as Report;
};

describe('protocolKey', () => {
  it("is the same for a report that recorded KID's fixed cubic kernel (degree 3, coef0 1) and one that does not", () => {
    const kid = { subsets: 100, subsetSize: 100, seed: 2020, products: 'float64' };
    expect(protocolKey(withKid(kid))).toBe(protocolKey(withKid({ ...kid, degree: 3, coef0: 1 })));
    expect(protocolKey(withKid({ ...kid, subsets: 10 }))).not.toBe(protocolKey(withKid(kid)));
  });
});
