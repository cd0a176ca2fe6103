import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { GenbenchError } from '../src/errors.js';
import type { TrainableModel } from './types.js';
import { readJsonFile } from '../src/io/json-file.js';
import { parseWith } from '../src/io/zod-message.js';

/**
 * The training state that `--resume` continues from: `state.json` (counters, the run's settings, and an index of
 * tensors) and `state.bin` (those tensors as float32, concatenated). Tensors are every weight of every network in
 * `model.weights` order (BatchNorm moving statistics included) and each optimizer's moments; randomness needs no
 * saved state because every epoch's shuffle and every step's noise come from streams derived from (seed, epoch)
 * and (seed, step) (see train-loop.ts).
 *
 * @example
 * const { json, bin } = await encodeState(net, { ...settings, epoch: 2, step_in_epoch: 0, step: 250 });
 * const state = await readState('runs/dcgan/ckpt-000250', net); // restores the weights, returns the counters
 */
export const RunSettingsSchema = z.object({
  model: z.string(),
  dataset: z.string(),
  split: z.string(),
  batch: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  backend: z.string(),
  /** The resize of an image-folder dataset (`28x28 bilinear`), when the images were resized while reading. */
  resize: z.string().optional(),
  /** `dann`: the target domain (dataset and split). */
  target: z.string().optional(),
  /** A model's variant (`dann`: 'no-adversarial' for the source-only baseline). */
  variant: z.string().optional(),
});

export const StateSchema = RunSettingsSchema.extend({
  format: z.literal('genbench-training-state'),
  version: z.literal(1),
  epoch: z.number().int().nonnegative(),
  step_in_epoch: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  train_seconds: z.number().nonnegative(),
  rng: z.string(),
  optimizers: z.record(z.string(), z.object({ t: z.number().int().nonnegative() })),
  tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative() })),
});

export type RunSettings = z.infer<typeof RunSettingsSchema>;
export type TrainState = z.infer<typeof StateSchema>;
export type Counters = Pick<TrainState, 'epoch' | 'step_in_epoch' | 'step' | 'train_seconds'>;

export const RNG_SCHEME = 'genbench Rng(seed).fork("epoch-E") shuffles epoch E; Rng(seed).fork("step-S") draws the noise of step S';

/** Named tensors of the state, in a fixed order: nets then optimizers, each in their key order. */
function stateTensors(net: TrainableModel): { name: string; tensor: tf.Tensor }[] {
  const out: { name: string; tensor: tf.Tensor }[] = [];
  for (const [key, m] of Object.entries(net.nets)) m.weights.forEach((w, i) => out.push({ name: `net/${key}/${i}/${w.name}`, tensor: w.read() }));
  for (const [key, o] of Object.entries(net.optimizers)) o.stateTensors().forEach((t, i) => out.push({ name: `optimizer/${key}/${i}`, tensor: t }));
  return out;
}

/** state.json text and state.bin bytes for the current weights. */
export async function encodeState(net: TrainableModel, info: RunSettings & Counters): Promise<{ json: string; bin: Uint8Array }> {
  const named = stateTensors(net);
  const parts: Float32Array[] = [];
  const tensors: TrainState['tensors'] = [];
  let offset = 0;
  for (const { name, tensor } of named) {
    const data = (await tensor.data()) as Float32Array;
    tensors.push({ name, shape: tensor.shape, offset });
    parts.push(data);
    offset += data.byteLength;
  }
  const bin = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    bin.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at);
    at += p.byteLength;
  }
  const optimizers = Object.fromEntries(Object.entries(net.optimizers).map(([k, o]) => [k, { t: o.t }]));
  const state: TrainState = { format: 'genbench-training-state', version: 1, ...info, rng: RNG_SCHEME, optimizers, tensors };
  return { json: JSON.stringify(state, null, 1) + '\n', bin };
}

/** Reads a checkpoint folder's state into `net` (weights and optimizers) and returns the state record. */
export async function readState(folder: string, net: TrainableModel): Promise<TrainState> {
  const path = join(folder, 'state.json');
  const state = parseWith(StateSchema, await readJsonFile(path, 'use a fresh --out'), `${path} (not a genbench training state)`, 'use a fresh --out');
  const bytes = await readFile(join(folder, 'state.bin'));
  const want = stateTensors(net);
  if (want.length !== state.tensors.length) {
    throw new GenbenchError('INPUT', `${path}: holds ${state.tensors.length} tensors, this model has ${want.length}; the checkpoint is of another model or version (use a fresh --out)`);
  }
  const values = state.tensors.map((t, i) => {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (String(t.shape) !== String(want[i]!.tensor.shape) || t.offset + size * 4 > bytes.byteLength) {
      throw new GenbenchError('INPUT', `${path}: tensor '${t.name}' has shape [${t.shape}] but the model needs [${want[i]!.tensor.shape}], or state.bin is truncated; use a fresh --out`);
    }
    return tf.tensor(new Float32Array(bytes.buffer.slice(bytes.byteOffset + t.offset, bytes.byteOffset + t.offset + size * 4)), t.shape);
  });
  let k = 0;
  for (const m of Object.values(net.nets)) {
    m.setWeights(values.slice(k, k + m.weights.length));
    k += m.weights.length;
  }
  for (const [key, o] of Object.entries(net.optimizers)) {
    const n = o.stateTensors().length;
    o.loadState(state.optimizers[key]?.t ?? 0, values.slice(k, k + n));
    k += n;
  }
  tf.dispose(values);
  return state;
}

/**
 * Frees every network and optimizer of a built model. The exported network shares its weighted layers with `nets`
 * (at most it adds weightless layers such as the VAE's sigmoid), so disposing `nets` frees it too.
 */
export function disposeTrainable(net: TrainableModel): void {
  for (const m of Object.values(net.nets)) m.dispose();
  for (const opt of Object.values(net.optimizers)) opt.dispose();
}
