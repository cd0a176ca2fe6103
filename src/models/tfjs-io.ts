import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { GenbenchError } from '../errors.js';
import { checkShards, modelJsonPathOf, readModelJson, shardPath } from '../io/tfjs-model-files.js';

/**
 * Loading TF.js models (layers and graph) from a local folder. Plain @tensorflow/tfjs in Node has no file://
 * loader, so this IOHandler reads `model.json` and the weight shards named in its weightsManifest from disk.
 * Before reading weights it checks that every shard exists and that each group's shards add up to the byte count
 * the manifest implies (io/tfjs-model-files.ts), so a truncated download is an error naming the shard.
 *
 * @example
 * const model = await tf.loadLayersModel(fileIOHandler('/data/genbench-assets/models/mobilenet_v1_0.25_224/model.json'));
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

/**
 * A TF.js layers model from a local folder (or its model.json), through fileIOHandler.
 *
 * @example
 * const m = await loadLayersModelFromFiles('/data/genbench-assets/models/mobilenet_v1_0.25_224'); // m.outputs[0].shape: [null, 1000]
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
