import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { GenbenchError } from '../errors.js';
import { RESIZE_FILTERS } from '../io/image-codec.js';
import { parseJsonText } from '../io/json-file.js';
import { parseWith } from '../io/zod-message.js';

/**
 * The manifest of a `custom:<path>` feature extractor (full reference with an Inception-v3 example:
 * docs/custom-extractor.md). Where it lives: `X.onnx` -> `X.features.json` beside it; a TF.js folder (or its
 * model.json) -> `features.json` inside it; a path ending in `.features.json` / `features.json` is the manifest.
 *
 * ```json
 * {
 *   "name": "inception-v3",                  // stable name: part of the feature cache key
 *   "format": "onnx",                        // "onnx" | "tfjs-layers" | "tfjs-graph"
 *   "file": "inception_v3.onnx",             // relative to the manifest (TF.js: the folder or its model.json)
 *   "input": "x",                            // ONNX input / graph input node; optional for tfjs-layers
 *   "sha256": "<64 hex>",                    // optional: file sha256 (ONNX) or tree hash (TF.js), checked
 *   "preprocessing": { "size": [299, 299], "filter": "bilinear", "range": [-1, 1], "channels": 3, "layout": "NCHW" },
 *   "outputs": {                             // ONNX output names, TF.js layer names or graph node names
 *     "pool3":  { "kind": "features", "dim": 2048 },
 *     "logits": { "kind": "logits", "dim": 1008 }
 *   },
 *   "default_features": "pool3",             // optional: the first 'features' output otherwise
 *   "default_class_scores": "logits"         // optional: the first logits/probabilities output otherwise
 * }
 * ```
 * `dim` is optional (read from the model, or from one probe pass); `filter` defaults to bilinear, `layout` to NCHW for
 * ONNX and NHWC for TF.js. Errors are one line naming the field.
 *
 * @example
 * const { manifest, path } = await readFeaturesManifest('models/inception_v3.onnx');
 * manifest.preprocessing.size; // [299, 299]
 */
const positiveInt = z.number().int().positive();

export const FeaturesManifestSchema = z
  .object({
    name: z.string().min(1),
    format: z.enum(['onnx', 'tfjs-layers', 'tfjs-graph']),
    file: z.string().min(1),
    input: z.string().min(1).optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits').optional(),
    preprocessing: z.object({
      size: z.tuple([positiveInt, positiveInt]),
      filter: z.enum(RESIZE_FILTERS as [string, ...string[]]).default('bilinear'),
      range: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, 'expected [low, high] with low < high'),
      channels: z.union([z.literal(1), z.literal(3)]),
      layout: z.enum(['NCHW', 'NHWC']).optional(),
    }),
    outputs: z
      .record(z.string().min(1), z.object({ kind: z.enum(['features', 'logits', 'probabilities']), dim: positiveInt.optional() }))
      .refine((o) => Object.keys(o).length > 0, 'name at least one output'),
    default_features: z.string().min(1).optional(),
    default_class_scores: z.string().min(1).optional(),
  })
  .refine((m) => m.format === 'tfjs-layers' || m.input !== undefined, { path: ['input'], message: 'required for onnx and tfjs-graph models' });

export type FeaturesManifest = z.infer<typeof FeaturesManifestSchema>;

/** Where the manifest of a custom extractor path lives (see above). */
export async function featuresManifestPath(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (info === null) throw new GenbenchError('NOT_FOUND', `${path}: no such file or folder (give a model file, a TF.js folder or a .features.json manifest)`);
  if (info.isDirectory()) return join(path, 'features.json');
  const name = basename(path);
  if (name.endsWith('features.json')) return path;
  if (name === 'model.json') return join(dirname(path), 'features.json');
  const stem = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
  return join(dirname(path), `${stem}.features.json`);
}

/** Finds, reads and validates the manifest of a custom extractor path. */
export async function readFeaturesManifest(path: string): Promise<{ manifest: FeaturesManifest; path: string }> {
  const mpath = await featuresManifestPath(path);
  let text: string;
  try {
    text = await readFile(mpath, 'utf8');
  } catch {
    throw new GenbenchError('NOT_FOUND', `${mpath}: custom extractor manifest not found; write one as described in docs/custom-extractor.md`);
  }
  const raw = parseJsonText(text, mpath, 'write one as described in docs/custom-extractor.md');
  return { manifest: parseFeaturesManifest(raw, mpath), path: mpath };
}

/** Validates manifest JSON already in memory; the error names the first bad field. */
export function parseFeaturesManifest(raw: unknown, source: string): FeaturesManifest {
  return parseWith(FeaturesManifestSchema, raw, source, 'see docs/custom-extractor.md');
}
