import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { buildCase, type ModelName } from '../backend/training-models.js';
import { expectSameAsTfjs, normalData } from './helpers.js';
import { REFERENCE_MODELS, getReferenceModel } from '../../reference-models/index.js';
import { Rng } from '../../src/rng.js';
import { disposeTrainable } from '../../reference-models/train-state.js';

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

/** The networks of genbench's actual reference models (reference-models/): every net of every model. */
describe('genbench reference-model networks convert to ONNX equal to tfjs (1e-4)', () => {
  it.each([...REFERENCE_MODELS.keys()])('%s', async (name) => {
    const model = getReferenceModel(name);
    // the segmenter needs sides divisible by 8 and classes (labels + background); the others run on 28x28
    const side = name === 'segmenter' ? 32 : 28;
    const classes = ['cdcgan', 'classifier', 'dann'].includes(name) ? 10 : name === 'segmenter' ? 5 : 0;
    const net = model.build({ shape: { height: side, width: side, channels: 1 }, classes, rng: new Rng(3) });
    try {
      for (const [k, m] of Object.entries(net.nets)) {
        const n = 3;
        const inputs = m.inputLayers.map((l, i) => {
          const shape = [n, ...(l.batchInputShape as number[]).slice(1)];
          const isLabel = shape.length === 2 && shape[1] === 10 && i > 0;
          // one-hot labels for the conditional inputs, normal data elsewhere
          return isLabel ? oneHot([7, 0, 3], 10) : normalData(shape, 200 + i + k.length);
        });
        await expectSameAsTfjs({ model: m, inputs, n });
      }
      if (model.targets === 'labels') await expectSameAsTfjs({ model: net.exported, inputs: [normalData([3, side, side, 1], 300)], n: 3 }, 0); // the label map exactly
    } finally {
      disposeTrainable(net);
    }
  });
});

function oneHot(labels: number[], classes: number): Float32Array {
  const out = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => (out[i * classes + l] = 1));
  return out;
}
