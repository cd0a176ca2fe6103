import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { bench, describe } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { convertLayersModel } from '../../src/convert/convert.js';
import { readLayersModelFiles } from '../../src/convert/weights.js';
import { getDataset } from '../../src/data/index.js';
import { createMobilenetExtractor, mobilenetPreprocessing } from '../../src/features/mobilenet.js';
import { createMobilenetOrtExtractor } from '../../src/features/mobilenet-ort.js';
import { onnxSessionOptions } from '../../src/backend/onnx.js';
import { preprocessBatch } from '../../src/features/preprocess.js';
import type { FeatureExtractor } from '../../src/features/types.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { sharedAssets } from '../helpers/assets.js';
import { referenceScript, runReference } from './reference-process.mjs';

/**
 * Feature-extraction speed, MobileNet v1 alpha 0.75 at 224x224 up to global average pooling (768 features), in one run:
 * genbench on onnxruntime-node (MNIST 28x28 uint8 in, preprocessing inside the graph, batch sizes 16/32/64), the same
 * ONNX network fed preprocessed float input (network only), genbench on tfjs (wasm backend unless GENBENCH_BACKEND says
 * otherwise), and bench/mobilenet_torch.py of GENBENCH_ASSETS (PyTorch CPU, random weights, network only, run in the
 * fair environment of reference-process.mjs, which names its kernel). Prints images/s and the ratios.
 *
 *   GENBENCH_ASSETS=../shared npx vitest bench --run test/bench/features.bench.ts
 *
 * Env: FEATURES_BENCH_N (ORT images, 512), FEATURES_BENCH_TFJS_N (tfjs images, 64), GENBENCH_PYTHON (/usr/bin/python3).
 */
const N_ORT = Number(process.env['FEATURES_BENCH_N'] ?? 512);
const N_TFJS = Number(process.env['FEATURES_BENCH_TFJS_N'] ?? 64);
const THREADS = availableParallelism();

async function timed(fx: FeatureExtractor, images: ImageBatchU8, batchSize: number): Promise<number> {
  await fx.extract({ ...images, n: Math.min(batchSize, images.n) }, { batchSize }); // warm-up (and conversion/session)
  const t = performance.now();
  await fx.extract(images, { batchSize });
  return images.n / ((performance.now() - t) / 1000);
}

async function ortNetworkOnly(images: ImageBatchU8, batch: number): Promise<number> {
  const files = await readLayersModelFiles(join(sharedAssets(), 'models/mobilenet_v1_0.75_224'));
  const bytes = convertLayersModel(files.modelJson, files.weights, { outputs: ['global_average_pooling2d_1'] });
  const session = await ort.InferenceSession.create(bytes, onnxSessionOptions());
  const x = preprocessBatch({ ...images, n: batch }, mobilenetPreprocessing('bilinear'));
  const feed = { input_1: new ort.Tensor('float32', x, [batch, 224, 224, 3]) };
  await session.run(feed);
  const reps = Math.max(1, Math.floor(images.n / batch));
  const t = performance.now();
  for (let r = 0; r < reps; r++) await session.run(feed);
  const rate = (reps * batch) / ((performance.now() - t) / 1000);
  await session.release();
  return rate;
}

function torchRate(batch: number): { rate: number | string; kernel: string } {
  const script = referenceScript('mobilenet_torch.py');
  if (!existsSync(script)) return { rate: `missing ${script}`, kernel: '' };
  try {
    const r = runReference({ script: 'mobilenet_torch.py', args: [THREADS, batch], timeoutS: 600 });
    return { rate: r.json?.['images_per_second'] ?? 'no JSON line', kernel: r.kernel };
  } catch (e) {
    return { rate: `not run (${String((e as Error).message).trim().split('\n').pop()}; apt-get install python3-torch)`, kernel: '' };
  }
}

describe('features: MobileNet v1 0.75, 224x224, global average pooling', () => {
  bench(
    'genbench ORT vs genbench tfjs vs PyTorch CPU',
    async () => {
      const images = (await getDataset('mnist').load(`test[:${N_ORT}]`)).images;
      const rows: [string, number | string][] = [];
      const torch = torchRate(32);
      rows.push([`PyTorch CPU (mobilenet_torch.py, ${THREADS} threads, batch 32, network only; ${torch.kernel})`, torch.rate]);
      const ortFx = await createMobilenetOrtExtractor('0.75');
      for (const b of [16, 32, 64]) rows.push([`genbench ORT (uint8 28x28 in, preprocessing in graph), batch ${b}`, await timed(ortFx, images, b)]);
      await ortFx.dispose();
      rows.push(['genbench ORT network only (float 224x224 in), batch 32', await ortNetworkOnly(images, 32)]);
      const backend = await initBackend();
      const tfjsFx = await createMobilenetExtractor('0.75');
      rows.push([`genbench tfjs (${backend.name}), batch 32`, await timed(tfjsFx, { ...images, n: N_TFJS }, 32)]);
      await tfjsFx.dispose();
      report(rows);
    },
    { iterations: 1, warmupIterations: 0, time: 0, warmupTime: 0 },
  );
});

function report(rows: [string, number | string][]): void {
  const num = (v: number | string): number => (typeof v === 'number' ? v : NaN);
  const best = Math.max(...rows.filter(([k]) => k.includes('preprocessing in graph')).map(([, v]) => num(v)));
  const tfjs = num(rows.find(([k]) => k.startsWith('genbench tfjs'))![1]);
  const torch = num(rows[0]![1]);
  console.log(`\nMobileNet v1 0.75 features, images/s (${THREADS} cores; load average ${loadavg().map((x) => x.toFixed(1)).join(', ')})`);
  for (const [k, v] of rows) console.log(`  ${typeof v === 'number' ? v.toFixed(1).padStart(8) : '     n/a'}  ${k}${typeof v === 'string' ? `: ${v}` : ''}`);
  console.log(`  ratios: genbench ORT (best batch) / tfjs = ${(best / tfjs).toFixed(1)}x; / PyTorch = ${Number.isNaN(torch) ? 'n/a' : `${(best / torch).toFixed(1)}x`}`);
}
