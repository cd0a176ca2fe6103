import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { toUint8 } from '../src/io/image.js';
import { writeGridPng } from '../src/io/png.js';
import { CheckpointManifestSchema, parseManifest, validate } from '../src/models/manifest.js';
import { TranslatorManifestSchema } from '../src/models/translator-manifest.js';
import { Rng } from '../src/rng.js';
import { VERSION } from '../src/version.js';
import { BatchSource, disposeBatch } from './batches.js';
import type { RunSettings } from './train-state.js';
import type { ReferenceModel, Scalars, TrainableModel } from './types.js';
import { readJsonFile } from '../src/io/json-file.js';

/**
 * What a training run writes besides the checkpoint itself: the loss curve (JSON, columnar: one array per loss,
 * indexed like `step`), the per-epoch sample grid from fixed latents, held-out metrics, and the manifests.
 *
 * @example
 * const curve = newCurve(settings); addStep(curve, 0, 0, { d_loss: 1.4, g_loss: 0.7 });
 */
export interface LossCurve {
  readonly settings: RunSettings;
  readonly step: number[];
  readonly epoch: number[];
  readonly losses: Record<string, number[]>;
  readonly epochs: EpochRecord[];
}

export interface EpochRecord {
  /** Epochs completed (fractional when a run stopped mid-epoch). */
  readonly epoch: number;
  readonly step: number;
  readonly train_seconds: number;
  readonly images_per_s: number;
  readonly mean_losses: Scalars;
  readonly heldout: Scalars | null;
}

export const CURVE_FILE = 'loss-curve.json';

export function newCurve(settings: RunSettings): LossCurve {
  return { settings, step: [], epoch: [], losses: {}, epochs: [] };
}

export function addStep(curve: LossCurve, step: number, epoch: number, losses: Scalars): void {
  curve.step.push(step);
  curve.epoch.push(epoch);
  for (const [k, v] of Object.entries(losses)) (curve.losses[k] ??= []).push(v);
}

/** Mean of each loss over the steps after `fromStep`. */
export function meanLosses(curve: LossCurve, fromStep: number): Scalars {
  const start = curve.step.findIndex((s) => s >= fromStep);
  const out: Scalars = {};
  if (start < 0) return out;
  for (const [k, v] of Object.entries(curve.losses)) out[k] = v.slice(start).reduce((a, b) => a + b, 0) / (v.length - start);
  return out;
}

/** The curve saved in a checkpoint folder, truncated to the steps that the checkpoint's weights have seen. */
export async function readCurve(folder: string, steps: number): Promise<LossCurve> {
  const c = (await readJsonFile(join(folder, CURVE_FILE), 'the checkpoint folder is damaged; use a fresh --out')) as LossCurve;
  const keep = c.step.findIndex((s) => s >= steps);
  if (keep >= 0) {
    c.step.length = keep;
    c.epoch.length = keep;
    for (const v of Object.values(c.losses)) v.length = keep;
  }
  return c;
}

/** Held-out metrics, averaged over at most `limit` images (weighted by batch size); null without held-out data. */
export function evaluateHeldOut(net: TrainableModel, data: BatchSource | null, seed: number, limit = 2000): Scalars | null {
  if (!net.evaluate || !data || data.n === 0) return null;
  const n = Math.min(limit, data.n);
  const sums: Scalars = {};
  const rng = new Rng(seed).fork('heldout');
  for (let from = 0; from < n; from += 500) {
    const b = data.range(from, Math.min(n, from + 500));
    try {
      for (const [k, v] of Object.entries(net.evaluate(b, rng))) sums[k] = (sums[k] ?? 0) + v * b.size;
    } finally {
      disposeBatch(b);
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / n]));
}

/**
 * Writes the sample grid of the fixed preview latents to `path` (no-op for models without previews); translators
 * get the first 8 images of `fixedFrom`.
 */
export async function writePreview(net: TrainableModel, seed: number, path: string, fixedFrom: BatchSource | null = null): Promise<boolean> {
  if (!net.preview) return false;
  const fixed = fixedFrom && fixedFrom.n > 0 ? fixedFrom.range(0, Math.min(8, fixedFrom.n)) : null;
  let preview: ReturnType<NonNullable<TrainableModel['preview']>>;
  try {
    preview = net.preview(new Rng(seed).fork('preview'), fixed);
  } finally {
    if (fixed) disposeBatch(fixed);
  }
  const { images, columns } = preview;
  const [n, height, width, channels] = images.shape;
  const data = (await images.data()) as Float32Array;
  images.dispose();
  const range = (net.manifest['output_range'] === '[0,1]' ? [0, 1] : [-1, 1]) as [number, number];
  await writeGridPng(path, toUint8({ data, n, height, width, channels, range }), { columns, scale: 2 });
  return true;
}

/** genbench.json fields of the exported network (validated by `validateManifest` before it is written). */
export function buildManifest(model: ReferenceModel, net: TrainableModel, s: RunSettings, extra: { imageShape: [number, number, number]; license: string; training: Record<string, unknown> }): Record<string, unknown> {
  const translator = model.role === 'translator';
  return {
    name: `${s.model}-${s.dataset.replace(/[^A-Za-z0-9_.-]+/g, '_')}`,
    ...(translator ? { kind: 'translator' } : {}),
    role: model.role,
    description: model.description,
    format: translator ? 'onnx' : 'tfjs-layers',
    ...(translator ? { task: s.dataset, layout: 'NHWC' } : {}),
    ...net.manifest,
    ...(model.role === 'generator' ? { output_layout: 'NHWC' } : {}),
    ...(translator ? {} : { image_shape: extra.imageShape }),
    dataset: s.dataset,
    ...(s.resize === undefined ? {} : { dataset_resize: s.resize }),
    train_split: s.split,
    seed: s.seed,
    license: 'Apache-2.0', // the weights' licence as an SPDX id (the leaderboard accepts no other form)
    license_note: `weights trained by genbench ${VERSION} on ${s.dataset} (${extra.license})`,
    training: { ...extra.training, batch: s.batch, backend: s.backend, genbench: VERSION, tfjs: tf.version.tfjs },
  };
}

/**
 * Throws if the manifest is not what loadGenerator (generators), loadTranslator (translators) or the checkpoint
 * reader (classifiers) accepts.
 */
export function validateManifest(role: ReferenceModel['role'], m: Record<string, unknown>): void {
  if (role === 'generator') parseManifest(m, 'genbench.json (written by genbench train)');
  else if (role === 'translator') validate(TranslatorManifestSchema, m, 'genbench.json (written by genbench train)');
  else CheckpointManifestSchema.parse(m);
}

/** features.json for a classifier checkpoint, so `custom:<run folder>` uses it as a feature extractor. */
export function featuresManifest(net: TrainableModel, name: string, shape: [number, number, number]): Record<string, unknown> {
  const classes = Number(net.manifest['classes']);
  return {
    name: `${name}-features`,
    format: 'tfjs-layers',
    file: 'model.json',
    preprocessing: { size: [shape[0], shape[1]], filter: 'area', range: [0, 1], channels: shape[2], layout: 'NHWC' },
    outputs: { features: { kind: 'features', dim: 128 }, logits: { kind: 'logits', dim: classes } },
    default_features: 'features',
    default_class_scores: 'logits',
  };
}
