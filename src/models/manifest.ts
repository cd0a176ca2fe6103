import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { GenbenchError } from '../errors.js';
import type { ValueRange } from '../io/image.js';
import { parseJsonText } from '../io/json-file.js';
import { checkPixels } from '../io/limits.js';
import { parseWith } from '../io/zod-message.js';

/**
 * The `genbench.json` manifest that comes with every checkpoint: what the model's inputs and outputs are, how to
 * read its images, what it was trained on, and the sha256 of its files. Single-file checkpoints (`X.onnx`) keep it
 * beside the file as `X.genbench.json`; folder checkpoints (TF.js `model.json` + shards) keep `genbench.json` inside.
 *
 * `image_shape` is the shape of one output image in the `output_layout` order: [C, H, W] for NCHW, [H, W, C] for
 * NHWC. Unknown extra keys (training notes, architecture, ...) are kept as they are.
 *
 * @example
 * const m = await readManifest('subs/mnist-dcgan.genbench.json');
 * m.latent_dim; // 64
 */
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits (sha256sum output)');
const positiveInt = z.number().int().positive();

export const OUTPUT_RANGES = { '[-1,1]': [-1, 1], '[0,1]': [0, 1], '[0,255]': [0, 255] } as const satisfies Record<
  string,
  ValueRange
>;

/** Fields every checkpoint manifest has (generators and discriminator/feature models alike). */
export const CheckpointManifestSchema = z.looseObject({
  name: z.string().min(1),
  format: z.enum(['onnx', 'tfjs-layers', 'tfjs-graph']),
  file: z.string().min(1),
  input: z.string().min(1),
  image_shape: z.tuple([positiveInt, positiveInt, positiveInt]),
  role: z.string().optional(),
  sha256: sha256Hex.optional(),
  files: z.record(z.string(), sha256Hex).optional(),
  dataset: z.string().optional(),
  train_split: z.string().optional(),
  seed: z.number().int().optional(),
  license: z.string().optional(),
  outputs: z.record(z.string(), z.looseObject({ shape: z.array(z.union([z.number(), z.string()])).optional() })).optional(),
});

export const ConditionalSchema = z.object({
  classes: z.number().int().min(2),
  input: z.string().min(1),
  encoding: z.enum(['onehot', 'index']),
});

/** A generator manifest: a checkpoint manifest plus the latent, output and conditioning fields. */
export const GeneratorManifestSchema = CheckpointManifestSchema.extend({
  latent_dim: positiveInt,
  output: z.string().min(1),
  output_layout: z.enum(['NCHW', 'NHWC']),
  output_range: z.enum(['[-1,1]', '[0,1]', '[0,255]']),
  conditional: ConditionalSchema.nullable().optional(),
});

export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;
export type GeneratorManifest = z.infer<typeof GeneratorManifestSchema>;

/** One-line example shown when a manifest is missing. */
export const MANIFEST_EXAMPLE =
  '{"name":"my-gan","format":"onnx","file":"my-gan.onnx","input":"z","latent_dim":64,"output":"x",' +
  '"output_layout":"NCHW","output_range":"[-1,1]","image_shape":[1,28,28],"conditional":null,' +
  '"sha256":"<sha256sum of my-gan.onnx>"}';

/**
 * Where the manifest of a checkpoint lives: `X.onnx` -> `X.genbench.json`; a folder (or its `model.json`) ->
 * `genbench.json` inside it; a path that is already a manifest is returned as it is.
 */
export async function manifestPathFor(checkpoint: string): Promise<string> {
  const info = await stat(checkpoint).catch(() => null);
  if (info === null) throw new GenbenchError('NOT_FOUND', `${checkpoint}: no such file or folder (give an .onnx file or a TF.js model folder)`);
  if (info.isDirectory()) return join(checkpoint, 'genbench.json');
  const name = basename(checkpoint);
  if (name === 'genbench.json' || name.endsWith('.genbench.json')) return checkpoint;
  if (name === 'model.json') return join(dirname(checkpoint), 'genbench.json');
  const stem = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
  return join(dirname(checkpoint), `${stem}.genbench.json`);
}

/** Reads and checks a generator manifest; wrong or missing fields are one-line INPUT errors naming the field. */
export async function readManifest(path: string): Promise<GeneratorManifest> {
  const raw = await readJson(path);
  const role = isObject(raw) ? raw['role'] : undefined;
  if (isObject(raw) && raw['kind'] === 'translator') {
    throw new GenbenchError('USAGE', `${path}: kind is 'translator', an image-to-image model; evaluate it with --translator and --task or --pairs`);
  }
  if (typeof role === 'string' && role !== 'generator') {
    throw new GenbenchError('INPUT', `${path}: role is '${role}', not a generator (give a generator checkpoint)`);
  }
  return checkImageShape(validate(GeneratorManifestSchema, raw, path), path);
}

/** Reads and checks any checkpoint manifest (e.g. a discriminator used as a feature extractor). */
export async function readCheckpointManifest(path: string): Promise<CheckpointManifest> {
  return checkImageShape(validate(CheckpointManifestSchema, await readJson(path), path), path);
}

/** Parses manifest JSON already in memory (`source` names it in errors). */
export function parseManifest(value: unknown, source: string): GeneratorManifest {
  return checkImageShape(validate(GeneratorManifestSchema, value, source), source);
}

/** The declared value range of the manifest's outputs. */
export function manifestRange(m: GeneratorManifest): ValueRange {
  return OUTPUT_RANGES[m.output_range];
}

/** [height, width, channels] of one image, from image_shape read in output_layout order. */
export function manifestImageShape(m: GeneratorManifest): { height: number; width: number; channels: number } {
  const [a, b, c] = m.image_shape;
  return m.output_layout === 'NCHW' ? { channels: a, height: b, width: c } : { height: a, width: b, channels: c };
}

/** Reads a manifest's JSON; a missing file is NOT_FOUND with an example manifest, bad JSON an INPUT error. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new GenbenchError(
      'NOT_FOUND',
      `${path}: manifest not found; a checkpoint needs a manifest there (${basename(path)}) such as ${MANIFEST_EXAMPLE}`,
    );
  }
  return parseJsonText(text, path, 'fix the manifest');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** image_shape within the pixel budget (GENBENCH_MAX_PIXELS), before any output buffer is sized by it. */
function checkImageShape<T extends CheckpointManifest>(m: T, source: string): T {
  const layout = (m as { output_layout?: string }).output_layout;
  const [a, b, c] = m.image_shape;
  const field = `${source}: field 'image_shape' [${m.image_shape.join(',')}]`;
  if (layout === undefined) {
    // a checkpoint without output_layout (a discriminator): the channel axis is the shortest one
    checkPixels((a * b * c) / Math.min(a, b, c), 1, field);
    return m;
  }
  const [h, w, channels] = layout === 'NHWC' ? [a, b, c] : [b, c, a];
  checkPixels(w, h, field);
  if (channels > 4) throw new GenbenchError('INPUT', `${field}: ${channels} channels (images have 1, 3 or 4); fix image_shape or output_layout`);
  return m;
}

/** Checks a manifest against a schema; the first problem is an INPUT error naming the field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown, source: string): z.infer<T> {
  return parseWith(schema, value, source, 'fix the manifest');
}
