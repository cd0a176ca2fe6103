import { describe, expect, it } from 'vitest';
import { assertComparable, comparabilityNotes, firstDifference } from '../../src/gate/index.js';
import type { Report } from '../../src/io/report.js';
import { syntheticReport } from './synthetic.js';

const values = { fd: [20, 1] } as const;
const DISCRIMINATOR = { extractor: 'discriminator:d.onnx', weightsSha256: 'e'.repeat(64), engine: 'onnxruntime-node', layers: [{ name: 'f1', dim: 64 }], preprocessing: {}, quantisation: 'uint8' };
const base = syntheticReport(values, { patch: (r) => void (r.recipe.featureMatching = DISCRIMINATOR) });

/** Each recipe change that makes two reports incomparable, and the field the refusal must name. */
const CASES: ReadonlyArray<readonly [string, (r: Report) => void, RegExp]> = [
  ['extractor', (r) => void (r.recipe.extractor.id = 'mobilenet-v1-0.75'), /recipe\.extractor\.id differs/],
  ['weights', (r) => void (r.recipe.extractor.weightsSha256 = 'c'.repeat(64)), /recipe\.extractor\.weightsSha256 differs/],
  ['layer', (r) => void (r.recipe.extractor.layers.features = 'conv'), /recipe\.extractor\.layers\.features differs/],
  ['preprocessing', (r) => void (r.recipe.extractor.preprocessing['filter'] = 'area'), /recipe\.extractor\.preprocessing\.filter differs \(baseline "bilinear", candidate "area"\)/],
  ['dataset', (r) => void (r.dataset.name = 'pneumoniamnist'), /dataset\.name differs/],
  ['split', (r) => void (r.dataset.split = 'test[0:200]'), /dataset\.split differs/],
  ['reference resize', (r) => void (r.recipe.preprocessing = { reference: { resize: '28x28', filter: 'bilinear' } }), /recipe\.preprocessing\.reference differs \(baseline null/],
  ['reference split size', (r) => void (r.dataset.count += 1), /recipe\.reference\.of differs/],
  ['sample count', (r) => void (r.recipe.n.generated = 1000), /recipe\.n\.generated differs \(baseline 200, candidate 1000\)/],
  ['metric parameters', (r) => void (r.recipe.params['fd'] = { covDdof: 0 }), /recipe\.params\.fd\.covDdof differs/],
  ['discriminator', (r) => void (r.recipe.featureMatching = { ...DISCRIMINATOR, weightsSha256: 'd'.repeat(64) }), /recipe\.featureMatching\.weightsSha256 differs/],
];

describe('assertComparable', () => {
  it.each(CASES)('refuses a different %s, naming the field', (_, patch, message) => {
    expect(() => assertComparable(base, syntheticReport(values, { patch }))).toThrow(message);
  });

  it('compares feature_matching\'s discriminator only when both reports have one, and not its engine', () => {
    expect(() => assertComparable(base, syntheticReport(values))).not.toThrow();
    expect(() => assertComparable(base, syntheticReport(values, { patch: (r) => void (r.recipe.featureMatching = { ...DISCRIMINATOR, engine: 'tfjs' }) }))).not.toThrow();
  });

  it('accepts a different model and sampling seed', () => {
    expect(() => assertComparable(base, syntheticReport(values, { model: 'other', seed: 7 }))).not.toThrow();
  });

  it("accepts an earlier report that recorded KID's fixed cubic kernel (degree 3, coef0 1), and no other degree", () => {
    const kid = { subsets: 1, subsetSize: 100, seed: 2020, products: 'float64' };
    const now = syntheticReport(values, { patch: (r) => void (r.recipe.params['kid'] = kid) });
    const earlier = syntheticReport(values, { patch: (r) => void (r.recipe.params['kid'] = { ...kid, degree: 3, coef0: 1 }) });
    expect(() => assertComparable(earlier, now)).not.toThrow();
    const other = syntheticReport(values, { patch: (r) => void (r.recipe.params['kid'] = { ...kid, degree: 2, coef0: 1 }) });
    expect(() => assertComparable(other, now)).toThrow(/recipe\.params\.kid\.coef0 differs/);
  });
});

describe('comparabilityNotes', () => {
  it('notes a different genbench version and the same model with the same seed, without refusing', () => {
    const cand = syntheticReport(values, { patch: (r) => void (r.recipe.genbench = '0.2.0') });
    expect(comparabilityNotes(base, cand)).toEqual([
      'genbench version differs: "0.1.0" vs "0.2.0"',
      'same model and sampling seed in both reports: the difference shows no sampling noise',
    ]);
  });
});

describe('firstDifference', () => {
  it('walks objects in sorted key order and reports array length changes', () => {
    expect(firstDifference({ b: 1, a: { x: [1, 2] } }, { b: 2, a: { x: [1, 2, 3] } }, 'r')).toEqual({ path: 'r.a.x.length', a: 2, b: 3 });
    expect(firstDifference({ a: 1 }, { a: 1 }, 'r')).toBeUndefined();
    expect(firstDifference({ a: 1 }, {}, 'r')).toEqual({ path: 'r.a', a: 1, b: undefined });
  });
});
