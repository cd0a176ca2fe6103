import ort from 'onnxruntime-node';
import { CONVERTED_ENGINE, openConvertedModel } from '../convert/open.js';
import { parseTopology } from '../convert/topology.js';
import { firstLine, GenbenchError } from '../errors.js';
import { readModelJson } from '../io/tfjs-model-files.js';
import { assembleGenerator } from './generator.js';
import type { GeneratorManifest } from './manifest.js';
import { checkSignature, conditionTensor } from './onnx.js';
import type { ForwardFn, Generator } from './types.js';

/**
 * TF.js layers generators (genbench's own `genbench train` checkpoints, or any keras-style layers model the
 * converter handles) run on onnxruntime-node: model.json + shards are converted to ONNX once and cached under
 * GENBENCH_HOME/onnx, keyed by the folder's tree sha256 (model.json and every shard) and the output layer
 * (convert/open.ts, the one TF.js -> ONNX open path). Sampling then goes through the same assembleGenerator as every other format (seeds, labels, batching,
 * shape and NaN checks). A conditional model's one-hot label input becomes a float32 [n, classes] ONNX input; an
 * index-encoded one (Embedding) gets the labels as numbers of the input's declared type and rank.
 *
 * When the checkpoint cannot be converted (an UNSUPPORTED layer, quantisation the converter lacks, a converted
 * graph ORT refuses) this returns `{ fallback: reason }` and the caller loads it on tfjs instead. Manifest
 * problems (wrong names, latent size, image shape, NaN output) are errors, exactly as on the tfjs path.
 *
 * @example
 * const r = await loadTfjsOnOnnx({ manifest, manifestPath, modelJson: 'runs/dcgan/ckpt-000500/model.json', sha256 });
 * if ('generator' in r) r.generator.engine; // 'onnxruntime-node 1.30.0 (cpu, converted from TF.js)'
 */
export interface TfjsOnnxRequest {
  readonly manifest: GeneratorManifest;
  readonly manifestPath: string;
  /** Absolute path of model.json (already checksummed). */
  readonly modelJson: string;
  readonly sha256: string;
  /** Folder of the converted-model cache (default GENBENCH_HOME/onnx). */
  readonly cacheDir?: string;
  /** Intra-op threads (default: all cores). */
  readonly threads?: number;
}

export type TfjsOnnxResult = { readonly generator: Generator } | { readonly fallback: string };

export async function loadTfjsOnOnnx(req: TfjsOnnxRequest): Promise<TfjsOnnxResult> {
  const { manifest: m, manifestPath, modelJson } = req;
  if (m.format !== 'tfjs-layers') return { fallback: `${m.format} checkpoints are not converted to ONNX; running on tfjs` };
  await checkOutputName(m, manifestPath, modelJson);
  let session: ort.InferenceSession;
  try {
    session = (await openConvertedModel({ model: modelJson, outputs: [m.output], ...optional(req) })).session;
  } catch (e) {
    // Any failure to convert or open (converter gap, unwritable cache, ORT refusing the graph) costs speed only.
    return { fallback: `${modelJson}: not run on onnxruntime (${firstLine(e)}); running on tfjs` };
  }
  try {
    checkSignature(session, m, manifestPath);
    return { generator: await assembleGenerator({ manifest: m, manifestPath, path: modelJson, sha256: req.sha256, engine: CONVERTED_ENGINE, forward: forwardOf(session, m), release: () => void session.release() }) };
  } catch (e) {
    void session.release().catch(() => {});
    throw e;
  }
}

/** The request's cache folder and thread count, where given. */
function optional(req: TfjsOnnxRequest): { cacheDir?: string; threads?: number } {
  return { ...(req.cacheDir === undefined ? {} : { cacheDir: req.cacheDir }), ...(req.threads === undefined ? {} : { threads: req.threads }) };
}

/**
 * The manifest's `output` must be one of the model's outputs (as on tfjs); checked before converting, since the
 * converter would accept any layer and name it in its own words. Translators (translator-tfjs.ts) check theirs here too.
 */
export async function checkOutputName(m: Pick<GeneratorManifest, 'output'>, manifestPath: string, modelJson: string): Promise<void> {
  let outputs: readonly string[];
  try {
    outputs = parseTopology((await readModelJson(modelJson)).modelTopology).outputs;
  } catch {
    return; // an unreadable topology is the converter's (and then tfjs's) to report
  }
  if (!outputs.includes(m.output)) {
    throw new GenbenchError('INPUT', `${manifestPath}: field 'output' is '${m.output}' but the model's outputs are: ${outputs.join(', ')}`);
  }
}

function forwardOf(session: ort.InferenceSession, m: GeneratorManifest): ForwardFn {
  const c = m.conditional ?? undefined;
  const condMeta = c ? (session.inputMetadata as unknown as { name: string; type?: string; shape?: unknown[] }[]).find((x) => x.name === c.input) : undefined;
  const condType = condMeta?.type ?? 'float32';
  const condRank = condMeta?.shape?.length ?? 1;
  return async (z, n, labels) => {
    const feeds: Record<string, ort.Tensor> = { [m.input]: new ort.Tensor('float32', z, [n, m.latent_dim]) };
    if (c && labels) feeds[c.input] = c.encoding === 'index' && condType === 'float32' ? new ort.Tensor('float32', Float32Array.from(labels), condRank === 2 ? [n, 1] : [n]) : conditionTensor(labels, c, condType, condRank);
    const result = await session.run(feeds, [m.output]);
    const out = result[m.output]!;
    try {
      return { data: (out.data as Float32Array).slice(), shape: out.dims.map(Number) };
    } finally {
      for (const t of Object.values(result)) t.dispose();
      for (const t of Object.values(feeds)) t.dispose();
    }
  };
}
