import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../errors.js';
import { checkShards, modelJsonPathOf, readModelJson, shardPath } from '../io/tfjs-model-files.js';

/**
 * Model weights as plain float32 arrays by name ('conv1/kernel'), decoded from a TF.js weights manifest and its
 * concatenated shard bytes: float32 as is, uint8/uint16 affine-quantized weights dequantized (q * scale + min),
 * int32 widened. No tensors are created.
 *
 * @example
 * const { modelJson, weights } = await readLayersModelFiles('/data/genbench-assets/models/mobilenet_v1_0.25_224');
 * weights.get('conv1/kernel'); // { shape: [3, 3, 3, 8], data: Float32Array(216) }
 */
export interface Weight {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type NamedWeights = ReadonlyMap<string, Weight>;

type Spec = tf.io.WeightsManifestEntry;

/** Decodes `buffer` laid out as `specs` (in order). */
export function decodeWeights(specs: readonly Spec[], buffer: ArrayBuffer): Map<string, Weight> {
  const out = new Map<string, Weight>();
  let at = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const q = s.quantization;
    const dtype = q?.dtype ?? s.dtype;
    const bytes = dtype === 'uint8' ? 1 : dtype === 'uint16' ? 2 : 4;
    if (at + n * bytes > buffer.byteLength) throw new GenbenchError('INPUT', `weight '${s.name}': the weight data is shorter than the manifest says`);
    out.set(s.name, { shape: s.shape, data: decodeOne(s, buffer.slice(at, at + n * bytes), n) });
    at += n * bytes;
  }
  return out;
}

function decodeOne(s: Spec, buf: ArrayBuffer, n: number): Float32Array {
  const q = s.quantization;
  if (q === undefined) {
    if (s.dtype === 'float32') return new Float32Array(buf);
    if (s.dtype === 'int32') return Float32Array.from(new Int32Array(buf));
  } else if ((q.dtype === 'uint8' || q.dtype === 'uint16') && q.scale !== undefined && q.min !== undefined) {
    const raw = q.dtype === 'uint8' ? new Uint8Array(buf) : new Uint16Array(buf);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = raw[i]! * q.scale + q.min;
    return out;
  }
  throw new GenbenchError('UNSUPPORTED', `weight '${s.name}': dtype ${q?.dtype ?? s.dtype} is not supported by the ONNX converter; save the model with float32 weights`);
}

/** model.json and decoded weights of a TF.js layers model folder (or its model.json path). */
export async function readLayersModelFiles(path: string): Promise<{ modelJson: tf.io.ModelJSON; weights: Map<string, Weight> }> {
  const file = modelJsonPathOf(path);
  const modelJson = await readModelJson(file);
  await checkShards(file, modelJson);
  const specs: Spec[] = [];
  const parts: Buffer[] = [];
  for (const group of modelJson.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) parts.push(await readFile(shardPath(file, p)));
  }
  const all = Buffer.concat(parts);
  return { modelJson, weights: decodeWeights(specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer) };
}
