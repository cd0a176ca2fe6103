import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { Rng } from '../../src/rng.js';
import { registerWasmKernels } from '../../src/backend/wasm-kernels/index.js';

/** Helpers for the wasm-vs-cpu tests: seeded inputs, running one computation on both backends, closeness checks. */

export type Backend = 'cpu' | 'wasm';

/** Registers genbench's wasm kernels and starts both backends. */
export async function setUpBackends(): Promise<void> {
  registerWasmKernels();
  for (const name of ['cpu', 'wasm'] as const) {
    expect(await tf.setBackend(name)).toBe(true);
    await tf.ready();
  }
}

/** `size` standard normals (as float32) from a seeded Rng. */
export function normals(seed: number, size: number): Float32Array {
  return new Rng(seed).fillNormal(new Float32Array(size));
}

/** Runs `fn` on `backend` and returns its outputs as plain arrays; checks that no tensor or backend buffer leaked. */
export function runOn(backend: Backend, fn: () => tf.Tensor[]): Float32Array[] {
  tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const buffers = tf.engine().backend.numDataIds();
  const outs = fn();
  const values = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  expect(tf.engine().backend.numDataIds(), `kernel scratch buffers leaked on ${backend}`).toBe(buffers);
  return values;
}

/** Runs `fn` on cpu and on wasm and expects every output to agree: |wasm − cpu| ≤ tol·(1 + |cpu|). */
export function expectSameOnBothBackends(fn: () => tf.Tensor[], tol = 1e-4, label = ''): void {
  const cpu = runOn('cpu', fn);
  const wasm = runOn('wasm', fn);
  expect(wasm.length).toBe(cpu.length);
  cpu.forEach((c, i) => expectClose(wasm[i]!, c, tol, `${label} output ${i}`));
}

/** Expects `actual` close to `expected` elementwise, |a − e| ≤ tol·(1 + |e|), and not all zero unless expected is. */
export function expectClose(actual: Float32Array, expected: Float32Array, tol: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!));
    if (!(excess <= worst)) {
      worst = excess;
      at = i;
    }
  }
  expect(worst, `${label}: worst at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tol);
}
