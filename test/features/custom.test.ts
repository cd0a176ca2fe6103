import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '../../src/backend/index.js';
import { createExtractor, extractCached, imagesInputs, parseFeaturesManifest } from '../../src/features/index.js';
import type { ImageBatchU8 } from '../../src/io/image.js';
import { resizeImage } from '../../src/io/image-codec.js';
import { saveLayersModel } from '../models/fixtures.js';
import { tinyLayersModel, tinyOnnxModel } from './fixtures.js';

/** Two 8x8 gray images with varied pixels ((i * 37 + 11) mod 256). */
function images(): ImageBatchU8 {
  const data = Uint8Array.from({ length: 2 * 64 }, (_, i) => (i * 37 + 11) % 256);
  return { data, n: 2, height: 8, width: 8, channels: 1 };
}

/** What the extractor should feed the network: each image resized 8 -> 4 with `area`, scaled to [0, 1]. */
function expectedPixels(b: ImageBatchU8, i: number): number[] {
  const img = { data: b.data.subarray(i * 64, (i + 1) * 64), width: 8, height: 8, channels: 1 as const };
  return Array.from(resizeImage(img, { height: 4, width: 4, filter: 'area' }).data, (v) => v / 255);
}

const PREP = { size: [4, 4], filter: 'area', range: [0, 1], channels: 1 };

let tmp: string;
beforeAll(async () => {
  await initBackend();
  tmp = await mkdtemp(join(tmpdir(), 'genbench-custom-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('custom:<path> with an ONNX model', () => {
  it('reads X.features.json beside X.onnx, preprocesses as declared and returns each named output', async () => {
    await writeFile(join(tmp, 'tiny.onnx'), tinyOnnxModel());
    const manifest = {
      name: 'tiny-onnx',
      format: 'onnx',
      file: 'tiny.onnx',
      input: 'x',
      preprocessing: PREP,
      outputs: { flat: { kind: 'features' }, mean: { kind: 'logits', dim: 1 } },
    };
    await writeFile(join(tmp, 'tiny.features.json'), JSON.stringify(manifest));
    const fx = await createExtractor(`custom:${join(tmp, 'tiny.onnx')}`);
    try {
      expect(fx.keyId).toBe('custom:tiny-onnx');
      expect(fx.layers).toEqual([
        { name: 'flat', kind: 'features', dim: 16 },
        { name: 'mean', kind: 'logits', dim: 1 },
      ]);
      expect(fx.defaults).toEqual({ features: 'flat', classScores: 'mean' });
      expect(fx.preprocessing).toMatchObject({ height: 4, width: 4, filter: 'area', range: [0, 1], channels: 1, layout: 'NCHW' });
      const b = images();
      const out = await fx.extract(b, { layers: ['flat', 'mean'], batchSize: 1 });
      for (let i = 0; i < 2; i++) {
        const want = expectedPixels(b, i);
        const got = Array.from(out['flat']!.data.subarray(i * 16, (i + 1) * 16));
        got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 6));
        expect(out['mean']!.data[i]).toBeCloseTo(want.reduce((s, v) => s + v, 0) / 16, 6);
      }
    } finally {
      await fx.dispose();
    }
  });
});

describe('extractCached with a real extractor', () => {
  it('computes both layers once, then reads them from the cache; another filter misses', async () => {
    await writeFile(join(tmp, 'c.onnx'), tinyOnnxModel());
    const manifest = { name: 'c', format: 'onnx', file: 'c.onnx', input: 'x', preprocessing: PREP, outputs: { flat: { kind: 'features' }, mean: { kind: 'logits' } } };
    await writeFile(join(tmp, 'c.features.json'), JSON.stringify(manifest));
    await writeFile(join(tmp, 'c2.onnx'), tinyOnnxModel());
    await writeFile(join(tmp, 'c2.features.json'), JSON.stringify({ ...manifest, file: 'c2.onnx', preprocessing: { ...PREP, filter: 'bilinear' } }));
    const dir = join(tmp, 'cache');
    const b = images();
    const fx = await createExtractor(`custom:${join(tmp, 'c.onnx')}`);
    const fx2 = await createExtractor(`custom:${join(tmp, 'c2.onnx')}`);
    try {
      const first = await extractCached(fx, b, imagesInputs(b), { layers: ['flat', 'mean'], dir });
      const second = await extractCached(fx, b, imagesInputs(b), { layers: ['flat', 'mean'], dir });
      expect([first['flat']!.hit, first['mean']!.hit, second['flat']!.hit, second['mean']!.hit]).toEqual([false, false, true, true]);
      expect(second['flat']!.matrix).toEqual(first['flat']!.matrix);
      const other = await extractCached(fx2, b, imagesInputs(b), { layers: ['flat'], dir });
      expect(other['flat']!.hit).toBe(false);
      expect(other['flat']!.key).not.toBe(first['flat']!.key);
    } finally {
      await fx.dispose();
      await fx2.dispose();
    }
  });
});

