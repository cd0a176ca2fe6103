import { bench, describe } from 'vitest';
import { prdc } from '../../metrics/prdc.js';
import { benchSets, report, runReference } from './kid-prdc-data.js';

/**
 * Precision/recall (k=3, <=) and density/coverage (k=5, <) at N = 10,000, d = 768: genbench's one tiled pass
 * (float32 screening + exact float64 recheck at the radii) vs clovaai-style full distance matrices
 * (bench/prdc_ref.py of GENBENCH_ASSETS, scikit-learn), in the same run; values must be identical.
 * Run: GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/prdc.bench.ts
 */
describe('prdc N=10000 d=768', () => {
  bench(
    'genbench prdc vs prdc_ref.py',
    async () => {
      const sets = benchSets();
      const ref = runReference('prdc_ref.py', [sets.files.generated, sets.files.reference]);
      const t = performance.now();
      const r = await prdc(sets);
      const s = (performance.now() - t) / 1000;
      const same = ['precision', 'recall', 'density', 'coverage'].every((k) => Math.abs(r[k as keyof typeof r] - ref[k]!) < 1e-12);
      report('prdc', s, ref['seconds_total']!, { genbench: r, reference: ref, identical: same });
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
