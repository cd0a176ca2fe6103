import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { computeMetrics, defaultMetrics, getMetric, METRICS, parseMetricList, resolveParams } from '../../metrics/index.js';

describe('metric registry', () => {
  it('holds every metric by its id, frozen, each descriptor carrying its facts', () => {
    expect([...METRICS.keys()].slice(0, 9)).toEqual(['is', 'fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage', 'disc']);
    expect(Object.isFrozen(METRICS)).toBe(true);
    const orders = new Set<number>();
    for (const [id, d] of METRICS) {
      expect(d.id).toBe(id);
      expect(typeof d.higherIsBetter).toBe('boolean');
      expect(d.paper.length).toBeGreaterThan(3);
      expect(d.display.label.length).toBeGreaterThan(0);
      expect(orders.has(d.display.order), `display order of ${id} is unique`).toBe(false);
      orders.add(d.display.order);
      expect(d.tolerance.absolute >= 0 && d.tolerance.relative >= 0 && d.tolerance.absolute + d.tolerance.relative > 0).toBe(true);
      // every recorded default of a settable parameter is its declared default, and flags are unique per group
      for (const [name, spec] of Object.entries(d.params)) if (spec.default !== undefined) expect(d.defaults[name]).toBe(spec.default);
    }
    const flags = [...new Set([...METRICS.values()].map((d) => d.params))].flatMap((p) => Object.values(p).flatMap((s) => (s.flag ? [s.flag] : [])));
    expect(new Set(flags).size).toBe(flags.length);
    expect(getMetric('kid').defaults).toMatchObject({ subsets: 100, subsetSize: 1000, seed: 2020 });
    expect(getMetric('fd').higherIsBetter).toBe(false);
    expect(getMetric('coverage').higherIsBetter).toBe(true);
  });

  it('rejects unknown ids with a USAGE error listing the valid ones', () => {
    const e = (() => { try { getMetric('fid'); } catch (x) { return x; } })() as GenbenchError;
    expect(e).toBeInstanceOf(GenbenchError);
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe(`unknown metric 'fid'; valid metrics: ${[...METRICS.keys()].join(', ')}`);
    expect(e.message).toMatch(/^unknown metric 'fid'; valid metrics: is, fd, fd_inf, kid, precision, recall, density, coverage, disc, /);
    expect(() => parseMetricList('kid,,fd')).toThrow(/empty metric name/);
  });

  it('turns metrics on by extractor output', () => {
    expect(defaultMetrics(['features']).map((d) => d.id)).toEqual(['fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage']);
    expect(defaultMetrics(['class-scores']).map((d) => d.id)).toEqual(['is']);
    expect(defaultMetrics(['discriminator']).map((d) => d.id)).toEqual(['disc']);
  });

  it('refuses unknown, fixed, invalid and unused parameters in one line', async () => {
    const kid = [getMetric('kid')];
    expect(resolveParams(kid, { subsets: 3 })).toEqual({ subsets: 3, subsetSize: 1000, seed: 2020, products: 'float64' });
    expect(() => resolveParams(kid, { degree: 2 })).toThrow("metric 'kid' has no parameter 'degree'; its parameters: subsets, subsetSize, seed, products");
    expect(() => resolveParams(kid, { subsets: 0 })).toThrow("metric 'kid' parameter 'subsets': must be >= 1, got 0");
    expect(() => resolveParams(kid, { products: 'float16' })).toThrow("metric 'kid' parameter 'products': expected one of float64, float32, got float16");
    expect(() => resolveParams([getMetric('is')], { shuffleSeed: 7 })).toThrow("metric 'is': parameter 'shuffleSeed' has no effect unless shuffle is true; set shuffle too or drop shuffleSeed");
    expect(resolveParams([getMetric('is')], { shuffle: true, shuffleSeed: 7 })).toMatchObject({ shuffle: true, shuffleSeed: 7 });
    expect(() => resolveParams([getMetric('fd')], { infinitySeed: 1 })).toThrow(/'infinitySeed' has no effect unless infinity is true/);
    expect(resolveParams([getMetric('fd'), getMetric('fd_inf')], { infinitySeed: 1 })).toEqual({ infinity: true, infinitySeed: 1 });
    expect(() => resolveParams([getMetric('ssim')], { range: 255, ssimWindow: 7 })).toThrow("metric 'ssim': 'ssimWindow' is fixed at 11 (a constant of the method, not a parameter)");
    expect(() => resolveParams([getMetric('ssim')])).toThrow(/metric 'ssim' needs the parameter 'range'/);
    const sets = { generated: { rows: 6, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4, 5]) }, reference: { rows: 6, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4, 5]) } };
    await expect(computeMetrics(['precision'], sets, { subsets: 2 })).rejects.toThrow("parameter 'subsets' belongs to none of the metrics asked for (precision); drop it or ask for the metric it sets");
  });

  it('computes a group once and returns only the ids asked for', async () => {
    const sets = { generated: { rows: 6, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4, 5]) }, reference: { rows: 6, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4, 5]) } };
    const r = await computeMetrics(['recall', 'precision'], sets);
    expect(Object.keys(r).sort()).toEqual(['precision', 'recall']);
    expect(r.precision!.value).toBe(1);
  });
});