describe('custom:<path> with a TF.js layers model', () => {
  it('reads features.json in the folder, takes layer names as outputs and leaks no tensors', async () => {
    const dir = join(tmp, 'layers');
    await mkdir(dir, { recursive: true });
    const model = tinyLayersModel();
    await saveLayersModel(model, dir);
    model.dispose();
    const manifest = {
      name: 'tiny-layers',
      format: 'tfjs-layers',
      file: 'model.json',
      preprocessing: { ...PREP, channels: 1 },
      outputs: { flat: { kind: 'features' }, score: { kind: 'logits' } },
    };
    await writeFile(join(dir, 'features.json'), JSON.stringify(manifest));
    const before = tf.memory().numTensors;
    const fx = await createExtractor(`custom:${dir}`);
    try {
      expect(fx.layers.map((l) => [l.name, l.dim])).toEqual([
        ['flat', 16],
        ['score', 2],
      ]);
      expect(fx.preprocessing.layout).toBe('NHWC');
      expect(fx.engine).toMatch(/^onnxruntime-node .*converted from TF\.js\)$/); // converted, not run on tfjs
      const b = images();
      const during = tf.memory().numTensors;
      const out = await fx.extract(b, { layers: ['score', 'flat'] });
      expect(tf.memory().numTensors).toBe(during);
      const sum = expectedPixels(b, 1).reduce((s, v) => s + v, 0);
      expect(out['score']!.data[2]).toBeCloseTo(sum, 5); // dense with unit weights: the pixel sum, twice
      expect(out['score']!.data[3]).toBeCloseTo(sum, 5);
    } finally {
      await fx.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
  it('runs a model the converter cannot read on tfjs and says why in the engine string', async () => {
    const dir = join(tmp, 'layers-permute');
    await mkdir(dir, { recursive: true });
    const x = tf.input({ shape: [4, 4, 1], name: 'x' });
    const turned = tf.layers.permute({ dims: [2, 1, 3], name: 'turned' }).apply(x) as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'flat' }).apply(turned) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: flat, name: 'permuted' });
    await saveLayersModel(model, dir);
    model.dispose();
    const manifest = { name: 'permuted', format: 'tfjs-layers', file: 'model.json', preprocessing: PREP, outputs: { flat: { kind: 'features' } } };
    await writeFile(join(dir, 'features.json'), JSON.stringify(manifest));
    const fx = await createExtractor(`custom:${dir}`);
    try {
      expect(fx.engine).toMatch(/^tfjs .*\(not run on onnxruntime: layer 'turned' \(Permute\) is not supported by the ONNX converter\)$/);
      const b = images();
      const out = await fx.extract(b, { layers: ['flat'] });
      const px = expectedPixels(b, 0);
      expect(out['flat']!.data[1]).toBeCloseTo(px[4]!, 5); // H and W swapped: (0, 1) reads the pixel at (1, 0)
    } finally {
      await fx.dispose();
    }
  });
});

describe('custom manifest validation', () => {
  const base = { name: 'm', format: 'onnx', file: 'm.onnx', input: 'x', preprocessing: PREP, outputs: { f: { kind: 'features' } } };

  it('accepts a minimal manifest and fills the filter default', () => {
    const m = parseFeaturesManifest({ ...base, preprocessing: { size: [299, 299], range: [-1, 1], channels: 3 } }, 'm.features.json');
    expect(m.preprocessing.filter).toBe('bilinear');
  });

  it.each([
    [{ ...base, preprocessing: { ...PREP, filter: 'lanczos' } }, 'preprocessing.filter'],
    [{ ...base, preprocessing: { ...PREP, range: [1, -1] } }, 'preprocessing.range'],
    [{ ...base, preprocessing: { ...PREP, channels: 2 } }, 'preprocessing.channels'],
    [{ ...base, outputs: { f: { kind: 'embedding' } } }, 'outputs.f.kind'],
    [{ ...base, outputs: {} }, 'outputs'],
    [{ ...base, input: undefined }, 'input'],
    [{ ...base, sha256: 'abc' }, 'sha256'],
  ])('names the bad field (%#: %s)', (raw, field) => {
    expect(() => parseFeaturesManifest(raw, 'm.features.json')).toThrow(new RegExp(`^m\\.features\\.json: field '${field.replace('.', '\\.')}'`));
  });

  it('says where the manifest was looked for when it is missing', async () => {
    await writeFile(join(tmp, 'lonely.onnx'), tinyOnnxModel());
    await expect(createExtractor(`custom:${join(tmp, 'lonely.onnx')}`)).rejects.toThrow(/lonely\.features\.json: custom extractor manifest not found/);
  });
});
