import * as tf from '@tensorflow/tfjs';
import ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { convertLayersModel, type ConvertOptions } from '../../src/convert/convert.js';
import { decodeWeights, type Weight } from '../../src/convert/weights.js';
import { Rng } from '../../src/rng.js';

/**
 * Helpers for converter tests: a tfjs model's saved artifacts (what model.json + shards hold), its ONNX conversion
 * run through onnxruntime, and the same layers predicted by tfjs, compared element-wise.
 */
export async function savedArtifacts(model: tf.LayersModel): Promise<{ modelTopology: unknown; weights: Map<string, Weight> }> {
  let out: { modelTopology: unknown; weights: Map<string, Weight> } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      out = { modelTopology: a.modelTopology, weights: decodeWeights(a.weightSpecs ?? [], a.weightData as ArrayBuffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return out!;
}

/** Sets every weight from `rng`: fan-in-scaled normals; BN gamma near 1, mean near 0, variance in [0.5, 1.5]. */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  const values = model.weights.map((w) => {
    const shape = w.shape as number[];
    const size = tf.util.sizeFromShape(shape);
    const v = new Float32Array(size);
    const fanIn = shape.length === 1 ? 1 : size / shape[shape.length - 1]!;
    for (let i = 0; i < size; i++) {
      if (w.name.includes('moving_variance')) v[i] = 0.5 + rng.float();
      else if (w.name.includes('gamma')) v[i] = 1 + 0.2 * rng.normal();
      else if (shape.length === 1) v[i] = 0.2 * rng.normal();
      else v[i] = rng.normal() / Math.sqrt(fanIn);
    }
    return tf.tensor(v, shape);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** Seeded normal data of `shape` (batch included). */
export function normalData(shape: number[], seed: number, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale);
}

export interface CompareCase {
  readonly model: tf.LayersModel;
  /** Layer names to compare (default: the model's output layers). */
  readonly layers?: readonly string[];
  /** One array per model input, batch `n`. */
  readonly inputs: readonly Float32Array[];
  readonly n: number;
  readonly options?: ConvertOptions;
}

/** Converts, runs both engines, and expects max |onnx - tfjs| <= tol * max(1, max |tfjs|) per layer. */
export async function expectSameAsTfjs(c: CompareCase, tol = 1e-4): Promise<Record<string, number>> {
  const layers = c.layers ?? c.model.outputLayers.map((l) => l.name);
  const { modelTopology, weights } = await savedArtifacts(c.model);
  const bytes = convertLayersModel({ modelTopology }, weights, { ...c.options, outputs: layers });
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1 });
  const feeds: Record<string, ort.Tensor> = {};
  c.model.inputLayers.forEach((l, i) => {
    feeds[l.name] = new ort.Tensor('float32', c.inputs[i]!, [c.n, ...(l.batchInputShape as number[]).slice(1)]);
  });
  const got = await session.run(feeds);
  await session.release();
  const probe = tf.model({ inputs: c.model.inputs, outputs: layers.map((l) => c.model.getLayer(l).output as tf.SymbolicTensor) });
  const want = tf.tidy(() => {
    const xs = c.model.inputLayers.map((l, i) => tf.tensor(c.inputs[i]!, [c.n, ...(l.batchInputShape as number[]).slice(1)]));
    const r = probe.predict(xs.length === 1 ? xs[0]! : xs);
    return Array.isArray(r) ? r : [r];
  });
  const errors: Record<string, number> = {};
  try {
    for (const [k, name] of layers.entries()) {
      const w = want[k]!.dataSync();
      const o = got[name]!;
      expect(o.dims.slice(1), `shape of ${name}`).toEqual(want[k]!.shape.slice(1));
      let maxAbs = 0;
      let err = 0;
      for (let i = 0; i < w.length; i++) {
        maxAbs = Math.max(maxAbs, Math.abs(w[i]!));
        err = Math.max(err, Math.abs((o.data as Float32Array)[i]! - w[i]!));
      }
      errors[name] = err / Math.max(1, maxAbs);
      expect(errors[name], `layer ${name}`).toBeLessThanOrEqual(tol);
    }
  } finally {
    tf.dispose(want);
  }
  return errors;
}
