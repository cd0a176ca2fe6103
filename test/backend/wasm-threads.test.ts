import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { GenbenchError } from '../../src/errors.js';
import { registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { startThreadedWasm, wasmThreadsFromEnv } from '../../src/backend/wasm-kernels/threads.js';
import { expectSameOnBothBackends, normals } from './compare.js';

/**
 * The threaded SIMD wasm build in Node (threads.ts): it starts with two XNNPACK threads, genbench's kernels run on
 * it and match cpu. Its own file, because the build is chosen once per process, before wasm first starts.
 */
describe('threaded wasm', () => {
  const globals = { createObjectURL: URL.createObjectURL, cpus: os.cpus };
  beforeAll(async () => {
    registerWasmKernels();
    expect(await startThreadedWasm(2)).toBe(2);
    expect(await tf.setBackend('cpu')).toBe(true);
  });

  it('puts URL.createObjectURL and os.cpus back once the threaded build is up', () => {
    expect(URL.createObjectURL).toBe(globals.createObjectURL);
    expect(os.cpus).toBe(globals.cpus);
  });

  it('runs a conv step on two threads, matching cpu', () => {
    expect((tf.findBackend('wasm') as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount()).toBe(2);
    const randn = (seed: number, shape: number[]) => tf.tensor(normals(seed, tf.util.sizeFromShape(shape)), shape);
    expectSameOnBothBackends(() =>
      tf.tidy(() => {
        const x = randn(1, [4, 14, 14, 16]);
        const w = randn(2, [4, 4, 16, 32]);
        const r = randn(3, [4, 7, 7, 32]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'), r));
        const { value, grads } = tf.valueAndGrads(f)([x, w]);
        return [value, ...grads, tf.matMul(x.reshape([196, 64]), randn(4, [196, 8]), true, false)];
      }),
    );
  });

  it('GENBENCH_WASM_THREADS: unset is one thread, a bad value is a one-line usage error', async () => {
    const saved = process.env['GENBENCH_WASM_THREADS'];
    try {
      delete process.env['GENBENCH_WASM_THREADS'];
      expect(await wasmThreadsFromEnv()).toBe(1);
      process.env['GENBENCH_WASM_THREADS'] = 'two';
      await expect(wasmThreadsFromEnv()).rejects.toThrow(GenbenchError);
      process.env['GENBENCH_WASM_THREADS'] = '2';
      expect(await wasmThreadsFromEnv()).toBe(2); // already started: reports the running build
    } finally {
      if (saved === undefined) delete process.env['GENBENCH_WASM_THREADS'];
      else process.env['GENBENCH_WASM_THREADS'] = saved;
    }
  });
});
