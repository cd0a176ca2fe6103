import { describe, expect, it } from 'vitest';
import { checkMetricNames, planLayers, planMetrics } from '../../src/harness/metric-plan.js';
import type { LayerInfo } from '../../src/features/types.js';

const mobilenet = {
  id: 'mobilenet-v1-0.25',
  defaults: { features: 'gap', classScores: 'probs' },
  layers: [
    { name: 'gap', dim: 256, kind: 'features' },
    { name: 'probs', dim: 1000, kind: 'probabilities' },
  ] as LayerInfo[],
};
const disc = {
  id: 'discriminator:/x/d.genbench.json',
  defaults: { features: 'f2' },
  layers: [
    { name: 'f1', dim: 12, kind: 'features' },
    { name: 'f2', dim: 6, kind: 'features' },
  ] as LayerInfo[],
};

describe('planMetrics', () => {
  it('defaults to is + feature metrics for an extractor with class scores', () => {
    const p = planMetrics({ fx: mobilenet, nGenerated: 5000, nReference: 5000 });
    expect(p.ids).toEqual(['is', 'fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage']);
    expect(p.groups.map((g) => g[0]!.group)).toEqual(['is', 'fd', 'kid', 'prdc']);
    expect(p.layers).toEqual({ features: 'gap', classScores: 'probs' });
    expect(p.classKind).toBe('probs');
    expect(p.params['kid']).toMatchObject({ subsets: 100, subsetSize: 1000 });
    expect(p.warnings).toEqual([]);
  });

  it('adds disc (all layers) for a discriminator and drops is', () => {
    const p = planMetrics({ fx: disc, nGenerated: 64, nReference: 64 });
    expect(p.ids).toEqual(['fd', 'fd_inf', 'kid', 'precision', 'recall', 'density', 'coverage', 'disc']);
    expect(planLayers(p)).toEqual(['f2', 'f1']);
    expect(p.params['kid']).toMatchObject({ subsets: 1, subsetSize: 64 });
    expect(p.warnings.join(' ')).toMatch(/subset size lowered from 1000 to 64/);
  });

  it('refuses metrics the extractor cannot serve, and pair metrics', () => {
    expect(() => planMetrics({ fx: disc, list: 'is', nGenerated: 10, nReference: 10 })).toThrow(/no class-score/);
    expect(() => planMetrics({ fx: mobilenet, list: 'fd,disc', nGenerated: 10, nReference: 10 })).toThrow(/'disc' needs a discriminator extractor/);
    expect(() => planMetrics({ fx: mobilenet, list: 'ssim', nGenerated: 10, nReference: 10 })).toThrow(/compares image pairs/);
    expect(() => checkMetricNames('fd,fid')).toThrow(/unknown metric 'fid'/);
    expect(() => checkMetricNames('fd,,kid')).toThrow(/empty metric name/);
    expect(() => checkMetricNames('fd,disc')).not.toThrow();
  });
});
