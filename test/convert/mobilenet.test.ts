import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { convertLayersModel } from '../../src/convert/convert.js';
import { PIXELS_INPUT } from '../../src/convert/preprocess-graph.js';
import { readLayersModelFiles, type Weight } from '../../src/convert/weights.js';
import { mobilenetPreprocessing } from '../../src/features/mobilenet.js';
import { preprocessBatch } from '../../src/features/preprocess.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { loadLayersModelFromFiles } from '../../src/models/tfjs-io.js';
import { Rng } from '../../src/rng.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { mnistImages } from '../features/fixtures.js';

const shared = optionalSharedAssets();
const LAYERS = ['global_average_pooling2d_1', 'conv_preds', 'reshape_2'];

/** Two MNIST digits and one seeded RGB noise image, all 28x28x3 after gray -> RGB. */
async function images(): Promise<ImageBatchU8> {
  const mnist = await mnistImages(2);
  const rng = new Rng(21);
  const data = new Uint8Array(3 * 28 * 28 * 3);
  for (let i = 0; i < 2 * 784; i++) data.fill(mnist.data[i]!, i * 3, i * 3 + 3);
  for (let i = 2 * 784 * 3; i < data.length; i++) data[i] = rng.int(256);
  return { data, n: 3, height: 28, width: 28, channels: 3 };
}

describe.skipIf(!shared).each(['0.25', '0.75'])('MobileNet v1 %s converted to ONNX', (alpha) => {
  const dir = join(shared ?? '', `models/mobilenet_v1_${alpha}_224`);
  let files: { modelJson: { modelTopology?: unknown }; weights: Map<string, Weight> };
  let batch: ImageBatchU8;
  let x: Float32Array;
  let want: Float32Array[];

  beforeAll(async () => {
    await initBackend();
    files = await readLayersModelFiles(dir);
    batch = await images();
    x = preprocessBatch(batch, mobilenetPreprocessing('bilinear'));
    const base = await loadLayersModelFromFiles(dir);
    const probe = tf.model({ inputs: base.inputs, outputs: LAYERS.map((l) => base.getLayer(l).output as tf.SymbolicTensor) });
    const outs = tf.tidy(() => probe.predict(tf.tensor(x, [batch.n, 224, 224, 3])) as tf.Tensor[]);
    want = outs.map((t) => t.dataSync() as Float32Array);
    tf.dispose(outs);
    base.dispose();
  });

  it('features, logits and softmax equal tfjs to 1e-4', async () => {
    const bytes = convertLayersModel(files.modelJson, files.weights, { outputs: LAYERS });
    const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
    const got = await s.run({ input_1: new ort.Tensor('float32', x, [batch.n, 224, 224, 3]) });
    await s.release();
    LAYERS.forEach((name, k) => {
      const o = got[name]!.data as Float32Array;
      const w = want[k]!;
      expect(o.length).toBe(w.length);
      const scale = Math.max(1, ...w.map(Math.abs));
      const err = Math.max(...o.map((v, i) => Math.abs(v - w[i]!)));
      expect(err / scale, name).toBeLessThan(1e-4);
    });
  });

  it('the in-graph preprocessing gives preprocessBatch bit for bit (28 -> 224 gray, RGB; 33x30 RGBA bicubic)', async () => {
    const rng = new Rng(5);
    const rgba: ImageBatchU8 = { data: Uint8Array.from({ length: 2 * 33 * 30 * 4 }, () => rng.int(256)), n: 2, height: 33, width: 30, channels: 4 };
    for (const [imgs, filter] of [[await mnistImages(3), 'bilinear'], [batch, 'bilinear'], [rgba, 'bicubic']] as const) {
      const p = mobilenetPreprocessing(filter);
      const pre = { inHeight: imgs.height, inWidth: imgs.width, inChannels: imgs.channels as 1 | 3 | 4, preprocessing: p };
      const bytes = convertLayersModel(files.modelJson, files.weights, { outputs: ['input_1'], preprocess: pre });
      const s = await ort.InferenceSession.create(bytes);
      const got = await s.run({ [PIXELS_INPUT]: new ort.Tensor('uint8', imgs.data, [imgs.n, imgs.height, imgs.width, imgs.channels]) });
      await s.release();
      const a = got['input_1']!.data as Float32Array;
      const b = preprocessBatch(imgs, p);
      expect(a.length).toBe(b.length);
      let mismatches = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
      expect(mismatches).toBe(0);
    }
  });
});
