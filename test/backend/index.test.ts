import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { activeBackend, initBackend } from '../../src/backend/index.js';
import { WASM_KERNEL_NAMES, registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';

describe('initBackend', () => {
  it("registers genbench's kernels when it activates wasm", async () => {
    const choice = await initBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    for (const name of WASM_KERNEL_NAMES) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    expect(registerWasmKernels()).toEqual([]);
    const before = tf.memory().numTensors;
    const x = tf.ones([1, 5, 5, 1]) as tf.Tensor4D;
    const conv = (w: tf.Tensor): tf.Tensor => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 2, 'same'));
    const g = tf.tidy(() => tf.grad(conv)(tf.ones([3, 3, 1, 1])));
    x.dispose();
    // Each tap sees 2, 3, 2 of the rows (and columns) at stride 2 with one row of padding on each side.
    expect(Array.from(g.dataSync())).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('switches to cpu afterwards', async () => {
    const choice = await initBackend('cpu');
    expect(choice.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(activeBackend()?.name).toBe('cpu');
  });

  it('rejects an unknown backend with a USAGE GenbenchError', async () => {
    const err = await initBackend('tpu').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenbenchError);
    expect((err as GenbenchError).code).toBe('USAGE');
    expect((err as GenbenchError).message).toMatch(/unknown backend 'tpu'/);
    expect((err as GenbenchError).message).not.toContain('\n');
  });
});
