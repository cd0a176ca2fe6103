import { describe, expect, it } from 'vitest';
import { compareReports, differenceInterval, judge } from '../../src/gate/index.js';
import { parseRules } from '../../src/gate/rules.js';
import { GenbenchError } from '../../src/errors.js';
import { syntheticReport } from './synthetic.js';

const rowOf = (r: ReturnType<typeof compareReports>, id: string) => r.rows.find((x) => x.metric === id)!;

describe('differenceInterval (quadrature of the two ci95 half-widths, per side)', () => {
  it('is sqrt(h_b^2 + h_c^2) around the point difference for symmetric intervals', () => {
    const [lo, hi] = differenceInterval(10, [9, 11], 12, [11, 13])!;
    expect(lo).toBeCloseTo(2 - Math.SQRT2, 12);
    expect(hi).toBeCloseTo(2 + Math.SQRT2, 12);
  });

  it('keeps skewed intervals skewed: the lower end uses the candidate below and the baseline above', () => {
    const [lo, hi] = differenceInterval(10, [9, 14], 12, [11.5, 15])!; // b: 1 below, 4 above; c: 0.5 below, 3 above
    expect(lo).toBeCloseTo(2 - Math.hypot(0.5, 4), 12);
    expect(hi).toBeCloseTo(2 + Math.hypot(3, 1), 12);
  });

  it('is null when either report has no ci95', () => {
    expect(differenceInterval(1, undefined, 2, [1, 3])).toBeNull();
  });
});

describe('judge', () => {
  it('needs both the point and the whole interval beyond the tolerance to call a regression', () => {
    expect(judge({ difference: 5, interval: [3, 7], tolerance: 1, direction: 'lower' })).toBe('regression');
    expect(judge({ difference: 5, interval: [0.5, 9], tolerance: 1, direction: 'lower' })).toBe('noise');
    expect(judge({ difference: 0.5, interval: [0.2, 0.8], tolerance: 1, direction: 'lower' })).toBe('ok');
    expect(judge({ difference: -5, interval: [-7, -3], tolerance: 1, direction: 'lower' })).toBe('improvement');
  });

  it('flips the sign for higher-is-better metrics', () => {
    expect(judge({ difference: -0.1, interval: [-0.15, -0.05], tolerance: 0.02, direction: 'higher' })).toBe('regression');
    expect(judge({ difference: 0.1, interval: [0.05, 0.15], tolerance: 0.02, direction: 'higher' })).toBe('improvement');
    expect(judge({ difference: -0.1, interval: [-0.2, 0.01], tolerance: 0.02, direction: 'higher' })).toBe('noise');
  });

  it('judges on the point alone without an interval', () => {
    expect(judge({ difference: 2, interval: null, tolerance: 1, direction: 'lower' })).toBe('regression');
    expect(judge({ difference: 0.9, interval: null, tolerance: 1, direction: 'lower' })).toBe('ok');
  });
});

