import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { main } from '../../src/cli/main.js';
import { generatePolygons } from '../../src/data/index.js';
import { loadGenerator } from '../../src/models/load.js';
import type { Generator, LoadOptions } from '../../src/models/types.js';
import { Rng } from '../../src/rng.js';
import { BatchSource, disposeBatch } from '../../reference-models/batches.js';
import { getReferenceModel } from '../../reference-models/index.js';
import { disposeTrainable } from '../../reference-models/train-state.js';
import { LATENT, buildDcganLike, saveLayersModel, writeFolderManifest, writeGraphModel } from './fixtures.js';

/** TF.js layers generators sampled on onnxruntime after conversion, against the same checkpoint on tfjs. */
let tmp: string;
let cacheDir: string;
const savedEnv = process.env['GENBENCH_ENGINE'];
beforeAll(async () => {
  await initBackend();
  tmp = await mkdtemp(join(tmpdir(), 'genbench-tfjs-onnx-'));
  cacheDir = join(tmp, 'onnx-cache');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env['GENBENCH_ENGINE'];
  else process.env['GENBENCH_ENGINE'] = savedEnv;
});

const load = (dir: string, opts: LoadOptions = {}): Promise<Generator> => loadGenerator(dir, { cacheDir, ...opts });

/** Max |a - b| of two same-length arrays. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Samples `dir` on both engines (same seed, odd batch size) and checks they agree to 1e-4. */
async function bothEngines(dir: string, n: number, labels?: Int32Array): Promise<{ ort: Generator; images: Float32Array }> {
  const opts = { n, seed: 7, batchSize: 3, ...(labels ? { labels } : {}) };
  const gt = await load(dir, { engine: 'tfjs' });
  const ref = await gt.sample(opts);
  gt.dispose();
  const go = await load(dir, { engine: 'onnx' });
  const got = await go.sample(opts);
  go.dispose();
  expect(go.engine).toMatch(/^onnxruntime-node .*\(cpu, converted from TF\.js\)$/);
  expect(gt.engine).toMatch(/^tfjs /);
  expect([got.n, got.height, got.width, got.channels, got.range]).toEqual([ref.n, ref.height, ref.width, ref.channels, ref.range]);
  expect(maxDiff(got.data, ref.data)).toBeLessThan(1e-4);
  expect(got.data.some((v) => Math.abs(v) > 1e-3)).toBe(true);
  return { ort: go, images: got.data };
}

/** A reference model's exported generator after one training step (so BatchNorm statistics are not the identity). */
async function referenceCheckpoint(name: 'dcgan' | 'cdcgan' | 'vae', dir: string): Promise<void> {
  const model = getReferenceModel(name);
  const shape = { height: 28, width: 28, channels: 1 };
  const classes = name === 'cdcgan' ? 4 : 0;
  const net = model.build({ shape, classes, rng: new Rng(1) });
  const polys = generatePolygons({ seed: 5, start: 0, stop: 8 });
  const batch = new BatchSource({ images: polys.images, labels: polys.labels.map((l) => l - 3) }, model.inputRange).range(0, 8);
  try {
    net.step(batch, new Rng(9));
    await saveLayersModel(net.exported, dir);
  } finally {
    disposeBatch(batch);
    disposeTrainable(net);
  }
  await writeFolderManifest(dir, { name, ...net.manifest, output_layout: 'NHWC', image_shape: [28, 28, 1] }, ['weights.bin']);
}

describe('TF.js layers generators on onnxruntime', () => {
  it('a DCGAN-like checkpoint gives the same samples on both engines; the conversion is cached', async () => {
    const dir = join(tmp, 'tiny');
    const model = buildDcganLike();
    await saveLayersModel(model, dir);
    model.dispose();
    await writeFolderManifest(dir, {}, ['weights.bin']);
    const { ort } = await bothEngines(dir, 7);
    expect(ort.path).toBe(join(dir, 'model.json'));
    expect(ort.latentDim).toBe(LATENT);
    const converted = (await readdir(cacheDir)).filter((f) => f.endsWith('.onnx'));
    expect(converted).toHaveLength(1);
    (await load(dir)).dispose(); // default engine: onnx, from the cache
    expect((await readdir(cacheDir)).filter((f) => f.endsWith('.onnx'))).toEqual(converted);
  });

  it.each(['dcgan', 'cdcgan', 'vae'] as const)('reference model %s (after one step) agrees on both engines', async (name) => {
    const dir = join(tmp, name);
    await referenceCheckpoint(name, dir);
    const labels = name === 'cdcgan' ? Int32Array.from({ length: 6 }, (_, i) => (i * 3) % 4) : undefined;
    const { ort, images } = await bothEngines(dir, 6, labels);
    if (name === 'cdcgan') {
      expect(ort.classes).toBe(4);
      const g = await load(dir);
      const other = await g.sample({ n: 6, seed: 7, labels: new Int32Array(6) }); // all class 0
      g.dispose();
      expect(maxDiff(other.data, images)).toBeGreaterThan(1e-3); // the label reaches the network
    }
  });
});

