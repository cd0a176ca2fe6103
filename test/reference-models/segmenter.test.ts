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
import { optionalSharedAssets } from '../helpers/assets.js';

/**
 * The segmenter on the real colin27-t1-aal task: a short run (32 steps of 4 slices) raises the held-out mean Dice
 * (the `test` slices) and pixel accuracy over the untrained network of the same seed, and the run folder's ONNX
 * translator, whose output is the label map, scores the same mean Dice through `evaluate --translator` as the TF.js
 * network reported (so the export is the trained network and its argmax).
 */
const shared = optionalSharedAssets();
let root: string;

beforeAll(async () => {
  await initBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'genbench-segmenter-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe.skipIf(!shared)('segmenter on colin27-t1-aal', () => {
  it('a short run raises held-out mean Dice over the untrained network; the ONNX label map scores the same', async () => {
    const model = getReferenceModel('segmenter');
    const d = await loadTranslationData({ task: 'colin27-t1-aal', model, heldout: 'test' });
    expect(d.labels).toBe(116);
    const classes = d.labels! + 1;
    const seed = 3;
    const untrained = model.build({ shape: d.train.images, targetShape: d.train.targets!, classes, rng: new Rng(seed).fork('init') });
    const before = evaluateHeldOut(untrained, new BatchSource(d.heldOut!, model.inputRange), seed)!;
    disposeTrainable(untrained);
    const out = join(root, 'seg');
    const tensors = tf.memory().numTensors;
    const r = await train({ model, train: d.train, heldOut: d.heldOut!, classes, out, maxSteps: 32, settings: { model: 'segmenter', dataset: 'colin27-t1-aal', split: d.split, batch: 4, seed, backend: 'wasm' } });
    expect(r).toMatchObject({ status: 'step-limit', step: 32 });
    expect(tf.memory().numTensors).toBe(tensors);
    const after = r.lastEpoch!.heldout!;
    expect(after['dice']!).toBeGreaterThan(before['dice']! * 1.4);
    expect(after['accuracy']!).toBeGreaterThan(before['accuracy']! + 0.5);
    const manifest = JSON.parse(await readFile(join(out, 'genbench.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ kind: 'translator', task: 'colin27-t1-aal', input_shape: [64, 64, 1], output_shape: [64, 64, 1], output_range: '[0,255]', segmentation: { labels: 116 } });
    const report = await evaluateTranslation({ translator: out, task: 'colin27-t1-aal', split: 'test', bootstrap: 0 });
    expect(report.recipe.rankedBy).toBe('dice');
    expect(report.metrics['dice']!.value!).toBeCloseTo(after['dice']!, 6);
  }, 60_000);
});
