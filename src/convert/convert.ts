import { GenbenchError } from '../errors.js';
import { type ConvertContext, type LayerConverter } from './context.js';
import { GraphBuilder, type KTensor } from './graph-builder.js';
import { ACTIVATION_LAYERS, batchNormAffine } from './layers-activation.js';
import { CONV_LAYERS, FOLDABLE } from './layers-conv.js';
import { CORE_LAYERS } from './layers-core.js';
import { encodeModel } from '../io/onnx-model.js';
import { preprocessInput, type GraphPreprocess } from './preprocess-graph.js';
import { consumerCounts, parseTopology, type LayerSpec, type Topology } from './topology.js';
import type { NamedWeights, Weight } from './weights.js';

/**
 * TF.js / keras layers model -> ONNX (opset 17). The graph takes NHWC float input named after each InputLayer (or,
 * with `preprocess`, uint8 pixels: see preprocess-graph.ts), keeps image tensors NCHW inside (one Transpose at the
 * input, one back wherever a Flatten/Reshape/Dense/output needs keras order) and has one output per requested layer,
 * named after the layer, in keras axis order. Only the layers the outputs need are converted. A BatchNormalization
 * directly after a linear Conv2D/DepthwiseConv2D/Conv2DTranspose/Dense that feeds nothing else is folded into its
 * kernel and bias. A layer class without a converter is an UNSUPPORTED error naming the layer and its class.
 *
 * @example
 * const { modelJson, weights } = await readLayersModelFiles('/data/genbench-assets/models/mobilenet_v1_0.75_224');
 * const bytes = convertLayersModel(modelJson, weights, { outputs: ['global_average_pooling2d_1', 'reshape_2'] });
 * await ort.InferenceSession.create(bytes); // inputs ['input_1'] [N, 224, 224, 3]; outputs as named
 */
export const CONVERTER_VERSION = 1;

export interface ConvertOptions {
  /** Layer names to emit as outputs (default: the model's outputs). An InputLayer name gives the (preprocessed) input. */
  readonly outputs?: readonly string[];
  /** Replace the model's single image input by uint8 pixels and the preprocessing in the graph. */
  readonly preprocess?: GraphPreprocess;
}

/** Layer class -> converter: the one registry of supported layers. */
export const LAYER_CONVERTERS: ReadonlyMap<string, LayerConverter> = Object.freeze(
  new Map(Object.entries({ ...CORE_LAYERS, ...CONV_LAYERS, ...ACTIVATION_LAYERS })),
);

export function convertLayersModel(modelJson: { readonly modelTopology?: unknown }, weights: NamedWeights, opts: ConvertOptions = {}): Uint8Array {
  const topo = parseTopology(modelJson.modelTopology);
  const outputs = opts.outputs ?? topo.outputs;
  const needed = neededLayers(topo, outputs);
  const counts = consumerCounts({ ...topo, layers: needed });
  const wanted = new Set(outputs);
  const g = new GraphBuilder(outputs);
  const tensors = new Map<string, KTensor>();
  const folded = new Set<string>();
  for (const layer of needed) {
    if (folded.has(layer.name)) {
      tensors.set(layer.name, tensors.get(layer.inbound[0]!)!);
      continue;
    }
    if (layer.className === 'InputLayer') {
      tensors.set(layer.name, inputTensor(g, layer, topo, opts.preprocess));
      continue;
    }
    const convert = LAYER_CONVERTERS.get(layer.className);
    if (convert === undefined) throw unsupportedLayer(layer);
    const bn = foldTarget(layer, needed, counts, wanted);
    const ctx = contextFor(g, layer, layer.inbound.map((i) => tensors.get(i)!), weights);
    const fold = bn === undefined ? undefined : batchNormAffine(contextFor(g, bn, [], weights));
    if (bn !== undefined) folded.add(bn.name);
    tensors.set(layer.name, convert(fold === undefined ? ctx : { ...ctx, fold }));
  }
  for (const name of outputs) g.output(name, tensors.get(name)!);
  const graph = { name: 'genbench_converted', nodes: g.nodes, initializers: g.initializers, inputs: g.inputs, outputs: g.outputs };
  return encodeModel(graph, { producer: 'genbench-convert', producerVersion: `converter-v${CONVERTER_VERSION}` });
}