describe('engine choice and fallback', () => {
  let dir: string;
  beforeAll(async () => {
    dir = join(tmp, 'choice');
    const model = buildDcganLike();
    await saveLayersModel(model, dir);
    model.dispose();
    await writeFolderManifest(dir, {}, ['weights.bin']);
  });

  it('GENBENCH_ENGINE sets the default, the option wins, a bad value is a USAGE error', async () => {
    process.env['GENBENCH_ENGINE'] = 'tfjs';
    const a = await load(dir);
    expect(a.engine).toMatch(/^tfjs /);
    a.dispose();
    const b = await load(dir, { engine: 'onnx' });
    expect(b.engine).toMatch(/^onnxruntime-node /);
    b.dispose();
    process.env['GENBENCH_ENGINE'] = 'torch';
    await expect(load(dir)).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/GENBENCH_ENGINE='torch'/) });
  });

  it('a layer the converter lacks falls back to tfjs with the reason', async () => {
    const fb = join(tmp, 'upsample');
    const z = tf.input({ shape: [LATENT], name: 'z' });
    const h = tf.layers.dense({ units: 16, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), name: 'fc' }).apply(z);
    const r = tf.layers.reshape({ targetShape: [4, 4, 1], name: 'reshape' }).apply(h);
    const x = tf.layers.upSampling2d({ size: [2, 2], name: 'x' }).apply(r) as tf.SymbolicTensor;
    const model = tf.model({ inputs: z, outputs: x });
    await saveLayersModel(model, fb);
    model.dispose();
    await writeFolderManifest(fb, {}, ['weights.bin']);
    const notes: string[] = [];
    const g = await load(fb, { onNote: (m) => notes.push(m) });
    expect(g.engine).toMatch(/^tfjs /);
    expect((await g.sample({ n: 2, seed: 0 })).data.length).toBe(2 * 64);
    g.dispose();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/layer 'x' \(UpSampling2D\) is not supported.*running on tfjs/);
  });

  it('graph models run on tfjs', async () => {
    const gdir = join(tmp, 'graph');
    await writeGraphModel(gdir);
    await writeFolderManifest(gdir, { format: 'tfjs-graph', latent_dim: 4, image_shape: [2, 2, 3] }, ['group1-shard1of1.bin']);
    const g = await load(gdir, { engine: 'onnx' });
    expect(g.engine).toMatch(/^tfjs /);
    g.dispose();
  });

  it('genbench sample --engine picks the engine and rejects unknown names', async () => {
    const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
      const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
      try {
        return { code: await main(['node', 'genbench', 'sample', '--generator', dir, '--n', '2', '--json', ...args]), out, err };
      } finally {
        o.mockRestore();
        e.mockRestore();
      }
    };
    const home = process.env['GENBENCH_HOME'];
    process.env['GENBENCH_HOME'] = join(tmp, 'home');
    try {
      const t = await run(['--engine', 'tfjs']);
      expect(t.code).toBe(0);
      expect(JSON.parse(t.out).engine).toMatch(/^tfjs /);
      const o = await run(['--engine', 'onnx']);
      expect(o.code).toBe(0);
      expect(JSON.parse(o.out).engine).toMatch(/converted from TF\.js/);
      const bad = await run(['--engine', 'torch']);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--engine torch: use 'onnx' or 'tfjs'/);
    } finally {
      if (home === undefined) delete process.env['GENBENCH_HOME'];
      else process.env['GENBENCH_HOME'] = home;
    }
  });
});
