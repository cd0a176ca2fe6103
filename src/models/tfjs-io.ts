import { readFile, stat } from 'node:fs/promises';
import { dirname, join, normalize, isAbsolute } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { GenbenchError } from '../errors.js';
import { parseJsonText } from '../io/json-file.js';

/**
 * Loading TF.js models (layers and graph) from a local folder. Plain @tensorflow/tfjs in Node has no file://
 * loader, so this IOHandler reads `model.json` and the weight shards named in its weightsManifest from disk.
 * Before reading weights it checks that every shard exists and that each group's shards add up to the byte count
 * the manifest implies (elements x dtype size), so a truncated download is an error naming the shard.
 *
 * @example
 * const model = await tf.loadLayersModel(fileIOHandler('/work/shared/models/mobilenet_v1_0.25_224/model.json'));
 */
export function fileIOHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = await readModelJson(modelJsonPath);
      await checkShards(modelJsonPath, json);
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const p of group.paths) {
            const bytes = await readFile(shardPath(modelJsonPath, p));
            buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
          }
        }
        return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}

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

/**
 * A TF.js layers model from a local folder (or its model.json), through fileIOHandler.
 *
 * @example
 * const m = await loadLayersModelFromFiles('/work/shared/models/mobilenet_v1_0.25_224'); // m.outputs[0].shape: [null, 1000]
 */
export async function loadLayersModelFromFiles(path: string): Promise<tf.LayersModel> {
  const file = modelJsonPathOf(path);
  await initBackend(); // the active backend, or the first that starts: only models that run on tfjs need one
  try {
    return await tf.loadLayersModel(fileIOHandler(file));
  } catch (e) {
    throw asLoadError(e, file, 'layers');
  }
}

/**
 * A TF.js graph model (model.json with format 'graph-model') from a local folder, through fileIOHandler.
 *
 * @example
 * const m = await loadGraphModelFromFiles('my-graph-model/'); // m.inputs[0].name: 'z'
 */
export async function loadGraphModelFromFiles(path: string): Promise<tf.GraphModel> {
  const file = modelJsonPathOf(path);
  await initBackend(); // the active backend, or the first that starts: only models that run on tfjs need one
  try {
    return await tf.loadGraphModel(fileIOHandler(file));
  } catch (e) {
    throw asLoadError(e, file, 'graph');
  }
}

function asLoadError(e: unknown, file: string, kind: string): unknown {
  if (e instanceof GenbenchError) return e;
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
  return new GenbenchError('INPUT', `${file}: cannot load as a TF.js ${kind} model: ${msg}`, { cause: e });
}
