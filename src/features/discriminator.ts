import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { GenbenchError } from '../errors.js';
import { manifestPathFor, OUTPUT_RANGES, readCheckpointManifest } from '../models/manifest.js';
import { assembleExtractor } from './assemble.js';
import { openFeatureModel } from './open-model.js';
import { preprocessing } from './preprocess.js';
import type { FeatureExtractor, Preprocessing } from './types.js';
import { parseWith } from '../io/zod-message.js';

/**
 * `discriminator:<path>`: the named outputs of a GAN discriminator as feature layers (for the discriminator feature
 * distance: FD per layer and their spread-scaled sum). `<path>` is the checkpoint (`X.onnx`, a TF.js folder) or its
 * manifest; the manifest (`X.genbench.json` / `genbench.json`, models/manifest.ts) has
 * `"role": "discriminator-features"`, `outputs` naming each output layer (with `shape` [n, dim]), `input`,
 * `input_layout` (NCHW default for ONNX, NHWC for TF.js), `input_range` ('[-1,1]' default) and `image_shape` in
 * input-layout order. Every output is a 'features' layer; the default is `default_layer` when the manifest has one,
 * else the last output with more than one value per image (e.g. f2 of mnist-dcgan-disc). Images of another size are
 * resized bilinearly.
 *
 * @example
 * const fx = await createDiscriminatorExtractor('mnist-dcgan-disc.onnx');
 * fx.layers.map((l) => `${l.name}:${l.dim}`); // ['f1:12544', 'f2:6272', 'logit:1']
 */
const DiscFields = z.looseObject({
  input_layout: z.enum(['NCHW', 'NHWC']).optional(),
  input_range: z.enum(['[-1,1]', '[0,1]', '[0,255]']).optional(),
  default_layer: z.string().min(1).optional(),
  outputs: z.record(z.string(), z.looseObject({ shape: z.array(z.union([z.number(), z.string()])).optional() })),
});

export async function createDiscriminatorExtractor(path: string): Promise<FeatureExtractor> {
  const manifestPath = resolve(await manifestPathFor(resolve(path)));
  const m = await readCheckpointManifest(manifestPath);
  if (m.role !== undefined && m.role !== 'discriminator-features') {
    throw new GenbenchError('INPUT', `${manifestPath}: field 'role' is '${m.role}', not 'discriminator-features'; give a discriminator checkpoint`);
  }
  const extra = parseFields(m, manifestPath);
  const layout = extra.input_layout ?? (m.format === 'onnx' ? 'NCHW' : 'NHWC');
  const p = discPreprocessing(m.image_shape, layout, extra.input_range ?? '[-1,1]', manifestPath);
  const outputs = Object.entries(extra.outputs).map(([name, o]) => ({ name, kind: 'features' as const, ...declaredDim(o.shape) }));
  if (outputs.length === 0) throw new GenbenchError('INPUT', `${manifestPath}: field 'outputs' is empty; name at least one output layer`);
  const net = await openFeatureModel({
    format: m.format,
    file: join(dirname(manifestPath), m.file),
    input: m.input,
    outputs,
    preprocessing: p,
    ...(m.sha256 === undefined ? {} : { sha256: m.sha256 }),
    source: manifestPath,
  });
  const features = extra.default_layer ?? [...net.layers].reverse().find((l) => l.dim > 1)?.name ?? net.layers[0]!.name;
  if (!net.layers.some((l) => l.name === features)) {
    await net.release();
    throw new GenbenchError('INPUT', `${manifestPath}: field 'default_layer' is '${features}', not one of the outputs ${outputs.map((o) => o.name).join(', ')}`);
  }
  // The opened model supplies layers, forward, release, weightsSha256, engine and fixedBatch.
  return assembleExtractor({ id: `discriminator:${manifestPath}`, keyId: `discriminator:${m.name}`, defaults: { features }, preprocessing: p, ...net });
}

function parseFields(m: unknown, source: string): z.infer<typeof DiscFields> {
  return parseWith(DiscFields, m, source, 'fix the manifest');
}

/** Preprocessing from image_shape (in layout order), layout and range. */
function discPreprocessing(shape: readonly [number, number, number], layout: 'NCHW' | 'NHWC', range: keyof typeof OUTPUT_RANGES, source: string): Preprocessing {
  const [a, b, c] = shape;
  const [channels, height, width] = layout === 'NCHW' ? [a, b, c] : [c, a, b];
  if (channels !== 1 && channels !== 3) {
    throw new GenbenchError('INPUT', `${source}: field 'image_shape' gives ${channels} channels; feature models take 1 or 3`);
  }
  return preprocessing({ height, width, filter: 'bilinear', range: OUTPUT_RANGES[range], channels, layout });
}

/** The per-image size from a declared output shape such as ['n', 12544] (all non-batch dims numeric), if any. */
function declaredDim(shape: readonly (number | string)[] | undefined): { dim?: number } {
  if (shape === undefined || shape.length < 2 || shape.slice(1).some((d) => typeof d !== 'number')) return {};
  return { dim: (shape.slice(1) as number[]).reduce((x, y) => x * y, 1) };
}
