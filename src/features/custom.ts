import { dirname, join, resolve } from 'node:path';
import { GenbenchError } from '../errors.js';
import type { ResizeFilter } from '../io/image-codec.js';
import { assembleExtractor } from './assemble.js';
import { readFeaturesManifest, type FeaturesManifest } from './custom-manifest.js';
import { openFeatureModel } from './open-model.js';
import { preprocessing } from './preprocess.js';
import type { DefaultLayers, FeatureExtractor, LayerInfo } from './types.js';

/**
 * `custom:<path>`: any ONNX, TF.js layers or TF.js graph model with a features manifest (custom-manifest.ts,
 * docs/custom-extractor.md) naming its feature / logit outputs and its preprocessing. This is how a user plugs in an
 * Inception-v3 export to get numbers comparable with papers. The cache identity is `custom:<manifest name>` plus the
 * weights hash, so a moved model keeps its cached features.
 *
 * @example
 * const fx = await createCustomExtractor('models/inception_v3.onnx'); // reads models/inception_v3.features.json
 * fx.defaults; // { features: 'pool3', classScores: 'logits' }
 */
export async function createCustomExtractor(path: string): Promise<FeatureExtractor> {
  const { manifest: m, path: manifestPath } = await readFeaturesManifest(resolve(path));
  const pp = m.preprocessing;
  const p = preprocessing({
    height: pp.size[0],
    width: pp.size[1],
    filter: pp.filter as ResizeFilter,
    range: pp.range,
    channels: pp.channels,
    layout: pp.layout ?? (m.format === 'onnx' ? 'NCHW' : 'NHWC'),
  });
  const outputs = Object.entries(m.outputs).map(([name, o]) => ({ name, kind: o.kind, ...(o.dim === undefined ? {} : { dim: o.dim }) }));
  const net = await openFeatureModel({
    format: m.format,
    file: join(dirname(manifestPath), m.file),
    ...(m.input === undefined ? {} : { input: m.input }),
    outputs,
    preprocessing: p,
    ...(m.sha256 === undefined ? {} : { sha256: m.sha256 }),
    source: manifestPath,
  });
  let defaults: DefaultLayers;
  try {
    defaults = defaultLayers(m, net.layers, manifestPath);
  } catch (e) {
    await net.release();
    throw e;
  }
  // The opened model supplies layers, forward, release, weightsSha256, engine and fixedBatch.
  return assembleExtractor({ id: `custom:${manifestPath}`, keyId: `custom:${m.name}`, defaults, preprocessing: p, ...net });
}

/** The default features and class-score layers: declared, else the first output of the right kind. */
function defaultLayers(m: FeaturesManifest, layers: readonly LayerInfo[], source: string): DefaultLayers {
  const features = m.default_features ?? layers.find((l) => l.kind === 'features')?.name;
  const classScores = m.default_class_scores ?? layers.find((l) => l.kind !== 'features')?.name;
  if (features === undefined) throw new GenbenchError('INPUT', `${source}: field 'outputs' has no output of kind 'features'; declare one`);
  const check = (field: string, name: string, kinds: readonly string[]): void => {
    const l = layers.find((x) => x.name === name);
    if (l === undefined || !kinds.includes(l.kind)) {
      throw new GenbenchError('INPUT', `${source}: field '${field}' is '${name}', which is not an output of kind ${kinds.join(' or ')}`);
    }
  };
  check('default_features', features, ['features']);
  if (classScores !== undefined) check('default_class_scores', classScores, ['logits', 'probabilities']);
  return classScores === undefined ? { features } : { features, classScores };
}
