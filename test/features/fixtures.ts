import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../src/data/index.js';
import type { ImageBatchU8 } from '../../src/io/image.js';

/**
 * Test fixtures for feature extractors: a tiny ONNX model encoded here (no protobuf dependency, no file in the repo)
 * and a tiny TF.js layers model, both with weights that make their outputs easy to predict, and MNIST images.
 */

/**
 * ONNX model, opset 13: input x [n, 1, 4, 4] -> Flatten -> output `flat` [n, 16] (the input pixels), and
 * GlobalAveragePool -> Flatten -> output `mean` [n, 1] (the image mean).
 */
export function tinyOnnxModel(): Uint8Array {
  const nodes = [
    node(['x'], ['flat'], 'Flatten', 'flatten'),
    node(['x'], ['pooled'], 'GlobalAveragePool', 'gap'),
    node(['pooled'], ['mean'], 'Flatten', 'flatten_mean'),
  ];
  const graph = msg([
    ...nodes.map((n) => bytes(1, n)),
    str(2, 'tiny_features'),
    bytes(11, valueInfo('x', ['n', 1, 4, 4])),
    bytes(12, valueInfo('flat', ['n', 16])),
    bytes(12, valueInfo('mean', ['n', 1])),
  ]);
  const opset = msg([str(1, ''), varintField(2, 13)]);
  return msg([varintField(1, 8), str(2, 'genbench-test'), bytes(7, graph), bytes(8, opset)]);
}

/** A layers model on 4x4x1 input: `flat` (Flatten, 16 values) and `score` (Dense 16 -> 2, weights all 1, bias 0). */
export function tinyLayersModel(): tf.LayersModel {
  const x = tf.input({ shape: [4, 4, 1], name: 'x' });
  const flat = tf.layers.flatten({ name: 'flat' }).apply(x) as tf.SymbolicTensor;
  const score = tf.layers.dense({ units: 2, kernelInitializer: 'ones', biasInitializer: 'zeros', name: 'score' }).apply(flat) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: score, name: 'tiny_features' });
}

/** The first `n` MNIST test images (needs GENBENCH_ASSETS). */
export async function mnistImages(n: number): Promise<ImageBatchU8> {
  return (await getDataset('mnist').load(`test[:${n}]`)).images;
}

function node(inputs: string[], outputs: string[], op: string, name: string): Uint8Array {
  return msg([...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op)]);
}

function valueInfo(name: string, dims: readonly (string | number)[]): Uint8Array {
  const shape = msg(dims.map((d) => bytes(1, typeof d === 'number' ? varintField(1, d) : str(2, d))));
  const tensor = msg([varintField(1, 1), bytes(2, shape)]); // elem_type 1 = float
  return msg([str(1, name), bytes(2, msg([bytes(1, tensor)]))]);
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function bytes(field: number, payload: Uint8Array): Uint8Array {
  return msg([Uint8Array.from([...varint((field << 3) | 2), ...varint(payload.length)]), payload]);
}

function str(field: number, s: string): Uint8Array {
  return bytes(field, new TextEncoder().encode(s));
}

function msg(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
