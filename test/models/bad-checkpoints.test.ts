import { copyFile, mkdir, mkdtemp, readFile, rm, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { GenbenchError } from '../../src/errors.js';
import { loadGenerator } from '../../src/models/load.js';
import { optionalSharedAssets, sharedAssets } from '../helpers/assets.js';
import { buildDcganLike, saveLayersModel, writeFolderManifest } from './fixtures.js';

const skipWithoutAssets = optionalSharedAssets() === undefined;

/** Each broken checkpoint is a temp copy; each must fail with the expected code and a one-line message naming the file. */
let tmp: string;
let counter = 0;
beforeAll(async () => {
  await initBackend();
  tmp = await mkdtemp(join(tmpdir(), 'genbench-bad-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function expectError(p: Promise<unknown>, code: string, names: RegExp): Promise<GenbenchError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(GenbenchError);
  const ge = e as GenbenchError;
  expect(ge.code, ge.message).toBe(code);
  expect(ge.message).not.toContain('\n');
  expect(ge.message).toMatch(names);
  return ge;
}

/** A fresh folder with the tiny layers generator and its manifest. */
async function layersCopy(fields: Record<string, unknown> = {}, weights?: (m: tf.LayersModel) => void): Promise<string> {
  const dir = join(tmp, `layers-${counter++}`);
  const model = buildDcganLike();
  weights?.(model);
  await saveLayersModel(model, dir);
  model.dispose();
  await writeFolderManifest(dir, fields, ['weights.bin']);
  return dir;
}

describe('broken TF.js folders', () => {
  it('missing shard -> INPUT naming the shard', async () => {
    const dir = await layersCopy();
    await unlink(join(dir, 'weights.bin'));
    await expectError(loadGenerator(dir), 'INPUT', /weights\.bin: weight shard .* is missing/);
  });

  it('truncated shard -> INPUT naming the shard', async () => {
    const dir = await layersCopy();
    await truncate(join(dir, 'weights.bin'), 100);
    await expectError(loadGenerator(dir), 'INPUT', /weights\.bin: weight shard has the wrong size/);
  });

  it('sha256 mismatch -> CHECKSUM naming the shard', async () => {
    const dir = await layersCopy();
    const bin = await readFile(join(dir, 'weights.bin'));
    bin[10] = bin[10]! ^ 0xff;
    await writeFile(join(dir, 'weights.bin'), bin);
    await expectError(loadGenerator(dir), 'CHECKSUM', /weights\.bin: sha256 is [0-9a-f]{64} but .*genbench\.json says/);
  });

  it('a shard without a sha256 in files -> INPUT naming the field', async () => {
    const dir = await layersCopy({ files: {} });
    await expectError(loadGenerator(dir), 'INPUT', /genbench\.json: field 'files' has no sha256 for 'weights\.bin'/);
  });

  it('NaN in the weights -> INPUT naming the model', async () => {
    const dir = await layersCopy({ name: 'nan-gan' }, (m) => {
      const [k, b] = m.getLayer('fc').getWeights();
      const bad = k!.bufferSync();
      bad.set(NaN, 0, 0);
      m.getLayer('fc').setWeights([bad.toTensor(), b!]);
    });
    await expectError(loadGenerator(dir), 'INPUT', /model nan-gan \(.*model\.json\) produced NaN/);
  });

  it('image_shape contradicting the output -> INPUT naming the field', async () => {
    const dir = await layersCopy({ image_shape: [16, 16, 1] });
    await expectError(loadGenerator(dir), 'INPUT', /genbench\.json: field 'image_shape' says \[16,16,1\].* outputs \[1,8,8,1\]/);
  });

  it('latent_dim contradicting the model -> INPUT naming the field', async () => {
    const dir = await layersCopy({ latent_dim: 9 });
    await expectError(loadGenerator(dir), 'INPUT', /genbench\.json: field 'latent_dim' is 9 but input 'z' has 8/);
  });

  it('no tensors leak from failed loads', async () => {
    for (const fields of [{ latent_dim: 9 }, { image_shape: [4, 4, 1] }, { input: 'noise' }]) {
      const dir = await layersCopy(fields);
      const before = tf.memory().numTensors;
      await expect(loadGenerator(dir)).rejects.toMatchObject({ code: 'INPUT' });
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

describe.skipIf(skipWithoutAssets)('broken ONNX checkpoints', () => {
  const src = (): string => join(sharedAssets(), 'fixtures', 'submissions');

  /** Copies mnist-dcgan.onnx and its manifest (with `edit` applied) into a fresh folder. */
  async function onnxCopy(edit: (m: Record<string, unknown>) => void = () => {}): Promise<string> {
    const dir = join(tmp, `onnx-${counter++}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await copyFile(join(src(), 'mnist-dcgan.onnx'), join(dir, 'g.onnx'));
    const m = JSON.parse(await readFile(join(src(), 'mnist-dcgan.genbench.json'), 'utf8')) as Record<string, unknown>;
    m['file'] = 'g.onnx';
    edit(m);
    await writeFile(join(dir, 'g.genbench.json'), JSON.stringify(m));
    return join(dir, 'g.onnx');
  }

  it('sha256 mismatch -> CHECKSUM naming the .onnx', async () => {
    const file = await onnxCopy();
    const bytes = await readFile(file);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 0x01;
    await writeFile(file, bytes);
    await expectError(loadGenerator(file), 'CHECKSUM', /g\.onnx: sha256 is .* but .*g\.genbench\.json says 7cbe/);
  });

  it('input name not in the model -> INPUT naming the field', async () => {
    const file = await onnxCopy((m) => (m['input'] = 'noise'));
    await expectError(loadGenerator(file), 'INPUT', /g\.genbench\.json: field 'input' is 'noise' but the model's inputs are: z/);
  });

  it('latent_dim differing from the model -> INPUT naming the field', async () => {
    const file = await onnxCopy((m) => (m['latent_dim'] = 32));
    await expectError(loadGenerator(file), 'INPUT', /field 'latent_dim' is 32 but input 'z' has 64/);
  });

  it('wrong output shape in the manifest -> INPUT', async () => {
    const file = await onnxCopy((m) => (m['image_shape'] = [3, 28, 28]));
    await expectError(loadGenerator(file), 'INPUT', /g\.genbench\.json: field 'image_shape' says \[3,28,28\]/);
  });

  it('a field of the wrong type -> INPUT naming the file and the field path', async () => {
    const file = await onnxCopy((m) => {
      m['latent_dim'] = '64';
    });
    await expectError(loadGenerator(file), 'INPUT', /g\.genbench\.json: field 'latent_dim': .*number/);
    const file2 = await onnxCopy((m) => (m['conditional'] = { classes: 10, input: 'y', encoding: 'label' }));
    await expectError(loadGenerator(file2), 'INPUT', /field 'conditional\.encoding'/);
  });

  it('unknown extra keys are kept', async () => {
    const file = await onnxCopy((m) => (m['my_note'] = 'hello'));
    const g = await loadGenerator(file);
    expect((g.manifest as Record<string, unknown>)['my_note']).toBe('hello');
    expect(g.sha256).toBe('7cbe291b2a9117f7bab6405dc57d248ef60a7783c1bdaf75779c9e3cf8141cc1');
    g.dispose();
  });

  it('a model without a manifest -> NOT_FOUND saying which file and showing an example', async () => {
    const file = await onnxCopy();
    await unlink(file.replace(/\.onnx$/, '.genbench.json'));
    const e = await expectError(loadGenerator(file), 'NOT_FOUND', /g\.genbench\.json: manifest not found/);
    expect(e.message).toContain('"latent_dim":64');
  });
});
