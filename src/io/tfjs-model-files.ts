import { readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize, isAbsolute } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { GenbenchError } from '../errors.js';
import { parseJsonText } from './json-file.js';

/**
 * The files of a TF.js model folder, without tfjs: model.json (read and minimally checked), the weight shards it
 * names (paths kept inside the folder) and their sizes against the byte counts the manifest implies (elements x
 * dtype size). Both the tfjs loaders (models/tfjs-io.ts) and the ONNX converter (convert/weights.ts) read through
 * these.
 *
 * @example
 * const json = await readModelJson(modelJsonPathOf('/models/mobilenet_v1_0.25_224')); // json.weightsManifest
 * shardNames(json); // ['group1-shard1of1.bin']
 */
/** Reads and minimally checks a model.json (modelTopology and weightsManifest present). */
export async function readModelJson(path: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read TF.js model.json (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const json = parseJsonText(text, path, 'give the model.json a TF.js export wrote');
  const j = json as Partial<tf.io.ModelJSON>;
  if (typeof j !== 'object' || j === null || typeof j.modelTopology !== 'object' || !Array.isArray(j.weightsManifest)) {
    throw new GenbenchError('INPUT', `${path}: not a TF.js model.json (needs modelTopology and weightsManifest)`);
  }
  return j as tf.io.ModelJSON;
}

/** Shard file names listed in a model.json, in order. */
export function shardNames(json: tf.io.ModelJSON): string[] {
  return (json.weightsManifest ?? []).flatMap((g) => g.paths);
}

/** Absolute path of a shard named in model.json; names that leave the model folder are refused. */
export function shardPath(modelJsonPath: string, name: string): string {
  const rel = normalize(name);
  if (isAbsolute(rel) || rel.startsWith('..')) {
    throw new GenbenchError('INPUT', `${modelJsonPath}: weight path '${name}' points outside the model folder`);
  }
  return join(dirname(modelJsonPath), rel);
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes a weight group must hold: sum over its weights of element count x (quantized) dtype size; null if unknown. */
export function groupBytes(group: tf.io.WeightsManifestConfig[number]): number | null {
  let total = 0;
  for (const w of group.weights) {
    const count = w.shape.reduce((a: number, b: number) => a * b, 1);
    const bytes = DTYPE_BYTES[w.quantization?.dtype ?? w.dtype];
    if (bytes === undefined) return null; // string weights carry their own lengths
    total += count * bytes;
  }
  return total;
}

/** Every shard exists, and each group's shards sum to the size its weights imply; else INPUT naming the shard. */
export async function checkShards(modelJsonPath: string, json: tf.io.ModelJSON): Promise<void> {
  for (const group of json.weightsManifest ?? []) {
    const sizes: number[] = [];
    for (const p of group.paths) {
      const info = await stat(shardPath(modelJsonPath, p)).catch(() => null);
      if (info === null || !info.isFile()) {
        throw new GenbenchError('INPUT', `${shardPath(modelJsonPath, p)}: weight shard listed in ${modelJsonPath} is missing; copy the whole model folder`);
      }
      sizes.push(info.size);
    }
    const want = groupBytes(group);
    const have = sizes.reduce((a, b) => a + b, 0);
    if (want === null || want === have) continue;
    const bad = group.paths[oddShard(sizes)]!;
    throw new GenbenchError(
      'INPUT',
      `${shardPath(modelJsonPath, bad)}: weight shard has the wrong size (group holds ${have} bytes, its weights need ${want}); the file is truncated or corrupt, copy it again`,
    );
  }
}

/** Index of the shard to blame: shards are cut to one size except the last, so the first that breaks the pattern. */
function oddShard(sizes: number[]): number {
  for (let i = 0; i < sizes.length - 1; i++) if (sizes[i] !== sizes[0]) return i;
  return sizes.length - 1;
}

/** `model.json` of a folder, or the path itself when it already names a .json file. */
export function modelJsonPathOf(path: string): string {
  return path.endsWith('.json') ? path : join(path, 'model.json');
}
