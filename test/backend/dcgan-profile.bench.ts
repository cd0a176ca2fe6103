import * as tf from '@tensorflow/tfjs';
import { bench, describe } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { startThreadedWasm } from '../../src/backend/wasm-kernels/threads.js';
import { Rng } from '../../src/rng.js';
import { getReferenceModel } from '../../reference-models/index.js';
import { disposeTrainable } from '../../reference-models/train-state.js';

/**
 * Per-kernel profile of one reference-model DCGAN step (batch 64, 28x28) on wasm: total ms per kernel name and input
 * shapes, largest first, over PROFILE_STEPS steps (default 2) after 2 warm-up steps.
 * Run: npx vitest bench --run test/backend/dcgan-profile.bench.ts
 */
const B = 64;

async function profile(): Promise<string> {
  const threads = Number(process.env['GENBENCH_WASM_THREADS'] ?? 1);
  if (threads > 1) {
    await import('@tensorflow/tfjs-backend-wasm');
    process.stdout.write(`threads ${await startThreadedWasm(threads)}\n`);
  }
  await initBackend(process.env['GENBENCH_BACKEND'] ?? 'wasm');
  const model = getReferenceModel(process.env['PROFILE_MODEL'] ?? 'dcgan');
  const net = model.build({ shape: { height: 28, width: 28, channels: 1 }, classes: 10, rng: new Rng(0) });
  const rng = new Rng(1);
  const images = tf.tensor4d(rng.fillNormal(new Float32Array(B * 784)).map((v) => Math.min(1, Math.max(-1, v))), [B, 28, 28, 1]);
  const labels = tf.tensor1d(Int32Array.from({ length: B }, (_, i) => i % 10), 'int32');
  const batch = { images, labels, targets: null, size: B };
  const steps = Number(process.env['PROFILE_STEPS'] ?? 2);
  try {
    for (let i = 0; i < 2; i++) net.step(batch, rng.fork(`w${i}`));
    const t0 = performance.now();
    const info = await tf.profile(() => {
      for (let i = 0; i < steps; i++) net.step(batch, rng.fork(`s${i}`));
    });
    const wall = (performance.now() - t0) / steps;
    const byKey = new Map<string, { ms: number; n: number }>();
    let total = 0;
    for (const k of info.kernels) {
      const ms = (await k.kernelTimeMs) as number;
      total += ms;
      const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}`;
      const e = byKey.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n += 1;
      byKey.set(key, e);
    }
    const rows = [...byKey].sort((a, b) => b[1].ms - a[1].ms).slice(0, 30);
    const lines = rows.map(([k, e]) => `${(e.ms / steps).toFixed(1).padStart(8)} ms  x${(e.n / steps).toString().padEnd(3)} ${k}`);
    return [`step wall ${wall.toFixed(0)} ms (profiled), kernels ${(total / steps).toFixed(0)} ms`, ...lines].join('\n');
  } finally {
    tf.dispose([images, labels]);
    disposeTrainable(net);
  }
}

describe('dcgan step profile', () => {
  bench('profile', async () => {
    process.stdout.write((await profile()) + '\n');
  }, { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 });
});
