import { execFileSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { bench, describe } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/rng.js';
import { getReferenceModel } from '../../reference-models/index.js';
import { disposeTrainable } from '../../reference-models/train-state.js';
import { benchPeak, dcganStepFlops } from '../bench/floors.js';
import { describePeak, floorSeconds, median, printTable, runReference } from '../bench/reference-process.mjs';

/**
 * The reference-model DCGAN step (batch 64, 28x28) on wasm against bench/dcgan_step_torch.py of GENBENCH_ASSETS
 * (PyTorch CPU, 1 thread), alternating ROUNDS times in one run so that both see the same machine load; prints each
 * round, the median ratios (wall clock and CPU time) and the load average, then the table of medians with the
 * step's floor (test/bench/floors.ts). PyTorch runs in the fair environment of test/bench/reference-process.mjs.
 * For a shared, loaded machine, where wall-clock ratios swing with the load (the plain train-step bench times each
 * side once, by wall clock).
 *
 *   GENBENCH_ASSETS=../shared npx vitest bench --run test/backend/dcgan-vs-torch.bench.ts
 *
 * Env: ROUNDS (default 4), ROUND_STEPS (genbench steps per round, default 6), GENBENCH_PYTHON (/usr/bin/python3).
 */
const B = 64;
const ROUNDS = Number(process.env['ROUNDS'] ?? 4);
const STEPS = Number(process.env['ROUND_STEPS'] ?? 6);

/**
 * Seconds per PyTorch step, wall clock or CPU time: for CPU time the script runs with time.time swapped for
 * time.process_time (its own timer then reads the process's CPU seconds, which a loaded machine inflates far less).
 */
function torchSeconds(cpu: boolean): { seconds: number; kernel: string } {
  const prelude = cpu ? 'import time; time.time = time.process_time' : '';
  const r = runReference({ script: 'dcgan_step_torch.py', args: ['1'], prelude });
  const m = /step ms ([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`dcgan_step_torch.py printed no 'step ms': ${r.stdout}`);
  return { seconds: Number(m[1]) / 1000, kernel: r.kernel };
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function compare(): Promise<string> {
  await initBackend('wasm');
  const net = getReferenceModel('dcgan').build({ shape: { height: 28, width: 28, channels: 1 }, classes: 10, rng: new Rng(0) });
  const rng = new Rng(1);
  const images = tf.tensor4d(rng.fillNormal(new Float32Array(B * 784)).map((v) => Math.min(1, Math.max(-1, v))), [B, 28, 28, 1]);
  const batch = { images, labels: null, targets: null, size: B };
  const lines: string[] = [];
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  const times = { ours: [] as number[], oursCpu: [] as number[], torch: [] as number[], torchCpu: [] as number[] };
  let kernel = '';
  try {
    for (let i = 0; i < 3; i++) net.step(batch, rng.fork(`w${i}`));
    for (let r = 0; r < ROUNDS; r++) {
      const [t, c] = [performance.now(), cpuSeconds()];
      for (let i = 0; i < STEPS; i++) net.step(batch, rng.fork(`r${r}s${i}`));
      const ours = (performance.now() - t) / 1000 / STEPS;
      const oursCpu = (cpuSeconds() - c) / STEPS;
      const wall = torchSeconds(false);
      const torch = wall.seconds;
      const torchCpu = torchSeconds(true).seconds;
      kernel = wall.kernel;
      times.ours.push(ours);
      times.oursCpu.push(oursCpu);
      times.torch.push(torch);
      times.torchCpu.push(torchCpu);
      ratios.push(ours / torch);
      cpuRatios.push(oursCpu / torchCpu);
      const ms = (s: number): string => (s * 1000).toFixed(0);
      lines.push(
        `round ${r}: wall genbench ${ms(ours)} ms, PyTorch ${ms(torch)} ms, ratio ${(ours / torch).toFixed(2)}x; ` +
        `cpu genbench ${ms(oursCpu)} ms, PyTorch ${ms(torchCpu)} ms, ratio ${(oursCpu / torchCpu).toFixed(2)}x`,
      );
    }
  } finally {
    images.dispose();
    disposeTrainable(net);
  }
  const load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim();
  lines.push(`median ratio: wall ${median(ratios).toFixed(2)}x, cpu ${median(cpuRatios).toFixed(2)}x (target <= 2x); loadavg ${load}`);
  const peak = await benchPeak();
  const floor = floorSeconds(dcganStepFlops(B), 'float32', peak);
  const work = (what: string) => `DCGAN training step, batch ${B}, wasm, ${what} (median of ${ROUNDS} rounds)`;
  printTable(
    [
      { work: work('wall clock'), genbench: median(times.ours), reference: median(times.torch), floor, kernel },
      { work: work('CPU time; floor: wall clock only'), genbench: median(times.oursCpu), reference: median(times.torchCpu), floor: null, kernel },
    ],
    describePeak(peak),
  );
  return lines.join('\n');
}

describe('dcgan step vs PyTorch, alternating', () => {
  bench('compare', async () => {
    process.stdout.write((await compare()) + '\n');
  }, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
