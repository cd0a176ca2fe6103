import { basename, dirname } from 'node:path';
import ort from 'onnxruntime-node';
import { treeSha256 } from '../assets/index.js';
import { openOnnxSession } from '../backend/onnx.js';
import { modelJsonPathOf, readModelJson, shardNames } from '../io/tfjs-model-files.js';
import { cachedConversion, type ConversionResult } from './cache.js';
import { convertLayersModel } from './convert.js';
import type { GraphPreprocess } from './preprocess-graph.js';
import { readLayersModelFiles } from './weights.js';

/**
 * The one path from a TF.js layers model to an onnxruntime-node session, for generators (models/tfjs-onnx.ts),
 * feature networks (features/open-model.ts) and MobileNet (features/mobilenet-ort.ts): the weights' tree sha256
 * (model.json and the shards it names, unless the caller has the hash), the converted model from the cache
 * (convert/cache.ts: keyed by that hash, the outputs and the in-graph preprocessing) or converted now and stored,
 * then one session. A converter gap or a graph ORT refuses is an error; the callers decide whether to fall back to
 * tfjs.
 *
 * @example
 * const { session, conversion } = await openConvertedModel({ model: 'runs/dcgan/ckpt-000500', outputs: ['conv2d_3'] });
 * conversion.hit; // true from the second open on; session.outputNames: ['conv2d_3']
 */
export interface ConvertedModelRequest {
  /** The TF.js folder, or its model.json. */
  readonly model: string;
  /** Layer names the ONNX graph emits, in order. */
  readonly outputs: readonly string[];
  /** The model's image input replaced by uint8 pixels and this preprocessing, in the graph. */
  readonly preprocess?: GraphPreprocess;
  /** Weights hash for the cache key (default: tree sha256 of model.json and the shards it names). */
  readonly weightsSha256?: string;
  /** Reads model.json and the weights when a conversion is needed (default readLayersModelFiles), e.g. memoised. */
  readonly files?: () => ReturnType<typeof readLayersModelFiles>;
  /** Folder of the converted-model cache (default GENBENCH_HOME/onnx). */
  readonly cacheDir?: string;
  /** Intra-op threads (default: all cores). */
  readonly threads?: number;
}

export interface ConvertedModel {
  readonly session: ort.InferenceSession;
  readonly conversion: ConversionResult;
}

/** The engine string of a converted model's session (reports' recipe.backend). */
export const CONVERTED_ENGINE = `onnxruntime-node ${ort.env.versions.node ?? ort.env.versions.common} (cpu, converted from TF.js)`;

export async function openConvertedModel(req: ConvertedModelRequest): Promise<ConvertedModel> {
  const modelJson = modelJsonPathOf(req.model);
  const weightsSha256 = req.weightsSha256 ?? (await layersWeightsSha256(modelJson));
  const pre = req.preprocess === undefined ? {} : { preprocess: req.preprocess };
  const build = async (): Promise<Uint8Array> => {
    const f = await (req.files ?? (() => readLayersModelFiles(modelJson)))();
    return convertLayersModel(f.modelJson, f.weights, { outputs: req.outputs, ...pre });
  };
  const conversion = await cachedConversion({ weightsSha256, outputs: req.outputs, ...pre }, build, req.cacheDir === undefined ? {} : { dir: req.cacheDir });
  const session = await openOnnxSession(conversion.bytes, `${modelJson} (converted to ${conversion.path})`, req.threads);
  return { session, conversion };
}

/** Tree sha256 of a TF.js model: model.json and the weight shards it names (the converted-model cache key's hash). */
export async function layersWeightsSha256(modelJson: string): Promise<string> {
  const json = await readModelJson(modelJson);
  return treeSha256(dirname(modelJson), [basename(modelJson), ...shardNames(json)]);
}