function unsupportedLayer(layer: LayerSpec): GenbenchError {
  const known = [...LAYER_CONVERTERS.keys(), 'InputLayer'].sort().join(', ');
  return new GenbenchError('UNSUPPORTED', `layer '${layer.name}' (${layer.className}) is not supported by the ONNX converter; supported classes: ${known}`);
}

/** The layers the outputs depend on, in topological order; unknown output names are an INPUT error. */
function neededLayers(topo: Topology, outputs: readonly string[]): LayerSpec[] {
  const byName = new Map(topo.layers.map((l) => [l.name, l]));
  const need = new Set<string>();
  const stack = [...outputs];
  for (let name = stack.pop(); name !== undefined; name = stack.pop()) {
    const l = byName.get(name);
    if (l === undefined) {
      const some = topo.layers.slice(-6).map((x) => x.name).join(', ');
      throw new GenbenchError('INPUT', `the model has no layer '${name}' (its last layers are ${some}); fix the output name`);
    }
    if (!need.has(name)) stack.push(...l.inbound);
    need.add(name);
  }
  return topo.layers.filter((l) => need.has(l.name));
}

/** The BatchNormalization to fold into `layer`, if it is its only consumer and the layer is linear and not an output. */
function foldTarget(layer: LayerSpec, needed: readonly LayerSpec[], counts: Map<string, number>, wanted: Set<string>): LayerSpec | undefined {
  if (!FOLDABLE.has(layer.className) || wanted.has(layer.name) || counts.get(layer.name) !== 1) return undefined;
  const act = layer.config['activation'];
  if (act !== undefined && act !== null && act !== 'linear') return undefined;
  const next = needed.find((l) => l.inbound.includes(layer.name));
  if (next?.className !== 'BatchNormalization') return undefined;
  const raw = next.config['axis'];
  const axis = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : undefined) : (raw ?? -1);
  const lastAxis = layer.className === 'Dense' ? -1 : 3;
  return axis === -1 || axis === lastAxis ? next : undefined;
}

function inputTensor(g: GraphBuilder, layer: LayerSpec, topo: Topology, pre: GraphPreprocess | undefined): KTensor {
  const batchShape = (layer.config['batch_input_shape'] ?? layer.config['batchInputShape']) as (number | null)[] | undefined;
  const shape = batchShape?.slice(1);
  if (shape === undefined || shape.some((d) => typeof d !== 'number')) {
    throw new GenbenchError('UNSUPPORTED', `input layer '${layer.name}' has shape ${JSON.stringify(batchShape)}; the ONNX converter needs every non-batch dim fixed`);
  }
  const dims = shape as number[];
  if (pre === undefined) return { name: g.input(layer.name, dims), shape: dims, layout: 'keras' };
  if (topo.inputs.length !== 1) throw new GenbenchError('UNSUPPORTED', `in-graph preprocessing needs a model with one image input; this one has ${topo.inputs.length}`);
  return preprocessInput(g, pre, dims, layer.name);
}

function contextFor(g: GraphBuilder, layer: LayerSpec, inputs: KTensor[], weights: NamedWeights): ConvertContext {
  const optionalWeight = (param: string): Weight | undefined => {
    const exact = weights.get(`${layer.name}/${param}`);
    if (exact !== undefined) return exact;
    for (const [k, w] of weights) if (k.startsWith(`${layer.name}/${param}`)) return w;
    return undefined;
  };
  const weight = (param: string): Weight => {
    const w = optionalWeight(param);
    if (w === undefined) throw new GenbenchError('INPUT', `layer '${layer.name}' (${layer.className}): weight '${layer.name}/${param}' is missing from the weights`);
    return w;
  };
  return { g, layer, inputs, weight, optionalWeight };
}
