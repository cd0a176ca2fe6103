import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose, setUpBackends, type Backend } from './compare.js';
import { buildCase, type ModelName } from './training-models.js';

/**
 * One Adam step of each model genbench trains, on wasm (with genbench's kernels) and on cpu, from the same seeded
 * weights and data: the step must not throw on wasm, and the loss, every gradient and the loss after the step must
 * agree with cpu.
 */

interface StepResult {
  readonly loss: number;
  readonly grads: Float32Array[];
  readonly lossAfter: number;
}

function trainStep(backend: Backend, name: ModelName): StepResult {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const c = buildCase(name);
  const vars = c.models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  const optimizer = tf.train.adam(2e-4, 0.5, 0.999);
  const { value, grads } = tf.variableGrads(c.loss, vars);
  const gradValues = vars.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
  const loss = value.dataSync()[0]!;
  optimizer.applyGradients(grads as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
  const after = tf.tidy(c.loss);
  const lossAfter = after.dataSync()[0]!;
  tf.dispose([value, after, grads as unknown as tf.Tensor[], c.data]);
  optimizer.dispose();
  c.models.forEach((m) => m.dispose());
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return { loss, grads: gradValues, lossAfter };
}

const MODELS: ModelName[] = ['dcgan', 'conditional-dcgan', 'vae', 'classifier', 'mobilenet'];

describe('one training step on wasm matches cpu', () => {
  beforeAll(setUpBackends);

  it.each(MODELS)('%s', (name) => {
    const cpu = trainStep('cpu', name);
    const wasm = trainStep('wasm', name);
    expect(Number.isFinite(cpu.loss)).toBe(true);
    expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThan(1e-4);
    expect(Math.abs(wasm.lossAfter - cpu.lossAfter) / Math.abs(cpu.lossAfter)).toBeLessThan(1e-4);
    expect(cpu.lossAfter).not.toBe(cpu.loss);
    expect(wasm.grads.length).toBe(cpu.grads.length);
    cpu.grads.forEach((g, i) => expectClose(wasm.grads[i]!, g, 1e-4, `${name} gradient ${i}`));
  });
});