describe('compareReports', () => {
  const base = syntheticReport({ fd: [20, 1], precision: [0.6, 0.03], recall: [0.5, 0.03] }, { model: 'base' });

  it('passes a report against itself with a different seed and the same numbers', () => {
    const r = compareReports({ baseline: base, candidate: syntheticReport({ fd: [20.5, 1], precision: [0.59, 0.03], recall: [0.5, 0.03] }, { seed: 1 }) });
    expect(r.failed).toBe(false);
    expect(r.rows.map((x) => x.verdict)).toEqual(['ok', 'ok', 'ok']);
  });

  it('fails on FD worse by more than 5% with an interval beyond it, naming the metric', () => {
    const r = compareReports({ baseline: base, candidate: syntheticReport({ fd: [26, 1], precision: [0.6, 0.03], recall: [0.5, 0.03] }) });
    expect(r.failed).toBe(true);
    expect(r.regressions).toEqual(['fd']);
    const fd = rowOf(r, 'fd');
    expect(fd).toMatchObject({ direction: 'lower', baseline: 20, candidate: 26, difference: 6, tolerance: 1, verdict: 'regression', fails: true });
    expect(fd.interval![0]).toBeCloseTo(6 - Math.SQRT2, 12);
  });

  it('does not fail when the worsening is beyond tolerance but within the noise of the two intervals', () => {
    const r = compareReports({ baseline: base, candidate: syntheticReport({ fd: [22, 1], precision: [0.55, 0.03], recall: [0.5, 0.03] }) });
    expect(r.failed).toBe(false);
    expect(rowOf(r, 'fd').verdict).toBe('noise'); // 2 > 1 but 2 - sqrt(2) < 1
    expect(rowOf(r, 'precision').verdict).toBe('noise'); // -0.05 < -0.02 but interval reaches -0.008
  });

  it('calls a clearly better candidate an improvement and passes', () => {
    const r = compareReports({ baseline: base, candidate: syntheticReport({ fd: [12, 1], precision: [0.7, 0.02], recall: [0.6, 0.02] }) });
    expect(r.failed).toBe(false);
    expect(r.rows.map((x) => x.verdict)).toEqual(['improvement', 'improvement', 'improvement']);
  });

  it('uses the rules: a larger relative tolerance absorbs the FD rise, gate:false reports without gating', () => {
    const cand = syntheticReport({ fd: [26, 1], precision: [0.3, 0.01], recall: [0.5, 0.03] });
    const rules = parseRules({ schema: 'genbench.gate-rules/v1', metrics: { fd: { relative: 0.5 }, precision: { gate: false } } }, 'gate.json');
    const r = compareReports({ baseline: base, candidate: cand, rules });
    expect(r.failed).toBe(false);
    expect(rowOf(r, 'fd')).toMatchObject({ tolerance: 10, verdict: 'ok' });
    expect(rowOf(r, 'precision').verdict).toBe('skipped');
  });

  it('fails on a metric with a value in the baseline and none in the candidate, unless missing is ignore', () => {
    const cand = syntheticReport({ fd: [20, 1], precision: [0.6, 0.03], recall: [0.5, 0.03] }, { patch: (x) => void (x.metrics['recall'] = { value: null }) });
    const r = compareReports({ baseline: base, candidate: cand });
    expect(r.regressions).toEqual(['recall']);
    expect(rowOf(r, 'recall')).toMatchObject({ verdict: 'missing', note: 'no value in the candidate' });
    const ignore = parseRules({ schema: 'genbench.gate-rules/v1', missing: 'ignore' }, 'gate.json');
    expect(compareReports({ baseline: base, candidate: cand, rules: ignore }).failed).toBe(false);
  });

  it('refuses reports without bootstrap intervals unless the rules make them optional', () => {
    const noBoot = syntheticReport({ fd: [30, 0], precision: [0.6, 0], recall: [0.5, 0] }, { patch: (x) => void (x.recipe.bootstrap = null) });
    const base0 = syntheticReport({ fd: [20, 0], precision: [0.6, 0], recall: [0.5, 0] }, { patch: (x) => void (x.recipe.bootstrap = null) });
    expect(() => compareReports({ baseline: base0, candidate: noBoot })).toThrow(/baseline report \(m\): recipe\.bootstrap is null.*--bootstrap 200/);
    const optional = parseRules({ schema: 'genbench.gate-rules/v1', intervals: 'optional' }, 'gate.json');
    const r = compareReports({ baseline: base0, candidate: noBoot, rules: optional });
    expect(r.regressions).toEqual(['fd']);
    expect(rowOf(r, 'fd').note).toMatch(/point difference alone/);
  });

  it('refuses incomparable recipes with a one-line INPUT error (exit 2) naming the field', () => {
    const other = syntheticReport({ fd: [20, 1], precision: [0.6, 0.03], recall: [0.5, 0.03] }, { patch: (x) => void (x.recipe.extractor.weightsSha256 = 'b'.repeat(64)) });
    let err: unknown;
    try {
      compareReports({ baseline: base, candidate: other });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GenbenchError);
    expect((err as GenbenchError).exitCode).toBe(2);
    expect((err as GenbenchError).message).toMatch(/^reports are not comparable: recipe\.extractor\.weightsSha256 differs \(baseline "aaa.*candidate "bbb/);
    expect((err as GenbenchError).message).not.toMatch(/\n/);
  });
});
