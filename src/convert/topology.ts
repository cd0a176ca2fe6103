import { GenbenchError } from '../errors.js';

/**
 * Reading a keras / TF.js layers topology (model.json `modelTopology`): functional `Model` (layers with
 * inbound_nodes) and `Sequential` (a chain; its input comes from the first layer's batch_input_shape), also when
 * wrapped in `model_config` as the keras converter writes it. Shared layers (applied more than once) and nested
 * models are not supported.
 *
 * @example
 * const t = parseTopology(modelJson.modelTopology);
 * t.inputs; // ['input_1']; t.layers[1]: { name: 'conv1', className: 'Conv2D', inbound: ['input_1'], config: {...} }
 */
export interface LayerSpec {
  readonly name: string;
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Names of the layers whose (single) outputs feed this one, in order. */
  readonly inbound: readonly string[];
}

export interface Topology {
  /** In topological order. */
  readonly layers: readonly LayerSpec[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

type Json = Record<string, unknown>;

export function parseTopology(modelTopology: unknown): Topology {
  const top = asObject(modelTopology, 'modelTopology');
  const model = asObject(top['model_config'] ?? top, 'modelTopology.model_config');
  const cls = model['class_name'];
  if (cls === 'Sequential') return sequential(model['config']);
  if (cls === 'Model' || cls === 'Functional') return functional(asObject(model['config'], 'modelTopology.config'));
  throw new GenbenchError('UNSUPPORTED', `modelTopology: model class '${String(cls)}' is not supported; convert a keras Model or Sequential`);
}

function functional(config: Json): Topology {
  const layers = asArray(config['layers'], 'modelTopology.config.layers').map((l) => functionalLayer(asObject(l, 'layer')));
  const names = (key: string): string[] => asArray(config[key], `modelTopology.config.${key}`).map((e) => String((e as unknown[])[0]));
  return { layers: topoSort(layers), inputs: names('input_layers'), outputs: names('output_layers') };
}

function functionalLayer(l: Json): LayerSpec {
  const name = String(l['name'] ?? asObject(l['config'], 'layer.config')['name']);
  const className = String(l['class_name']);
  const nodes = asArray(l['inbound_nodes'] ?? [], `layer '${name}' inbound_nodes`);
  if (nodes.length > 1) {
    throw new GenbenchError('UNSUPPORTED', `layer '${name}' (${className}) is shared (applied ${nodes.length} times); shared layers are not supported by the ONNX converter`);
  }
  const inbound = nodes.length === 0 ? [] : asArray(nodes[0], `layer '${name}' inbound node`).map((e) => inboundName(e, name, className));
  return { name, className, config: asObject(l['config'] ?? {}, `layer '${name}' config`), inbound };
}

function inboundName(e: unknown, name: string, className: string): string {
  const [src, node, tensor] = e as [string, number, number];
  if (node !== 0 || tensor !== 0) {
    throw new GenbenchError('UNSUPPORTED', `layer '${name}' (${className}) reads output ${node}/${tensor} of '${src}'; only single-output, unshared layers are supported`);
  }
  return src;
}

function sequential(config: unknown): Topology {
  const list = Array.isArray(config) ? config : asArray(asObject(config, 'modelTopology.config')['layers'], 'modelTopology.config.layers');
  const specs = list.map((l) => asObject(l, 'layer'));
  const layers: LayerSpec[] = [];
  let prev: string | undefined;
  for (const l of specs) {
    const cfg = asObject(l['config'] ?? {}, 'layer config');
    const name = String(cfg['name'] ?? l['name']);
    if (prev === undefined && l['class_name'] !== 'InputLayer') {
      const shape = cfg['batch_input_shape'] ?? cfg['batchInputShape'];
      if (!Array.isArray(shape)) throw new GenbenchError('INPUT', `Sequential model: first layer '${name}' has no batch_input_shape`);
      prev = `${name}_input`;
      layers.push({ name: prev, className: 'InputLayer', config: { batch_input_shape: shape, name: prev }, inbound: [] });
    }
    layers.push({ name, className: String(l['class_name']), config: cfg, inbound: prev === undefined ? [] : [prev] });
    prev = name;
  }
  return { layers, inputs: [layers[0]!.name], outputs: prev === undefined ? [] : [prev] };
}

/** Layers ordered so that each comes after its inputs (keras usually lists them so already). */
function topoSort(layers: LayerSpec[]): LayerSpec[] {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const done = new Set<string>();
  const out: LayerSpec[] = [];
  const visit = (l: LayerSpec, stack: Set<string>): void => {
    if (done.has(l.name)) return;
    if (stack.has(l.name)) throw new GenbenchError('INPUT', `modelTopology: layer '${l.name}' is part of a cycle`);
    stack.add(l.name);
    for (const i of l.inbound) {
      const src = byName.get(i);
      if (src === undefined) throw new GenbenchError('INPUT', `modelTopology: layer '${l.name}' reads unknown layer '${i}'`);
      visit(src, stack);
    }
    done.add(l.name);
    out.push(l);
  };
  for (const l of layers) visit(l, new Set());
  return out;
}

/** How many layers read each layer's output. */
export function consumerCounts(t: Topology): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of t.layers) for (const i of l.inbound) counts.set(i, (counts.get(i) ?? 0) + 1);
  return counts;
}

function asObject(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GenbenchError('INPUT', `${what}: expected an object in the model topology`);
  return v as Json;
}

function asArray(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new GenbenchError('INPUT', `${what}: expected a list in the model topology`);
  return v;
}
