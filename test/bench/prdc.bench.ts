import { bench, describe } from 'vitest';
import { prdc } from '../../metrics/prdc.js';
import { benchSets, D, N, report, runReference } from './kid-prdc-data.js';
import { benchPeak } from './floors.js';
import { describePeak, floorSeconds, printTable } from './reference-process.mjs';

/**
 * Precision/recall (k=3, <=) and density/coverage (k=5, <) at N = 10,000, d = 768: genbench's one tiled pass
 * (float32 screening + exact float64 recheck at the radii) vs clovaai-style full distance matrices
 * (bench/prdc_ref.py of GENBENCH_ASSETS, scikit-learn, run in the fair environment of reference-process.mjs), in
 * the same run; values must be identical. The table's floor is the float32 GEMM time of the distance products
 * (real-fake 2 N^2 d, real-real and fake-fake counted once as symmetric: 4 N^2 d flops).
 * Run: GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/prdc.bench.ts
 */
describe(`prdc N=${N} d=${D}`, () => {
  bench(
    'genbench prdc vs prdc_ref.py',
    async () => {
      const sets = benchSets();
      const peak = await benchPeak();
      const ref = runReference('prdc_ref.py', [sets.files.generated, sets.files.reference]);
      const t = performance.now();
      const r = await prdc(sets);
      const s = (performance.now() - t) / 1000;
      const same = ['precision', 'recall', 'density', 'coverage'].every((k) => Math.abs(r[k as keyof typeof r] - ref.out[k]!) < 1e-12);
      report('prdc', s, ref.out['seconds_total']!, { genbench: r, reference: ref.out, identical: same });
      const work = `precision/recall/density/coverage, N = ${N}, d = ${D}${same ? ', identical values' : ', VALUES DIFFER'}`;
      printTable([{ work, genbench: s, reference: ref.out['seconds_total']!, floor: floorSeconds(4 * N * N * D, 'float32', peak), kernel: ref.kernel }], describePeak(peak));
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
