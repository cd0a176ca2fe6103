import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sha256File, treeSha256 } from '../assets/index.js';
import { CONVERTED_ENGINE, openConvertedModel } from '../convert/open.js';
import { parseTopology } from '../convert/topology.js';
import { firstLine, GenbenchError } from '../errors.js';
import { modelJsonPathOf, readModelJson } from '../io/tfjs-model-files.js';
import { loadGraphModelFromFiles, loadLayersModelFromFiles } from '../models/tfjs-io.js';
import type { BatchForward } from './assemble.js';
import { onnxForward, sessionForward } from './onnx-forward.js';
import { graphForward, layersForward } from './tfjs-forward.js';
import type { LayerInfo, LayerKind, Preprocessing } from './types.js';

/**
 * Opens a feature network described by a manifest (discriminator or custom extractor), whatever its format:
 * ONNX through onnxruntime-node, TF.js layers (output names are layer names; converted to ONNX once by src/convert
 * and run on onnxruntime-node, on tfjs when the conversion fails, the
 * engine string then saying why) or TF.js graph (output names are node names). Hashes the weights (file sha256, or the tree hash of model.json + shards), checks a sha256 the manifest
 * declares, and settles each output's flattened size: the declared `dim`, the model's static shape, or one probe
 * forward pass on a zero image; a declared dim that disagrees with the model is an INPUT error naming the field.
 *
 * @example
 * const net = await openFeatureModel({ format: 'onnx', file: '/abs/disc.onnx', input: 'x', outputs, preprocessing, source });
 * net.layers; // [{ name: 'f1', dim: 12544, kind: 'features' }, ...]
 */
export interface ModelRequest {
  readonly format: 'onnx' | 'tfjs-layers' | 'tfjs-graph';
  /** Absolute path: the .onnx file, or the TF.js folder / model.json. */
  readonly file: string;
  /** Input name (ONNX input, graph input node); ignored for layers models. */
  readonly input?: string;
  readonly outputs: readonly { name: string; kind: LayerKind; dim?: number }[];
  readonly preprocessing: Preprocessing;
  /** sha256 the manifest declares for the weights (file hash for ONNX, tree hash for TF.js), checked when given. */
  readonly sha256?: string;
  /** The manifest path, named in errors. */
  readonly source: string;
}

export interface OpenedModel {
  readonly layers: LayerInfo[];
  readonly forward: BatchForward;
  readonly release: () => void | Promise<void>;
  readonly weightsSha256: string;
  readonly engine: string;
  readonly fixedBatch?: number;
}

export async function openFeatureModel(req: ModelRequest): Promise<OpenedModel> {
  const weightsSha256 = await weightsHash(req);
  const names = req.outputs.map((o) => o.name);
  const engine = await openEngine(req, names);
  try {
    const layers = await settleDims(req, engine.dims, engine.forward, engine.fixedBatch);
    return { ...engine, layers, weightsSha256 };
  } catch (e) {
    await engine.release();
    throw e;
  }
}

type Engine = Omit<OpenedModel, 'layers' | 'weightsSha256'> & { readonly dims: Readonly<Record<string, number | undefined>> };

async function openEngine(req: ModelRequest, names: readonly string[]): Promise<Engine> {
  if (req.format === 'onnx') return onnxForward(req.file, req.input ?? '', names, req.preprocessing, req.source);
  if (req.format === 'tfjs-layers') {
    // Converting costs speed only when it fails (a layer the converter lacks): fall back to tfjs then, and say why
    // in the engine string (the report's recipe.backend.extractor).
    const converted = await convertedLayersForward(req, names).catch((e: unknown) => fallbackReason(e));
    if (typeof converted !== 'string') return converted;
    const tfjs = await layersForward(await loadLayersModelFromFiles(req.file), names, req.preprocessing, req.source);
    return { ...tfjs, engine: `${tfjs.engine} (not run on onnxruntime: ${converted})` };
  }
  const model = await loadGraphModelFromFiles(req.file);
  const inputs = model.inputs.map((i) => i.name);
  const input = req.input ?? inputs[0] ?? '';
  if (!inputs.includes(input)) {
    model.dispose();
    throw new GenbenchError('INPUT', `${req.source}: field 'input' is '${input}' but the graph model's inputs are: ${inputs.join(', ')}`);
  }
  return graphForward(model, input, names, req.preprocessing);
}

/** Why the ONNX conversion failed, in one short line (the converter's list of supported layer classes left out). */
function fallbackReason(e: unknown): string {
  return firstLine(e).split('; supported classes:')[0]!;
}

/** A TF.js layers model converted to ONNX (cached by weights and outputs) and opened on onnxruntime-node. */
async function convertedLayersForward(req: ModelRequest, names: readonly string[]): Promise<Engine> {
  const modelJson = modelJsonPathOf(req.file);
  const input = parseTopology((await readModelJson(modelJson)).modelTopology).inputs;
  if (input.length !== 1) throw new Error(`converted feature models take one image input, this one has ${input.length}`);
  const { session, conversion } = await openConvertedModel({ model: modelJson, outputs: names });
  const e = await sessionForward(session, conversion.path, input[0]!, names, req.preprocessing, req.source);
  return { ...e, engine: CONVERTED_ENGINE };
}

async function weightsHash(req: ModelRequest): Promise<string> {
  const info = await stat(req.file).catch(() => null);
  if (info === null) throw new GenbenchError('NOT_FOUND', `${req.source}: field 'file' names ${req.file}, which does not exist; put the model there or fix the field`);
  const hash = req.format === 'onnx' ? await sha256File(req.file) : await treeSha256(info.isDirectory() ? req.file : dirname(modelJsonPathOf(req.file)));
  if (req.sha256 !== undefined && req.sha256 !== hash) {
    throw new GenbenchError('CHECKSUM', `${req.source}: field 'sha256' is ${req.sha256} but ${req.file} hashes to ${hash}; the model changed or the manifest is stale`);
  }
  return hash;
}

/** Each output's dim: declared, static, or probed (one zero image, or a zero batch of a fixed size). */
async function settleDims(
  req: ModelRequest,
  known: Readonly<Record<string, number | undefined>>,
  forward: BatchForward,
  fixedBatch: number | undefined,
): Promise<LayerInfo[]> {
  const missing = req.outputs.filter((o) => o.dim === undefined && known[o.name] === undefined).map((o) => o.name);
  const probed = missing.length > 0 ? await probe(req.preprocessing, forward, missing, fixedBatch ?? 1) : {};
  return req.outputs.map((o) => {
    const model = known[o.name] ?? probed[o.name];
    if (o.dim !== undefined && model !== undefined && o.dim !== model) {
      throw new GenbenchError('INPUT', `${req.source}: field 'outputs.${o.name}.dim' is ${o.dim} but the model gives ${model} values per image; fix the dim`);
    }
    return { name: o.name, kind: o.kind, dim: o.dim ?? model! };
  });
}

async function probe(p: Preprocessing, forward: BatchForward, names: readonly string[], n: number): Promise<Record<string, number>> {
  const x = new Float32Array(n * p.height * p.width * p.channels);
  const r = await forward(x, n, names);
  return Object.fromEntries(names.map((name) => [name, (r[name]?.length ?? 0) / n]));
}
