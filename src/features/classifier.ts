import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { GenbenchError } from '../errors.js';
import type { ResizeFilter } from '../io/image-codec.js';
import { manifestPathFor, OUTPUT_RANGES, readCheckpointManifest, type CheckpointManifest } from '../models/manifest.js';
import type { Progress } from '../progress.js';
import { assembleExtractor, type BatchForward } from './assemble.js';
import { CLASSIFIER_RECIPES, classifierRecipe, ensureClassifier } from './classifier-train.js';
import { openFeatureModel } from './open-model.js';
import { preprocessing } from './preprocess.js';
import type { FeatureExtractor, LayerInfo } from './types.js';
import { parseWith } from '../io/zod-message.js';

/**
 * `classifier:<dataset>` and `classifier:<path>`: the reference-models `classifier` CNN (trained by genbench on a
 * labelled dataset) as a dataset-specific feature network, for the "MNIST score" style of evaluation.
 *
 * - `classifier:mnist` (a name of classifier-train.ts CLASSIFIER_RECIPES: mnist, pneumoniamnist, polygons): the
 *   standard recipe's checkpoint from GENBENCH_HOME/classifiers, trained once on first use (progress on `progress`).
 * - `classifier:<path>` (any other value; write `./name` for a folder that shares a recipe's name): a checkpoint
 *   folder of `genbench train --model classifier` (the run folder, a ckpt-N folder or its genbench.json).
 *
 * Layers: `features` (the 128 ReLU units before the last Dense: FD, KID, PRDC default), `logits` and `softmax`
 * (softmax of the logits in float64: the IS default, i.e. the dataset's "Inception score"). Preprocessing: the
 * training images' size and channels, `area` resize for other sizes (unless `filter` says otherwise), values to the
 * manifest's `input_range` ([0,1]), NHWC. `info` carries the held-out accuracy (and the recipe, held-out split and
 * target when known) into every report's recipe. Runs on onnxruntime-node after a cached conversion (tfjs fallback).
 *
 * @example
 * const fx = await createClassifierExtractor('mnist');
 * fx.layers.map((l) => `${l.name}:${l.dim}`);  // ['features:128', 'logits:10', 'softmax:10']
 * fx.info;  // { heldout_accuracy: 0.983, heldout_split: 'test[8000:10000]', recipe: 'genbench-classifier/r1', ... }
 */
export interface ClassifierOptions {
  readonly home?: string;
  readonly progress?: Progress;
  /** Resize filter for images of another size than the training images (default 'area'). */
  readonly filter?: ResizeFilter;
}

export const CLASSIFIER_FEATURES = 'features';
export const CLASSIFIER_LOGITS = 'logits';
export const CLASSIFIER_SOFTMAX = 'softmax';

const ClassifierFields = z.looseObject({
  role: z.literal('classifier'),
  classes: z.number().int().min(2),
  features: z.string().min(1).default(CLASSIFIER_FEATURES),
  logits: z.string().min(1).default(CLASSIFIER_LOGITS),
  input_range: z.enum(['[-1,1]', '[0,1]', '[0,255]']).default('[0,1]'),
  training: z.looseObject({ heldout: z.looseObject({ accuracy: z.number() }).nullable().optional() }).optional(),
  recipe: z.string().optional(),
  heldout_split: z.string().optional(),
  target_accuracy: z.number().optional(),
});

