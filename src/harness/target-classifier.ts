import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DATASETS } from '../data/index.js';
import type { DomainClassifier } from '../data/unpaired.js';
import { GenbenchError } from '../errors.js';
import { readClassifierManifest } from '../features/classifier.js';
import { CLASSIFIER_RECIPES } from '../features/classifier-train.js';
import type { FeatureExtractor } from '../features/types.js';
import { manifestPathFor } from '../models/manifest.js';

/**
 * The target-domain classifier of user unpaired data (`--source` + `--target`): `--classifier` names it and
 * `--target-class` the class of the target domain, and the two become the DomainClassifier a built-in unpaired task
 * carries (pneumonia-normal-to-pneumonia: classifier:pneumoniamnist, class pneumonia), so that user data gets
 * `target_share` through the same steps (translate-unpaired.ts).
 *
 * - The classifier: `classifier:<dataset>` (a standard recipe of classifier-train.ts: mnist, pneumoniamnist,
 *   polygons; trained once on first use), `classifier:<path>` (a checkpoint of `genbench train --model classifier`),
 *   or, through the API, an open extractor with class scores.
 * - The target class: a class name of the classifier's dataset (polygons: '3' is the triangles, label 0), else a
 *   label index (0 .. classes - 1). A checkpoint trained on data genbench does not know has the indices as names.
 * Both are checked before any image is read and without opening (or training) the classifier: a recipe's classes
 * and input size are its dataset's, a checkpoint's are in its manifest.
 *
 * @example
 * await userDomainClassifier('classifier:pneumoniamnist', 'pneumonia');
 * // { extractor: 'classifier:pneumoniamnist', targetLabel: 1, targetClass: 'pneumonia', input: { height: 28, width: 28 } }
 */
export async function userDomainClassifier(given: string | FeatureExtractor, targetClass: string | number): Promise<DomainClassifier> {
  const c = typeof given === 'string' ? await describeId(given) : describeOpen(given);
  const label = pickClass(c, String(targetClass));
  return { extractor: c.id, targetLabel: label, targetClass: c.names[label]!, input: c.input };
}

interface Described {
  readonly id: string;
  /** Class names by label. */
  readonly names: readonly string[];
  readonly input: { readonly height: number; readonly width: number };
}

async function describeId(id: string): Promise<Described> {
  const arg = /^classifier:(.+)$/.exec(id)?.[1];
  if (arg === undefined) throw new GenbenchError('USAGE', `--classifier '${id}': give classifier:<dataset> (${recipes()}) or classifier:<run folder> of 'genbench train --model classifier'`);
  if (CLASSIFIER_RECIPES.has(arg)) {
    const ds = DATASETS.get(CLASSIFIER_RECIPES.get(arg)!.dataset)!; // every recipe trains on a built-in dataset
    return { id, names: ds.classNames!, input: { height: ds.shape.height, width: ds.shape.width } };
  }
  if ((await stat(arg).catch(() => null)) === null) {
    throw new GenbenchError('USAGE', `--classifier ${id}: no built-in classifier '${arg}' (${recipes()}) and no checkpoint at ${arg}; train one with 'genbench train --model classifier --dataset DATA --out DIR' and give classifier:DIR`);
  }
  const { manifest, fields } = await readClassifierManifest(resolve(await manifestPathFor(arg)));
  const known = manifest.dataset === undefined ? undefined : DATASETS.get(manifest.dataset)?.classNames;
  return { id, names: known?.length === fields.classes ? known : indices(fields.classes), input: { height: manifest.image_shape[0], width: manifest.image_shape[1] } };
}

function describeOpen(fx: FeatureExtractor): Described {
  const layer = fx.layers.find((l) => l.name === fx.defaults.classScores);
  if (layer === undefined) throw new GenbenchError('USAGE', `classifier '${fx.id}' has no class-score layer; the target-domain classifier needs one (e.g. classifier:<dataset>)`);
  return { id: fx.id, names: indices(layer.dim), input: { height: fx.preprocessing.height, width: fx.preprocessing.width } };
}

/** The label `value` names: a class name first, else an index. */
function pickClass(c: Described, value: string): number {
  const byName = c.names.indexOf(value);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(value) && Number(value) < c.names.length) return Number(value);
  const plain = c.names.every((name, i) => name === String(i));
  const names = plain ? '' : ` or a class name (${c.names.join(', ')})`;
  throw new GenbenchError('USAGE', `--target-class '${value}': ${c.id} has ${c.names.length} classes; give a label 0..${c.names.length - 1}${names}`);
}

function indices(n: number): string[] {
  return Array.from({ length: n }, (_, i) => String(i));
}

function recipes(): string {
  return [...CLASSIFIER_RECIPES.keys()].map((k) => `classifier:${k}`).join(', ');
}

/**
 * Refuses images the classifier cannot see without distortion: its preprocessing resizes them to its input size
 * (one resize implementation, the extractor's filter), which keeps their content only when the aspect ratio is the
 * same. Returns how they are resized ('16x16 -> 28x28'), or undefined when they have its size already.
 *
 * @example
 * fitClassifierInput('classifier:mnist', { height: 28, width: 28 }, [{ label: 'b.npy', height: 16, width: 16 }]); // '16x16 -> 28x28'
 */
export function fitClassifierInput(
  id: string,
  input: { readonly height: number; readonly width: number },
  sides: readonly { readonly label: string; readonly height: number; readonly width: number }[],
): string | undefined {
  const sizes = new Set<string>();
  for (const s of sides) {
    if (s.height * input.width !== s.width * input.height) {
      throw new GenbenchError('USAGE', `--classifier ${id}: takes ${input.height}x${input.width} images and ${s.label} holds ${s.height}x${s.width}; resizing them would change their aspect ratio (give images of the classifier's shape, or another --classifier)`);
    }
    if (s.height !== input.height || s.width !== input.width) sizes.add(`${s.height}x${s.width}`);
  }
  return sizes.size === 0 ? undefined : `${[...sizes].join(', ')} -> ${input.height}x${input.width}`;
}
