import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';
import { wasmThreadsFromEnv } from '../../src/backend/wasm-kernels/threads.js';

/**
 * The default wasm path (GENBENCH_WASM_THREADS unset) patches no global: URL.createObjectURL and os.cpus stay the
 * functions they were, and the single-threaded build starts. Its own file, because the wasm build is chosen once per
 * process (wasm-threads.test.ts starts the threaded one).
 */
describe('single-threaded wasm (default)', () => {
  it('starts without touching URL.createObjectURL or os.cpus', async () => {
    const createObjectURL = URL.createObjectURL;
    const cpus = os.cpus;
    const saved = process.env['GENBENCH_WASM_THREADS'];
    try {
      delete process.env['GENBENCH_WASM_THREADS'];
      registerWasmKernels();
      expect(await wasmThreadsFromEnv()).toBe(1);
      expect(await tf.setBackend('wasm')).toBe(true);
      await tf.ready();
      expect((tf.findBackend('wasm') as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount()).toBe(1);
    } finally {
      if (saved === undefined) delete process.env['GENBENCH_WASM_THREADS'];
      else process.env['GENBENCH_WASM_THREADS'] = saved;
    }
    expect(URL.createObjectURL).toBe(createObjectURL);
    expect(os.cpus).toBe(cpus);
    expect(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
  });
});
