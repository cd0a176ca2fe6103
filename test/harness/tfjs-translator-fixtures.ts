import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { convertLayersModel } from '../../src/convert/convert.js';
import { readLayersModelFiles } from '../../src/convert/weights.js';
import { saveLayersModel, sha256 } from '../models/fixtures.js';

/**
 * Tiny TF.js layers translators written at test time, laid out like a `genbench train` translator checkpoint
 * folder (model.json + weights.bin, NHWC, input `source`, output `translated`, [-1,1] in and out), with a
 * `genbench.json` of format 'tfjs-layers' (file model.json, the sha256 of model.json and weights.bin):
 * - conv: a 3x3 convolution (weights from a fixed seed) + tanh, same size out;
 * - pool: the same followed by a 2x2 average pool, half the size out (the manifest says so);
 * - upsample: a 2x nearest upsampling then a 2x2 average pool, same size out; the converter has no UpSampling2D.
 * `writeOnnxCopy` converts the folder with genbench's converter to an .onnx translator with its manifest, as the
 * reference translators' checkpoints carry translator.onnx beside their TF.js model.
 */
export type TfjsTranslatorKind = 'conv' | 'pool' | 'upsample';

export interface TfjsTranslatorFixture {
  readonly kind: TfjsTranslatorKind;
  /** One image [H, W, C] (NHWC). */
  readonly shape: readonly [number, number, number];
  readonly task?: string;
  readonly name?: string;
}

/** The manifest fields of a fixture, less format, file and hashes. */
function fields(f: TfjsTranslatorFixture): Record<string, unknown> {
  const [h, w, c] = f.shape;
  const out = f.kind === 'pool' ? [Math.floor(h / 2), Math.floor(w / 2), c] : [h, w, c];
  return {
    name: f.name ?? `tfjs-${f.kind}`,
    kind: 'translator',
    ...(f.task === undefined ? {} : { task: f.task }),
    input: 'source',
    output: 'translated',
    layout: 'NHWC',
    input_shape: [h, w, c],
    output_shape: out,
    input_range: '[-1,1]',
    output_range: '[-1,1]',
    license: 'CC0-1.0',
  };
}

function build(f: TfjsTranslatorFixture): tf.LayersModel {
  const [h, w, c] = f.shape;
  const x = tf.input({ shape: [h, w, c], name: 'source' });
  let y: tf.SymbolicTensor;
  if (f.kind === 'upsample') {
    const up = tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(x);
    y = tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'translated' }).apply(up) as tf.SymbolicTensor;
  } else {
    const conv = tf.layers.conv2d({ filters: c, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }), name: f.kind === 'conv' ? 'translated' : 'conv' }).apply(x);
    y = (f.kind === 'conv' ? conv : tf.layers.averagePooling2d({ poolSize: 2, strides: 2, name: 'translated' }).apply(conv)) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: x, outputs: y });
}

/** Writes dir/model.json, dir/weights.bin and dir/genbench.json (format tfjs-layers); returns the manifest. */
export async function writeTfjsTranslator(dir: string, f: TfjsTranslatorFixture): Promise<Record<string, unknown>> {
  const model = build(f);
  await saveLayersModel(model, dir);
  model.dispose();
  const files = { 'model.json': sha256(await readFile(join(dir, 'model.json'))), 'weights.bin': sha256(await readFile(join(dir, 'weights.bin'))) };
  const manifest = { ...fields(f), format: 'tfjs-layers', file: 'model.json', sha256: files['model.json'], files };
  await writeFile(join(dir, 'genbench.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}

/** Converts the TF.js translator in `dir` to `onnxPath` with its manifest (X.genbench.json, format onnx). */
export async function writeOnnxCopy(dir: string, onnxPath: string, f: TfjsTranslatorFixture): Promise<void> {
  const m = await readLayersModelFiles(join(dir, 'model.json'));
  const bytes = convertLayersModel(m.modelJson, m.weights, { outputs: ['translated'] });
  await mkdir(join(onnxPath, '..'), { recursive: true });
  await writeFile(onnxPath, bytes);
  const manifest = { ...fields(f), format: 'onnx', file: onnxPath.split('/').pop()!, sha256: sha256(bytes) };
  await writeFile(onnxPath.replace(/\.onnx$/, '.genbench.json'), JSON.stringify(manifest, null, 2));
}
