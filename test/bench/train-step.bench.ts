import * as tf from '@tensorflow/tfjs';
import { bench, describe } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { Rng } from '../../src/rng.js';
import { getReferenceModel, REFERENCE_MODELS } from '../../reference-models/index.js';
import { disposeTrainable } from '../../reference-models/train-state.js';
import { benchPeak, dcganStepFlops } from './floors.js';
import { describePeak, floorSeconds, printTable, runReference } from './reference-process.mjs';

/**
 * Training speed: one DCGAN step (batch 64, 28x28, the architecture of bench/dcgan_step_torch.py in GENBENCH_ASSETS,
 * which reference-models/dcgan.ts is) in genbench on the chosen backend (default wasm) and in PyTorch on CPU (Debian
 * python3-torch, 1 thread, run in the fair environment of reference-process.mjs), in the same run; prints both times
 * per step and the ratio (target: genbench <= 2x). Then images/s of every reference model's step at batch 64 (the
 * README's table), and the table row of the DCGAN step with its floor (its flops, floors.ts dcganStepFlops, at the
 * machine's float32 GEMM peak on all cores).
 *
 *   GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/train-step.bench.ts
 *
 * Env: TRAIN_BENCH_STEPS (timed steps, default 10, after 3 warm-up steps), GENBENCH_BACKEND (wasm),
 * GENBENCH_PYTHON (/usr/bin/python3), TRAIN_BENCH_THREADS (torch threads, 1).
 */
const B = 64;
const STEPS = Number(process.env['TRAIN_BENCH_STEPS'] ?? 10);

/** Mean seconds per step of `name` at batch B on random data (images N(0,1) clipped to the input range; translators and dann take them as their targets too). */
function timeSteps(name: string, steps: number): number {
  const model = getReferenceModel(name);
  const net = model.build({ shape: { height: 28, width: 28, channels: 1 }, classes: 10, rng: new Rng(0) });
  const rng = new Rng(1);
  const [lo, hi] = model.inputRange;
  const images = tf.tensor4d(rng.fillNormal(new Float32Array(B * 784)).map((v) => Math.min(hi, Math.max(lo, v))), [B, 28, 28, 1]);
  const labels = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 10), 'int32');
  const batch = { images, labels, targets: model.pairing !== undefined ? images : null, size: B }; // targets of two-set models: timing only
  try {
    for (let i = 0; i < 3; i++) net.step(batch, rng.fork(`warm-${i}`));
    const t = performance.now();
    for (let i = 0; i < steps; i++) net.step(batch, rng.fork(`step-${i}`));
    return (performance.now() - t) / 1000 / steps;
  } finally {
    tf.dispose([images, labels]);
    disposeTrainable(net);
  }
}

function torchStep(): { seconds: number; kernel: string } {
  const r = runReference({ script: 'dcgan_step_torch.py', args: [process.env['TRAIN_BENCH_THREADS'] ?? '1'] });
  const m = /step ms ([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(`dcgan_step_torch.py printed no 'step ms': ${r.stdout}`);
  return { seconds: Number(m[1]) / 1000, kernel: r.kernel };
}

describe('training step, batch 64, 28x28', () => {
  bench(
    'genbench dcgan step vs dcgan_step_torch.py, then images/s per reference model',
    async () => {
      const backend = await initBackend(process.env['GENBENCH_BACKEND'] ?? 'wasm');
      const ours = timeSteps('dcgan', STEPS);
      const { seconds: torch, kernel } = torchStep();
      const lines = [
        `dcgan step, batch ${B}: genbench (${backend.name}) ${(ours * 1000).toFixed(0)} ms, PyTorch CPU ${(torch * 1000).toFixed(0)} ms, ratio ${(ours / torch).toFixed(2)}x (target <= 2x)`,
      ];
      for (const name of REFERENCE_MODELS.keys()) {
        const s = name === 'dcgan' ? ours : timeSteps(name, Math.max(2, Math.round(STEPS / 2)));
        lines.push(`  ${name.padEnd(10)} ${(s * 1000).toFixed(0).padStart(6)} ms/step ${(B / s).toFixed(0).padStart(6)} img/s`);
      }
      process.stdout.write(lines.join('\n') + '\n');
      const peak = await benchPeak();
      const work = `DCGAN training step, batch ${B}, 28x28, genbench ${backend.name} (mean of ${STEPS} steps)`;
      printTable([{ work, genbench: ours, reference: torch, floor: floorSeconds(dcganStepFlops(B), 'float32', peak), kernel }], describePeak(peak));
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});
