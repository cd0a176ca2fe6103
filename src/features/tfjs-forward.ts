import { tf } from '../backend/index.js';
import { GenbenchError } from '../errors.js';
import type { BatchForward } from './assemble.js';
import type { Preprocessing } from './types.js';

/**
 * TF.js engines for feature extractors. A layers model is rebuilt once as a multi-output `tf.model` whose outputs are
 * the declared layers (one forward pass gives all of them); a graph model is executed with the declared node names.
 * Every call runs in `tf.tidy`, reads the outputs and disposes them: no tensor leaves.
 *
 * @example
 * const { forward, release } = layersForward(await loadLayersModelFromFiles(dir), ['global_average_pooling2d_1'], prep, dir);
 * const r = await forward(x, 8, ['global_average_pooling2d_1']); // { global_average_pooling2d_1: Float32Array(8 * 256) }
 */
export interface TfjsForward {
  readonly forward: BatchForward;
  readonly release: () => void;
  /** Flattened size per image of each output, read from the model where it is static. */
  readonly dims: Readonly<Record<string, number | undefined>>;
  readonly engine: string;
}

export function tfjsEngine(): string {
  return `tfjs ${tf.version.tfjs} (${tf.getBackend()})`;
}

/** Input tensor shape of a batch of n images in the declared layout. */
function inputShape(p: Preprocessing, n: number): [number, number, number, number] {
  return p.layout === 'NHWC' ? [n, p.height, p.width, p.channels] : [n, p.channels, p.height, p.width];
}

/** A multi-output forward over the named layers of a layers model; `source` names the model in errors. */
export function layersForward(base: tf.LayersModel, names: readonly string[], p: Preprocessing, source: string): TfjsForward {
  const outputs = names.map((n) => symbolicOutput(base, n, source));
  const model = tf.model({ inputs: base.inputs, outputs, name: `${base.name}_features` });
  const dims = Object.fromEntries(names.map((n, i) => [n, staticSize(outputs[i]!.shape)]));
  const forward: BatchForward = async (x, n, wanted) => {
    const outs = tf.tidy(() => {
      const r = model.predict(tf.tensor(x, inputShape(p, n)), { batchSize: n });
      return Array.isArray(r) ? r : [r];
    });
    return readOutputs(outs, names, wanted);
  };
  return { forward, dims, engine: tfjsEngine(), release: () => void base.dispose() };
}

/** A forward over the named output nodes of a graph model, fed through input node `input`. */
export function graphForward(model: tf.GraphModel, input: string, names: readonly string[], p: Preprocessing): TfjsForward {
  const forward: BatchForward = async (x, n, wanted) => {
    const outs = tf.tidy(() => {
      const r = model.execute({ [input]: tf.tensor(x, inputShape(p, n)) }, [...names]);
      return Array.isArray(r) ? r : [r];
    });
    return readOutputs(outs, names, wanted);
  };
  return { forward, dims: {}, engine: tfjsEngine(), release: () => model.dispose() };
}

/** Reads the wanted outputs (by position in `names`) and disposes every output tensor. */
async function readOutputs(outs: tf.Tensor[], names: readonly string[], wanted: readonly string[]): Promise<Record<string, Float32Array>> {
  try {
    const result: Record<string, Float32Array> = {};
    for (const w of wanted) result[w] = (await outs[names.indexOf(w)]!.data()) as Float32Array;
    return result;
  } finally {
    tf.dispose(outs);
  }
}

function symbolicOutput(model: tf.LayersModel, name: string, source: string): tf.SymbolicTensor {
  let layer: tf.layers.Layer;
  try {
    layer = model.getLayer(name);
  } catch {
    const some = model.layers.slice(-6).map((l) => l.name).join(', ');
    throw new GenbenchError('INPUT', `${source}: the model has no layer '${name}' (its last layers are ${some}); fix the layer name`);
  }
  const out = layer.output;
  if (Array.isArray(out)) throw new GenbenchError('UNSUPPORTED', `${source}: layer '${name}' has several outputs; name a single-output layer`);
  return out;
}

/** Product of the non-batch dims, or undefined when one is unknown. */
export function staticSize(shape: readonly (number | null | string)[]): number | undefined {
  let size = 1;
  for (const d of shape.slice(1)) {
    if (typeof d !== 'number' || d < 0) return undefined;
    size *= d;
  }
  return size;
}
