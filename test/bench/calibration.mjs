// npm run bench:calibration: the coverage table of the default intervals (README "Calibration").
// Each row: independent generated/reference pairs from a known distribution; coverage = share of default 95%
// intervals holding the metric's mean over all draws (target 0.92-0.98); width = mean width / the width just needed
// (target <= 1.3). Set CALIBRATION_DRAWS to change the number of draws (default 200; 100 at d = 256).
import { calibrate, CALIBRATION_METRICS } from '../../dist/src/harness/calibration.js';

const draws = Number(process.env.CALIBRATION_DRAWS ?? 200);
const configs = [['gaussian', 16, 200], ['mixture', 16, 200], ['gaussian', 64, 500], ['mixture', 64, 500], ['gaussian', 256, 300], ['mixture', 256, 300], ['gaussian', 256, 2000], ['mixture', 256, 2000]];
const rows = [];
for (const [scenario, d, n] of configs) {
  const k = d >= 256 ? Math.ceil(draws / 2) : draws;
  const r = await calibrate({ scenario, d, n, draws: k, seed: 1, onDraw: (i) => i % 20 === 0 && process.stderr.write(`${scenario} d=${d} n=${n}: ${i}/${k}\n`) });
  rows.push(r);
  console.log(`| ${scenario} | ${d} | ${n} | ${k} | ${CALIBRATION_METRICS.map((id) => `${r.metrics[id].coverage.toFixed(2)} / ${r.metrics[id].widthRatio.toFixed(2)}`).join(' | ')} | ${r.seconds.toFixed(0)} s |`);
}
console.log(`\n| scenario | d | n | draws | ${CALIBRATION_METRICS.join(' | ')} | time |`);
console.log(`| --- | --- | --- | --- | ${CALIBRATION_METRICS.map(() => '---').join(' | ')} | --- |`);
for (const r of rows) console.log(`| ${r.scenario} | ${r.d} | ${r.n} | ${r.metrics.fd.draws} | ${CALIBRATION_METRICS.map((id) => `${r.metrics[id].coverage.toFixed(2)} / ${r.metrics[id].widthRatio.toFixed(2)}`).join(' | ')} | ${r.seconds.toFixed(0)} s |`);
console.log('\ncells: coverage at nominal 0.95 / width ratio (1 = just wide enough)');
