import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExtractor, type FeatureExtractor } from '../../src/features/index.js';
import { readNpy } from '../../src/io/npy.js';
import { optionalSharedAssets } from '../helpers/assets.js';

const shared = optionalSharedAssets();
const subs = shared === undefined ? '' : join(shared, 'fixtures/submissions');

describe.skipIf(!shared)('discriminator:<path> on the mnist-dcgan discriminator', () => {
  let fx: FeatureExtractor;
  beforeAll(async () => {
    fx = await createExtractor(`discriminator:${join(subs, 'mnist-dcgan-disc.onnx')}`);
  });
  afterAll(async () => {
    await fx?.dispose();
  });

  it('declares every named output as a layer, with NCHW [-1,1] 28x28x1 preprocessing', () => {
    expect(fx.layers.map((l) => [l.name, l.dim, l.kind])).toEqual([
      ['f1', 12544, 'features'],
      ['f2', 6272, 'features'],
      ['logit', 1, 'features'],
    ]);
    expect(fx.defaults).toEqual({ features: 'f2' });
    expect(fx.keyId).toBe('discriminator:mnist-dcgan-disc');
    expect(fx.id).toBe(`discriminator:${join(subs, 'mnist-dcgan-disc.genbench.json')}`);
    expect(fx.weightsSha256).toBe('e3c90c09a01f77020e174abad07c97145410928368702d81d807873ae1f36806');
    expect(fx.preprocessing).toMatchObject({ height: 28, width: 28, channels: 1, range: [-1, 1], layout: 'NCHW' });
    expect(fx.engine).toMatch(/^onnxruntime-node/);
  });

  it('matches the PyTorch logits on the reference samples to 1e-4, whatever the batch size', async () => {
    const samples = await readNpy(join(subs, 'mnist-dcgan.reference_samples.npy'));
    const want = await readNpy(join(subs, 'mnist-dcgan-disc.reference_logit.npy'));
    const [n, h, w] = samples.shape as [number, number, number];
    const images = { data: samples.data as Uint8Array, n, height: h, width: w, channels: 1 };
    for (const batchSize of [256, 7]) {
      const out = await fx.extract(images, { layers: ['logit', 'f1'], batchSize });
      expect([out['logit']!.rows, out['logit']!.cols]).toEqual([256, 1]);
      expect(out['f1']!.cols).toBe(12544);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out['logit']!.data[i]! - want.data[i]!));
      expect(worst).toBeLessThan(1e-4);
    }
  });
});

describe.skipIf(!shared)('discriminator manifests that are wrong', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'genbench-disc-'));
    await copyFile(join(subs, 'mnist-dcgan-disc.onnx'), join(tmp, 'd.onnx'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  async function withManifest(edit: (m: Record<string, unknown>) => void): Promise<string> {
    const m = JSON.parse(await readFile(join(subs, 'mnist-dcgan-disc.genbench.json'), 'utf8')) as Record<string, unknown>;
    m['file'] = 'd.onnx';
    edit(m);
    await writeFile(join(tmp, 'd.genbench.json'), JSON.stringify(m));
    return `discriminator:${join(tmp, 'd.onnx')}`;
  }

  it('names the output that the model does not have', async () => {
    const id = await withManifest((m) => {
      (m['outputs'] as Record<string, unknown>)['f3'] = { shape: ['n', 10] };
    });
    await expect(createExtractor(id)).rejects.toThrow(/field 'outputs' names 'f3' but the model's outputs are: f1, f2, logit/);
  });

  it('names a declared size that disagrees with the model', async () => {
    const id = await withManifest((m) => {
      (m['outputs'] as Record<string, unknown>)['f2'] = { shape: ['n', 6000] };
    });
    await expect(createExtractor(id)).rejects.toThrow(/field 'outputs.f2.dim' is 6000 but the model gives 6272/);
  });

  it('refuses a generator manifest and a stale sha256', async () => {
    await expect(createExtractor(await withManifest((m) => (m['role'] = 'generator')))).rejects.toThrow(/role' is 'generator', not 'discriminator-features'/);
    await expect(createExtractor(await withManifest((m) => (m['sha256'] = '0'.repeat(64))))).rejects.toMatchObject({ code: 'CHECKSUM' });
  });
});
