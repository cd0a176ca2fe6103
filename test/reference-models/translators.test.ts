import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { loadTranslationData } from '../../src/cli/train-task.js';
import { evaluateTranslation } from '../../src/harness/translate.js';
import { Rng } from '../../src/rng.js';
import { BatchSource } from '../../reference-models/batches.js';
import { getReferenceModel, train } from '../../reference-models/index.js';
import { evaluateHeldOut } from '../../reference-models/run-outputs.js';
import { disposeTrainable } from '../../reference-models/train-state.js';
import type { Scalars } from '../../reference-models/types.js';
import { optionalSharedAssets } from '../helpers/assets.js';

/**
 * The reference translators on real PneumoniaMNIST tasks: a short run (a few steps on a slice of `train`) improves
 * the held-out metric over the untrained network (the same seed's initial weights), and the run folder's exported
 * ONNX translator loads and evaluates through `evaluate --translator` with the scores the TF.js network reported
 * on the same held-out images (so the export is the trained network).
 */
const shared = optionalSharedAssets();
let root: string;

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'genbench-translators-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

interface Case {
  readonly model: string;
  readonly task: string;
  readonly steps: number;
  readonly batch: number;
  readonly heldout: string;
}

/** Trains `c` and returns the held-out metrics before and after, and the run folder. */
async function shortRun(c: Case): Promise<{ before: Scalars; after: Scalars; out: string }> {
  const model = getReferenceModel(c.model);
  const d = await loadTranslationData({ task: c.task, model, split: 'train[:96]', heldout: c.heldout });
  const seed = 3;
  const untrained = model.build({ shape: d.train.images, targetShape: d.train.targets!, classes: 0, rng: new Rng(seed).fork('init') });
  const before = evaluateHeldOut(untrained, new BatchSource(d.heldOut!, model.inputRange), seed)!;
  disposeTrainable(untrained);
  const out = join(root, c.model);
  const tensors = tf.memory().numTensors;
  const r = await train({ model, train: d.train, heldOut: d.heldOut!, classes: 0, out, maxSteps: c.steps, settings: { model: c.model, dataset: c.task, split: d.split, batch: c.batch, seed, backend: 'wasm' } });
  expect(r).toMatchObject({ status: 'step-limit', step: c.steps });
  expect(tf.memory().numTensors).toBe(tensors);
  return { before, after: r.lastEpoch!.heldout!, out };
}

describe.skipIf(!shared)('reference translators: a short run improves on the untrained network; the export evaluates', () => {
  it.each([
    { model: 'pix2pix', task: 'pneumonia-denoise', steps: 12, batch: 8, heldout: 'val[:32]' },
    { model: 'fcn-mse', task: 'pneumonia-sr2', steps: 12, batch: 8, heldout: 'val[:32]' },
  ])('$model on $task', async (c) => {
    const { before, after, out } = await shortRun(c);
    expect(after['psnr']!).toBeGreaterThan(before['psnr']! + 1);
    expect(after['l1']!).toBeLessThan(before['l1']!);
    const manifest = JSON.parse(await readFile(join(out, 'genbench.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ kind: 'translator', format: 'onnx', task: c.task, input_shape: [28, 28, 1], output_range: '[-1,1]' });
    expect(String(manifest['file'])).toMatch(/^ckpt-0+12\/translator\.onnx$/);
    const report = await evaluateTranslation({ translator: out, task: c.task, split: c.heldout, extractor: 'none', bootstrap: 0 });
    expect(report.metrics['psnr']!.value!).toBeCloseTo(after['psnr']!, 0); // the ONNX export is the trained network
    expect(Math.abs(report.metrics['l1']!.value! - after['l1']!)).toBeLessThan(0.5); // uint8 rounding of the outputs
  }, 30_000);

  it('cyclegan on pneumonia-normal-to-pneumonia: the cycle error falls; both directions export', async () => {
    const { before, after, out } = await shortRun({ model: 'cyclegan', task: 'pneumonia-normal-to-pneumonia', steps: 8, batch: 4, heldout: 'val[:16]' });
    expect(after['cycle_l1']!).toBeLessThan(before['cycle_l1']! * 0.8);
    const reverse = JSON.parse(await readFile(join(out, 'reverse.genbench.json'), 'utf8')) as Record<string, unknown>;
    expect(reverse).toMatchObject({ kind: 'translator', direction: 'target->source', name: 'cyclegan-pneumonia-normal-to-pneumonia-reverse' });
    const report = await evaluateTranslation({ translator: out, reverseTranslator: join(out, 'reverse.genbench.json'), task: 'pneumonia-normal-to-pneumonia', split: 'val[:16]', extractor: 'none', classifier: false, bootstrap: 0 });
    expect(Math.abs(report.metrics['cycle_l1']!.value! - after['cycle_l1']!)).toBeLessThan(1);
  }, 30_000);
});
