import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { buildCase, type ModelName } from '../backend/training-models.js';
import { expectSameAsTfjs, normalData } from './helpers.js';

/** Every model genbench trains (small versions from test/backend/training-models.ts) converts and matches tfjs. */
const NAMES: ModelName[] = ['dcgan', 'conditional-dcgan', 'vae', 'classifier', 'mobilenet'];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('reference models convert to ONNX equal to tfjs (1e-4)', () => {
  it.each(NAMES)('%s', async (name) => {
    const c = buildCase(name);
    try {
      for (const [k, model] of c.models.entries()) {
        const n = 3;
        const inputs = model.inputLayers.map((l, i) => {
          const shape = [n, ...(l.batchInputShape as number[]).slice(1)];
          // a [N, 1] input of a conditional model is a class label for an Embedding
          return shape.length === 2 && shape[1] === 1 ? Float32Array.of(7, 0, 3) : normalData(shape, 100 + 10 * k + i);
        });
        await expectSameAsTfjs({ model, inputs, n });
      }
    } finally {
      c.models.forEach((m) => m.dispose());
      tf.dispose(c.data);
    }
  });
});
