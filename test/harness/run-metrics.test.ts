import { describe, expect, it } from 'vitest';
import { bootstrapGroup, withIntervals } from '../../metrics/bootstrap.js';
import type { LayerInfo } from '../../src/features/types.js';
import { planMetrics } from '../../src/harness/metric-plan.js';
import { runMetrics } from '../../src/harness/run-metrics.js';
import { sharedProgress, type Progress } from '../../src/progress.js';
import { Rng } from '../../src/rng.js';

const fx = { id: 'test-extractor', defaults: { features: 'f' }, layers: [{ name: 'f', dim: 12, kind: 'features' }] as LayerInfo[] };
const rows = (seed: number, n: number, scale: number) => ({ rows: n, cols: 12, data: new Rng(seed).fillNormal(new Float64Array(n * 12)).map((v) => v * scale) });

function recorder(): Progress & { events: string[]; ticks: number } {
  const r = {
    events: [] as string[],
    ticks: 0,
    start(total: number, label: string) {
      r.events.push(`start ${total} ${label}`);
    },
    tick(n = 1) {
      r.ticks += n;
    },
    stop() {
      r.events.push('stop');
    },
  };
  return r;
}

describe('runMetrics', () => {
  it('bootstraps the groups at once with the intervals each group gives alone, under one bar', async () => {
    const generated = rows(1, 240, 1.15);
    const reference = rows(2, 260, 1);
    const plan = planMetrics({ fx, nGenerated: 240, nReference: 260, list: ['fd', 'kid', 'precision', 'recall'] });
    const bar = recorder();
    const out = await runMetrics(plan, { generated: { f: generated }, reference: { f: reference } }, { bootstrap: { resamples: 40, seed: 3 }, progress: bar });
    for (const group of plan.groups) {
      const d = group[0]!;
      const alone = withIntervals(await bootstrapGroup(d, { generated, reference }, plan.params[d.group]!, { resamples: 40, seed: 3 }));
      for (const [id, v] of Object.entries(alone)) if (plan.ids.includes(id as never)) expect(out[id]?.ci95, id).toEqual(v.ci95);
    }
    expect(bar.events.filter((e) => e.includes('bootstrap intervals'))).toEqual([`start ${plan.groups.length * 1000} bootstrap intervals`]);
    expect(bar.events.at(-1)).toBe('stop');
  });

  it('a shared bar gives each part an equal slice that its ticks fill and never overfill', () => {
    const bar = recorder();
    const shared = sharedProgress(bar, 2, 'x');
    const [a, b] = [shared.part(), shared.part()];
    a.start(4, 'a');
    for (let i = 0; i < 6; i++) a.tick();
    b.start(3, 'b');
    b.tick(1);
    expect(bar.ticks).toBe(1333);
    b.start(10, 'b again');
    for (let i = 0; i < 10; i++) b.tick();
    expect(bar.ticks).toBe(2000);
    shared.stop();
    expect(bar.events).toEqual(['start 2000 x', 'stop']);
  });

  it('adds the seconds of the bootstrap intervals to the timing it is given, and nothing without intervals', async () => {
    const plan = planMetrics({ fx, nGenerated: 120, nReference: 120, list: ['fd', 'precision'] });
    const sets = { generated: { f: rows(1, 120, 1.1) }, reference: { f: rows(2, 120, 1) } };
    const timing = { intervalSeconds: 0 };
    const t = performance.now();
    await runMetrics(plan, sets, { bootstrap: { resamples: 10, seed: 1 }, timing });
    expect(timing.intervalSeconds).toBeGreaterThan(0);
    expect(timing.intervalSeconds).toBeLessThanOrEqual((performance.now() - t) / 1000);
    const none = { intervalSeconds: 0 };
    await runMetrics(plan, sets, { timing: none });
    expect(none.intervalSeconds).toBe(0);
  });
});