export async function createClassifierExtractor(arg: string, opts: ClassifierOptions = {}): Promise<FeatureExtractor> {
  const standard = CLASSIFIER_RECIPES.has(arg);
  if (!standard && !/[/\\.]/.test(arg) && !(await stat(arg).catch(() => null))) classifierRecipe(arg); // USAGE: lists the recipes
  const folder = standard ? await ensureClassifier(arg, opts) : resolve(arg);
  const manifestPath = resolve(await manifestPathFor(folder));
  const { manifest: m, fields: c } = await readClassifierManifest(manifestPath);
  const [height, width, channels] = m.image_shape;
  const p = preprocessing({ height, width, filter: opts.filter ?? 'area', range: OUTPUT_RANGES[c.input_range], channels: channels as 1 | 3, layout: 'NHWC' });
  const net = await openFeatureModel({
    format: 'tfjs-layers',
    file: join(dirname(manifestPath), m.file),
    outputs: [
      { name: c.features, kind: 'features' },
      { name: c.logits, kind: 'logits', dim: c.classes },
    ],
    preprocessing: p,
    source: manifestPath,
  });
  const layers: LayerInfo[] = [...net.layers, { name: CLASSIFIER_SOFTMAX, dim: c.classes, kind: 'probabilities' }];
  return assembleExtractor({
    ...net,
    id: standard ? `classifier:${arg}` : `classifier:${manifestPath}`,
    keyId: standard ? `classifier:${arg}` : `classifier:${m.name}`,
    layers,
    defaults: { features: c.features, classScores: CLASSIFIER_SOFTMAX },
    preprocessing: p,
    forward: withSoftmax(net.forward, c.logits, c.classes),
    info: recipeInfo(m, c),
  });
}

type Fields = z.infer<typeof ClassifierFields>;

/**
 * A classifier checkpoint's manifest with its classifier fields (classes, layer names, input range), checked
 * without opening the network: a checkpoint of another role, or of other than 1 or 3 channels, is an INPUT error.
 *
 * @example
 * (await readClassifierManifest('run/genbench.json')).fields.classes; // 10
 */
export async function readClassifierManifest(manifestPath: string): Promise<{ manifest: CheckpointManifest; fields: Fields }> {
  const manifest = await readCheckpointManifest(manifestPath);
  const fields = parseWith(ClassifierFields, manifest, manifestPath, "give a checkpoint of 'genbench train --model classifier'");
  const channels = manifest.image_shape[2];
  if (channels !== 1 && channels !== 3) throw new GenbenchError('INPUT', `${manifestPath}: field 'image_shape' gives ${channels} channels; classifiers take 1 or 3`);
  return { manifest, fields };
}

/** What a report's recipe records about the classifier: dataset, splits, held-out accuracy, recipe and target. */
function recipeInfo(m: { dataset?: string | undefined; train_split?: string | undefined }, c: Fields): Record<string, string | number> {
  const info: Record<string, string | number> = {};
  const put = (k: string, v: string | number | null | undefined): void => {
    if (v !== undefined && v !== null) info[k] = v;
  };
  put('dataset', m.dataset);
  put('train_split', m.train_split);
  put('heldout_split', c.heldout_split);
  put('heldout_accuracy', c.training?.heldout?.accuracy);
  put('target_accuracy', c.target_accuracy);
  put('recipe', c.recipe);
  return info;
}

/** A forward that also serves the `softmax` layer, computed in float64 from the logits (asked for when needed). */
function withSoftmax(forward: BatchForward, logits: string, classes: number): BatchForward {
  return async (x, n, layers) => {
    if (!layers.includes(CLASSIFIER_SOFTMAX)) return forward(x, n, layers);
    const base = layers.filter((l) => l !== CLASSIFIER_SOFTMAX);
    const r = await forward(x, n, base.includes(logits) ? base : [...base, logits]);
    return { ...r, [CLASSIFIER_SOFTMAX]: softmaxRows(r[logits]!, n, classes) };
  };
}

/**
 * Row-wise softmax with the row maximum subtracted (no overflow).
 *
 * @example
 * softmaxRows([0, Math.log(3)], 1, 2); // Float64Array [0.25, 0.75]
 */
export function softmaxRows(z: ArrayLike<number>, n: number, classes: number): Float64Array {
  const out = new Float64Array(n * classes);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, z[i * classes + k]!);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += out[i * classes + k] = Math.exp(z[i * classes + k]! - max);
    for (let k = 0; k < classes; k++) out[i * classes + k] = out[i * classes + k]! / sum;
  }
  return out;
}
