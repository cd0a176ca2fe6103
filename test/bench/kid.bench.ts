import { loadavg } from 'node:os';
import { bench, describe } from 'vitest';
import { KID_DEFAULTS, kid } from '../../metrics/kid.js';
import { benchSets, D, N, report, runReference } from './kid-prdc-data.js';
import { benchPeak } from './floors.js';
import { describePeak, floorSeconds, median, printTable } from './reference-process.mjs';

/**
 * KID at N = 10,000, d = 768 (100 subsets of 1000): genbench (float32 and float64 products) vs torch-fidelity's
 * estimator as bench/kid_ref.py of GENBENCH_ASSETS computes it (numpy float64, run in the fair environment of
 * reference-process.mjs), in the same run, alternating reference and genbench KID_BENCH_REPEAT times (default 2) so
 * that both see the same load; the 1-minute load average is printed with each line, then the table of medians
 * with the GEMM floor of the kernel products (per subset x.y^T, and x.x^T, y.y^T counted once as symmetric:
 * 4 m^2 d flops). Subsets differ (numpy's RNG vs genbench's), so the values agree to the subset std, not exactly;
 * the exact check is test/metrics/kid.test.ts.
 * Run: GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/kid.bench.ts
 */
describe(`kid N=${N} d=${D}`, () => {
  bench(
    'genbench kid (float32 and float64 products) vs kid_ref.py',
    async () => {
      const sets = benchSets();
      const peak = await benchPeak();
      const repeat = Number(process.env['KID_BENCH_REPEAT'] ?? 2);
      const times = { float32: [] as number[], float64: [] as number[], reference: [] as number[] };
      let kernel = '';
      for (let rep = 0; rep < repeat; rep++) {
        const ref = runReference('kid_ref.py', [sets.files.generated, sets.files.reference]);
        kernel = ref.kernel;
        times.reference.push(ref.out['seconds_total']!);
        for (const products of ['float32', 'float64'] as const) {
          const t = performance.now();
          const r = await kid(sets, { products });
          const s = (performance.now() - t) / 1000;
          times[products].push(s);
          const load = loadavg()[0]!.toFixed(2);
          report(`kid (${products} products)`, s, ref.out['seconds_total']!, { load, genbench: [r.value, r.std], reference: [ref.out['kid'], ref.out['kid_std']] });
        }
      }
      const { subsets, subsetSize: m } = KID_DEFAULTS;
      const flops = subsets * 4 * m * m * D;
      const work = (p: string) => `KID, ${subsets} subsets of ${m}, d = ${D}, ${p} products (median of ${repeat})`;
      printTable(
        (['float64', 'float32'] as const).map((p) => ({ work: work(p), genbench: median(times[p]), reference: median(times.reference), floor: floorSeconds(flops, p, peak), kernel })),
        describePeak(peak),
      );
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
