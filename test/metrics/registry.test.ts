import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { computeMetrics, getMetric, METRICS, parseMetricList } from '../../metrics/index.js';

describe('metric registry', () => {
  it('holds every metric id of the CLI output, frozen, each with a descriptor', () => {
    expect([...METRICS.keys()]).toEqual(['is', 'fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage', 'mse', 'l1', 'psnr', 'ssim', 'feature_matching']);
    expect(Object.isFrozen(METRICS)).toBe(true);
    for (const [id, d] of METRICS) {
      expect(d.id).toBe(id);
      expect(typeof d.higherIsBetter).toBe('boolean');
      expect(d.paper.length).toBeGreaterThan(3);
    }
    expect(getMetric('kid').defaults).toMatchObject({ subsets: 100, subsetSize: 1000, seed: 2020 });
    expect(getMetric('fd').higherIsBetter).toBe(false);
    expect(getMetric('coverage').higherIsBetter).toBe(true);
  });

  it('rejects unknown ids with a USAGE error listing the valid ones', () => {
    const e = (() => { try { getMetric('fid'); } catch (x) { return x; } })() as GenbenchError;
    expect(e).toBeInstanceOf(GenbenchError);
    expect(e.code).toBe('USAGE');
    expect(e.message).toBe("unknown metric 'fid'; valid metrics: is, fd, fd_inf, kid, precision, recall, density, coverage, mse, l1, psnr, ssim, feature_matching");
    expect(() => parseMetricList('kid,,fd')).toThrow(/empty metric name/);
  });

  it('computes a group once and returns only the ids asked for', async () => {
    const sets = { generated: { rows: 6, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4, 5]) }, reference: { rows: 6, cols: 1, data: Float64Array.from([0, 1, 2, 3, 4, 5]) } };
    const r = await computeMetrics(['recall', 'precision'], sets);
    expect(Object.keys(r).sort()).toEqual(['precision', 'recall']);
    expect(r.precision!.value).toBe(1);
  });
});
