import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { GenbenchError } from '../errors.js';
import type { ValueRange } from '../io/image.js';
import { checkPixels } from '../io/limits.js';
import { CheckpointManifestSchema, OUTPUT_RANGES, readJson, validate } from './manifest.js';

/**
 * The manifest of an image-to-image translator (`X.genbench.json` beside `X.onnx`, as for generators): `kind`
 * 'translator', the task it was trained for (optional), the input and output tensor names, the layout of both
 * (NCHW or NHWC), the shape of one input and one output image in that layout, and their value ranges. `format` is
 * 'onnx' (`file`: the .onnx) or 'tfjs-layers' (`file`: model.json, `files`: the sha256 of each weight shard; the
 * manifest is `genbench.json` in the folder, or any `X.genbench.json` named directly). The common
 * checkpoint fields (name, format, file, sha256, license, ...) are those of every manifest (manifest.ts).
 *
 * @example
 * const m = await readTranslatorManifest('t1-bet.genbench.json');
 * m.input_shape;  // [1, 64, 64] (NCHW)
 * m.output_range; // '[0,1]'
 */
const positiveInt = z.number().int().positive();
const shape = z.tuple([positiveInt, positiveInt, positiveInt]);
const range = z.enum(['[-1,1]', '[0,1]', '[0,255]']);

export const TranslatorManifestSchema = CheckpointManifestSchema.omit({ image_shape: true }).extend({
  kind: z.literal('translator'),
  format: z.enum(['onnx', 'tfjs-layers']),
  task: z.string().min(1).optional(),
  output: z.string().min(1),
  layout: z.enum(['NCHW', 'NHWC']),
  input_shape: shape,
  output_shape: shape,
  input_range: range,
  output_range: range,
});

export type TranslatorManifest = z.infer<typeof TranslatorManifestSchema>;

export const TRANSLATOR_MANIFEST_EXAMPLE =
  '{"name":"my-unet","kind":"translator","task":"colin27-t1-bet","format":"onnx","file":"my-unet.onnx","input":"x","output":"y",' +
  '"layout":"NCHW","input_shape":[1,64,64],"output_shape":[1,64,64],"input_range":"[0,1]","output_range":"[0,1]","sha256":"<sha256sum of my-unet.onnx>"}';

/** Reads and checks a translator manifest: one-line INPUT errors naming the field. */
export async function readTranslatorManifest(path: string): Promise<TranslatorManifest> {
  if ((await stat(path).catch(() => null)) === null) {
    throw new GenbenchError('NOT_FOUND', `${path}: manifest not found; a translator needs a manifest there (${basename(path)}) such as ${TRANSLATOR_MANIFEST_EXAMPLE}`);
  }
  const raw = await readJson(path);
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (kind !== 'translator') {
    throw new GenbenchError('INPUT', `${path}: field 'kind' is ${kind === undefined ? 'missing' : `'${String(kind)}'`}; a translator's manifest says "kind": "translator" (a generator goes to --generator)`);
  }
  const m = validate(TranslatorManifestSchema, raw, path);
  for (const field of ['input_shape', 'output_shape'] as const) {
    const img = imageShapeOf(m, field);
    checkPixels(img.width, img.height, `${path}: field '${field}' [${m[field].join(',')}]`);
    if (img.channels !== 1 && img.channels !== 3) {
      throw new GenbenchError('INPUT', `${path}: field '${field}' [${m[field].join(',')}] has ${img.channels} channels in ${m.layout} order; images have 1 or 3 (fix the shape or layout)`);
    }
  }
  return m;
}

/** [height, width, channels] of one input or output image, read in the manifest's layout. */
export function imageShapeOf(m: TranslatorManifest, field: 'input_shape' | 'output_shape'): { height: number; width: number; channels: number } {
  const [a, b, c] = m[field];
  return m.layout === 'NCHW' ? { channels: a, height: b, width: c } : { height: a, width: b, channels: c };
}

/** The declared value range of the input or output. */
export function rangeOf(m: TranslatorManifest, field: 'input_range' | 'output_range'): ValueRange {
  return OUTPUT_RANGES[m[field]];
}
