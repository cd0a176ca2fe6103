import { loadavg } from 'node:os';
import { bench, describe } from 'vitest';
import { kid } from '../../metrics/kid.js';
import { benchSets, report, runReference } from './kid-prdc-data.js';

/**
 * KID at N = 10,000, d = 768 (100 subsets of 1000): genbench (float32 and float64 products) vs torch-fidelity's
 * estimator as bench/kid_ref.py of GENBENCH_ASSETS computes it (numpy float64), in the same run, alternating reference
 * and genbench KID_BENCH_REPEAT times (default 2) so that both see the same load; the 1-minute load average is printed
 * with each line. Subsets differ (numpy's RNG vs genbench's), so the values agree to the subset std, not exactly; the
 * exact check is test/metrics/kid.test.ts.
 * Run: GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/kid.bench.ts
 */
describe('kid N=10000 d=768', () => {
  bench(
    'genbench kid (float32 and float64 products) vs kid_ref.py',
    async () => {
      const sets = benchSets();
      const repeat = Number(process.env['KID_BENCH_REPEAT'] ?? 2);
      for (let rep = 0; rep < repeat; rep++) {
        const ref = runReference('kid_ref.py', [sets.files.generated, sets.files.reference]);
        for (const products of ['float32', 'float64'] as const) {
          const t = performance.now();
          const r = await kid(sets, { products });
          const s = (performance.now() - t) / 1000;
          const load = loadavg()[0]!.toFixed(2);
          report(`kid (${products} products)`, s, ref['seconds_total']!, { load, genbench: [r.value, r.std], reference: [ref['kid'], ref['kid_std']] });
        }
      }
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
