import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * Test checkpoints written on the fly: a small DCGAN-like TF.js layers generator saved with a hand-written save
 * IOHandler (model.json + one .bin shard, the tfjs_layers_model format), a hand-written graph model, and their
 * genbench.json manifests with sha256s.
 */
export const LATENT = 8;

/** Dense -> Reshape -> Conv2DTranspose -> tanh: latent 8 -> 8x8x1 images, weights from fixed seeds. */
export function buildDcganLike(): tf.LayersModel {
  const z = tf.input({ shape: [LATENT], name: 'z' });
  const h = tf.layers.dense({ units: 4 * 4 * 8, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), name: 'fc' }).apply(z);
  const r = tf.layers.reshape({ targetShape: [4, 4, 8], name: 'reshape' }).apply(h);
  const c = tf.layers
    .conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), name: 'deconv' })
    .apply(r);
  const x = tf.layers.activation({ activation: 'tanh', name: 'x' }).apply(c) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: x, name: 'tiny_dcgan' });
}

/** Saves a layers model as dir/model.json + dir/weights.bin (one shard). */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a: tf.io.ModelArtifacts) => {
      const weights = tf.io.concatenateArrayBuffers(a.weightData as ArrayBuffer | ArrayBuffer[]);
      const json = {
        modelTopology: a.modelTopology,
        format: 'layers-model',
        generatedBy: a.generatedBy,
        convertedBy: a.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights));
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes dir/genbench.json for a folder checkpoint, with the sha256 of model.json and every shard. */
export async function writeFolderManifest(dir: string, fields: Record<string, unknown>, shards: string[]): Promise<void> {
  const files: Record<string, string> = {};
  for (const s of shards) files[s] = sha256(await readFile(join(dir, s)));
  const manifest = {
    name: 'tiny',
    format: 'tfjs-layers',
    file: 'model.json',
    input: 'z',
    latent_dim: LATENT,
    output: 'x',
    output_layout: 'NHWC',
    output_range: '[-1,1]',
    image_shape: [8, 8, 1],
    conditional: null,
    sha256: sha256(await readFile(join(dir, 'model.json'))),
    files,
    license: 'CC0-1.0',
    ...fields,
  };
  await writeFile(join(dir, 'genbench.json'), JSON.stringify(manifest, null, 2));
}

/** The graph model's weights: W [4, 12] (float32, fixed values) and the reshape target [-1, 2, 2, 3] (int32). */
export const GRAPH_W = Float32Array.from({ length: 48 }, (_, i) => Math.sin(i + 1) * 0.5);

/** A hand-written TF.js graph model: x = reshape(tanh(z @ W), [-1, 2, 2, 3]), z [n, 4]. */
export async function writeGraphModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dt = (t: string): { type: string } => ({ type: t });
  const dims = (...d: number[]): { dim: { size: string }[] } => ({ dim: d.map((s) => ({ size: String(s) })) });
  const node = [
    { name: 'z', op: 'Placeholder', attr: { dtype: dt('DT_FLOAT'), shape: { shape: dims(-1, 4) } } },
    { name: 'W', op: 'Const', attr: { dtype: dt('DT_FLOAT'), value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(4, 12) } } } },
    { name: 'target', op: 'Const', attr: { dtype: dt('DT_INT32'), value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(4) } } } },
    { name: 'MatMul', op: 'MatMul', input: ['z', 'W'], attr: { T: dt('DT_FLOAT'), transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: 'Tanh', op: 'Tanh', input: ['MatMul'], attr: { T: dt('DT_FLOAT') } },
    { name: 'x', op: 'Reshape', input: ['Tanh', 'target'], attr: { T: dt('DT_FLOAT'), Tshape: dt('DT_INT32') } },
  ];
  const json = {
    format: 'graph-model',
    generatedBy: 'hand-written',
    convertedBy: 'genbench tests',
    modelTopology: { node, versions: { producer: 1 } },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'W', shape: [4, 12], dtype: 'float32' },
          { name: 'target', shape: [4], dtype: 'int32' },
        ],
      },
    ],
  };
  const bin = new Uint8Array(48 * 4 + 4 * 4);
  bin.set(new Uint8Array(GRAPH_W.buffer), 0);
  bin.set(new Uint8Array(Int32Array.of(-1, 2, 2, 3).buffer), 48 * 4);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'group1-shard1of1.bin'), bin);
}

/** tanh(z @ W) for the graph model, computed in plain JS. */
export function graphReference(z: Float32Array): Float32Array {
  const n = z.length / 4;
  const out = new Float32Array(n * 12);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 12; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += z[i * 4 + k]! * GRAPH_W[k * 12 + j]!;
      out[i * 12 + j] = Math.tanh(s);
    }
  }
  return out;
}
