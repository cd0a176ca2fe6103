import { bench, describe } from 'vitest';
import { kid } from '../../metrics/kid.js';
import { benchSets, report, runReference } from './kid-prdc-data.js';

/**
 * KID at N = 10,000, d = 768 (100 subsets of 1000): genbench vs torch-fidelity's estimator as
 * ../shared/bench/kid_ref.py computes it (numpy float64), in the same run. Subsets differ (numpy's RNG vs
 * genbench's), so the values agree to the subset std, not exactly; the exact check is test/metrics/kid.test.ts.
 * Run: GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/kid.bench.ts
 */
describe('kid N=10000 d=768', () => {
  bench(
    'genbench kid (float64 and float32 products) vs kid_ref.py',
    async () => {
      const sets = benchSets();
      const ref = runReference('kid_ref.py', [sets.files.generated, sets.files.reference]);
      for (const products of ['float64', 'float32'] as const) {
        const t = performance.now();
        const r = await kid(sets, { products });
        const s = (performance.now() - t) / 1000;
        report(`kid (${products} products)`, s, ref['seconds_total']!, { genbench: [r.value, r.std], reference: [ref['kid'], ref['kid_std']] });
      }
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
