import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/index.js';
import { GenbenchError } from '../errors.js';
import { assembleGenerator } from './generator.js';
import type { GeneratorManifest } from './manifest.js';
import { loadGraphModelFromFiles, loadLayersModelFromFiles } from './tfjs-io.js';
import type { ForwardFn, Generator } from './types.js';

/**
 * TF.js generators (layers models and graph models) from a local folder, run on the backend initBackend picks.
 * Each forward pass runs in tf.tidy and downloads its output, so no tensor outlives a call; dispose() disposes
 * the model's weights.
 *
 * @example
 * const g = await loadTfjsGenerator({ manifest, manifestPath, modelJson: 'gen/model.json', sha256 });
 */
export interface TfjsLoadRequest {
  readonly manifest: GeneratorManifest;
  readonly manifestPath: string;
  /** Absolute path of model.json (already checksummed). */
  readonly modelJson: string;
  readonly sha256: string;
  readonly backend?: string;
}

interface Signature {
  readonly inputs: readonly { name: string; shape?: readonly (number | null)[] | undefined }[];
  readonly outputs: readonly string[];
}

export async function loadTfjsGenerator(req: TfjsLoadRequest): Promise<Generator> {
  const backend = await initBackend(req.backend);
  const m = req.manifest;
  const graph = m.format === 'tfjs-graph';
  const model = graph ? await loadGraphModelFromFiles(req.modelJson) : await loadLayersModelFromFiles(req.modelJson);
  try {
    const sig: Signature = graph
      ? { inputs: (model as tf.GraphModel).inputs.map((i) => ({ name: i.name, shape: i.shape })), outputs: (model as tf.GraphModel).outputNodes }
      : { inputs: (model as tf.LayersModel).inputs.map((t, i) => ({ name: (model as tf.LayersModel).inputNames[i]!, shape: t.shape })), outputs: (model as tf.LayersModel).outputNames };
    checkSignature(sig, m, req.manifestPath);
    const forward: ForwardFn = async (z, n, labels) => {
      const out = tf.tidy(() => {
        const feeds = feedTensors(z, n, labels, m);
        if (graph) return (model as tf.GraphModel).execute(feeds, m.output) as tf.Tensor;
        const lm = model as tf.LayersModel;
        const y = lm.predict(lm.inputNames.map((name) => feeds[name]!));
        return Array.isArray(y) ? y[lm.outputNames.indexOf(m.output)]! : y;
      });
      try {
        const data = out.dtype === 'float32' ? ((await out.data()) as Float32Array) : Float32Array.from(await out.data());
        return { data, shape: out.shape };
      } finally {
        out.dispose();
      }
    };
    return await assembleGenerator({
      manifest: m,
      manifestPath: req.manifestPath,
      path: req.modelJson,
      sha256: req.sha256,
      engine: `tfjs ${tf.version.tfjs} (${backend.name})`,
      forward,
      release: () => model.dispose(),
    });
  } catch (e) {
    model.dispose();
    throw e;
  }
}

function feedTensors(z: Float32Array, n: number, labels: Int32Array | undefined, m: GeneratorManifest): Record<string, tf.Tensor> {
  const feeds: Record<string, tf.Tensor> = { [m.input]: tf.tensor2d(z, [n, m.latent_dim]) };
  const c = m.conditional;
  if (c && labels) {
    const idx = tf.tensor1d(labels, 'int32');
    feeds[c.input] = c.encoding === 'onehot' ? tf.oneHot(idx, c.classes).toFloat() : idx;
  }
  return feeds;
}

/** Input and output names, latent size and class count must agree with the model; INPUT naming the field. */
function checkSignature(sig: Signature, m: GeneratorManifest, manifestPath: string): void {
  const fail = (field: string, what: string): never => {
    throw new GenbenchError('INPUT', `${manifestPath}: field '${field}' ${what}`);
  };
  const names = sig.inputs.map((i) => i.name);
  const ins = names.join(', ');
  if (!names.includes(m.input)) fail('input', `is '${m.input}' but the model's inputs are: ${ins}`);
  if (!sig.outputs.includes(m.output)) fail('output', `is '${m.output}' but the model's outputs are: ${sig.outputs.join(', ')}`);
  const c = m.conditional;
  if (c && !names.includes(c.input)) fail('conditional.input', `is '${c.input}' but the model's inputs are: ${ins}`);
  const unfed = names.filter((n) => n !== m.input && n !== c?.input);
  if (unfed.length > 0) fail('conditional', `does not name model input(s) ${unfed.join(', ')}; a conditional model needs "conditional": {"classes", "input", "encoding"}`);
  const zDim = sig.inputs.find((i) => i.name === m.input)?.shape?.[1];
  if (typeof zDim === 'number' && zDim > 0 && zDim !== m.latent_dim) {
    fail('latent_dim', `is ${m.latent_dim} but input '${m.input}' has ${zDim} values per row`);
  }
  if (c?.encoding === 'onehot') {
    const yDim = sig.inputs.find((i) => i.name === c.input)?.shape?.[1];
    if (typeof yDim === 'number' && yDim > 0 && yDim !== c.classes) fail('conditional.classes', `is ${c.classes} but one-hot input '${c.input}' has ${yDim} columns`);
  }
}
