import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { CONVERTED_ENGINE, openConvertedModel } from '../convert/open.js';
import { firstLine } from '../errors.js';
import { checkOutputName } from './tfjs-onnx.js';
import { loadLayersModelFromFiles } from './tfjs-io.js';
import { checkDims, manifestFieldError, onnxEngine, type TranslatorEngine } from './translator-onnx.js';
import type { TranslatorManifest } from './translator-manifest.js';

/**
 * The engine of a TF.js layers translator (`format: 'tfjs-layers'`, model.json + shards, e.g. the network a
 * `genbench train --model pix2pix` checkpoint folder holds beside its translator.onnx), as for generators
 * (models/tfjs-onnx.ts): converted to ONNX once through the one TF.js -> ONNX open path (convert/open.ts, cached
 * under GENBENCH_HOME/onnx by the folder's tree sha256 and the output layer) and run on onnxruntime-node with the
 * checks of an .onnx translator. A model the converter cannot take (a layer it lacks, a graph ORT refuses) runs on
 * tfjs instead, and the reason goes to `onNote`; so does every model when `engine` is 'tfjs'. The manifest's
 * `output` must be one of the model's outputs either way.
 *
 * @example
 * const e = await openTfjsTranslator({ manifest, manifestPath, modelJson: '/runs/p2p/ckpt-000200/model.json', engine: 'onnx' });
 * e.name; // 'onnxruntime-node 1.20.1 (cpu, converted from TF.js)'
 */
export interface TfjsTranslatorRequest {
  readonly manifest: TranslatorManifest;
  readonly manifestPath: string;
  /** Absolute path of model.json (already checksummed). */
  readonly modelJson: string;
  readonly engine: 'onnx' | 'tfjs';
  /** Folder of the converted-model cache (default GENBENCH_HOME/onnx). */
  readonly cacheDir?: string;
  readonly onNote?: (message: string) => void;
}

export async function openTfjsTranslator(req: TfjsTranslatorRequest): Promise<TranslatorEngine> {
  const { manifest: m, manifestPath, modelJson } = req;
  await checkOutputName(m, manifestPath, modelJson);
  if (req.engine === 'onnx') {
    let session;
    try {
      session = (await openConvertedModel({ model: modelJson, outputs: [m.output], ...(req.cacheDir === undefined ? {} : { cacheDir: req.cacheDir }) })).session;
    } catch (e) {
      // a converter gap costs speed only, as for generators
      req.onNote?.(`${modelJson}: not run on onnxruntime (${firstLine(e)}); running on tfjs`);
    }
    if (session !== undefined) {
      try {
        return onnxEngine({ session, manifest: m, manifestPath, file: modelJson, name: CONVERTED_ENGINE });
      } catch (e) {
        void session.release().catch(() => {});
        throw e;
      }
    }
  }
  return tfjsEngine(m, manifestPath, modelJson);
}

/** The layers model on the active tfjs backend: one image input, the manifest's output, each batch in tf.tidy. */
async function tfjsEngine(m: TranslatorManifest, manifestPath: string, modelJson: string): Promise<TranslatorEngine> {
  const backend = await initBackend();
  const model = await loadLayersModelFromFiles(modelJson);
  try {
    const fail = manifestFieldError(manifestPath);
    if (!model.inputNames.includes(m.input)) fail('input', `is '${m.input}' but the model's inputs are: ${model.inputNames.join(', ')}`);
    if (model.inputNames.length > 1) fail('input', `names one input but the model also takes ${model.inputNames.filter((n) => n !== m.input).join(', ')}; a translator takes one image batch`);
    const at = model.outputNames.indexOf(m.output);
    const shapeOf = (s: readonly (number | null)[]) => s.map((d) => d ?? 'N');
    checkDims(shapeOf(model.inputs[0]!.shape), m.input, m, 'input_shape', fail);
    checkDims(shapeOf(model.outputs[at]!.shape), m.output, m, 'output_shape', fail);
    return {
      name: `tfjs ${tf.version.tfjs} (${backend.name})`,
      fixedBatch: undefined,
      async run(x, dims) {
        const y = tf.tidy(() => {
          const out = model.predict(tf.tensor(x, [...dims], 'float32'));
          return Array.isArray(out) ? out[at]! : out;
        });
        try {
          return { data: Float32Array.from(await y.data()), dims: [...y.shape] };
        } finally {
          y.dispose();
        }
      },
      release: () => model.dispose(),
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
