import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { createMobilenetExtractor, MOBILENET_FEATURES, MOBILENET_LOGITS, MOBILENET_PROBABILITIES } from '../../src/features/mobilenet.js';
import { createMobilenetOrtExtractor } from '../../src/features/mobilenet-ort.js';
import type { FeatureExtractor } from '../../src/features/types.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { optionalSharedAssets } from '../helpers/assets.js';
import { mnistImages } from '../features/fixtures.js';

const shared = optionalSharedAssets();
const ALL = [MOBILENET_FEATURES, MOBILENET_LOGITS, MOBILENET_PROBABILITIES];

/** max |a - b| / max(1e-6, max |b|): relative to the layer's scale. */
function relErr(a: Matrix, b: Matrix): number {
  expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
  let err = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.data.length; i++) {
    err = Math.max(err, Math.abs(a.data[i]! - b.data[i]!));
    scale = Math.max(scale, Math.abs(b.data[i]!));
  }
  return err / scale;
}

describe.skipIf(!shared).each(['0.25', '0.75'] as const)('ORT MobileNet v1 %s extractor', (alpha) => {
  let ortFx: FeatureExtractor;
  let tfjsFx: FeatureExtractor;
  let images: ImageBatchU8;
  let cacheDir: string;

  beforeAll(async () => {
    await initBackend();
    cacheDir = await mkdtemp(join(tmpdir(), 'genbench-ort-mobilenet-'));
    ortFx = await createMobilenetOrtExtractor(alpha, { cacheDir });
    tfjsFx = await createMobilenetExtractor(alpha);
    images = await mnistImages(5);
  });
  afterAll(async () => {
    await ortFx?.dispose();
    await tfjsFx?.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('declares what the tfjs extractor declares, with its own engine', () => {
    for (const k of ['id', 'keyId', 'layers', 'defaults', 'preprocessing', 'weightsSha256'] as const) expect(ortFx[k]).toEqual(tfjsFx[k]);
    expect(ortFx.engine).toMatch(/^onnxruntime-node \d/);
  });

  it('features, logits and probabilities equal tfjs to 1e-4 (relative), batch size independent', async () => {
    const want = await tfjsFx.extract(images, { layers: ALL, batchSize: 5 });
    const got = await ortFx.extract(images, { layers: ALL, batchSize: 2 });
    for (const l of ALL) expect(relErr(got[l]!, want[l]!), l).toBeLessThan(1e-4);
    const whole = await ortFx.extract(images, { batchSize: 5 });
    expect(relErr(whole[MOBILENET_FEATURES]!, got[MOBILENET_FEATURES]!)).toBeLessThan(1e-6);
  });

  it('reuses the cached conversion in a new extractor, and refuses work after dispose', async () => {
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
    const again = await createMobilenetOrtExtractor(alpha, { cacheDir });
    const a = await again.extract(images, { batchSize: 5 });
    await again.dispose();
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.onnx'))).toHaveLength(1);
    expect(a[MOBILENET_FEATURES]!.cols).toBe(alpha === '0.75' ? 768 : 256);
    await expect(again.extract(images)).rejects.toThrow(/disposed/);
  });
});
