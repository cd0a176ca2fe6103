import { GenbenchError } from '../errors.js';
import { RESIZE_FILTERS, type ResizeFilter } from '../io/image-codec.js';
import type { ResolveOptions } from '../assets/index.js';
import { createClassifierExtractor } from './classifier.js';
import { createCustomExtractor } from './custom.js';
import { createDiscriminatorExtractor } from './discriminator.js';
import { createMobilenetExtractor, type MobilenetAlpha } from './mobilenet.js';
import { createMobilenetOrtExtractor } from './mobilenet-ort.js';
import type { FeatureExtractor } from './types.js';

/**
 * The feature extractor registry (frozen Maps built here; adding an extractor is its file plus one
 * line). Fixed ids name built-in networks; prefixed ids (`discriminator:<path>`, `custom:<path>`) open a model file.
 * An unknown id is a USAGE error listing every valid form.
 *
 * @example
 * const fx = await createExtractor('mobilenet-v1-0.25');              // TF.js MobileNet from assets, works offline
 * const d = await createExtractor('discriminator:subs/mnist-dcgan-disc.onnx');
 * await createExtractor('inception');  // GenbenchError USAGE: unknown extractor 'inception'; valid: mobilenet-v1-0.75 (default), ...
 */
export interface CreateExtractorOptions extends ResolveOptions {
  /** Resize filter for the built-in extractors (default 'bilinear'); manifests declare their own. */
  readonly filter?: ResizeFilter;
  /**
   * Engine for the built-in MobileNets: 'onnx' (default: converted once to ONNX, run on onnxruntime-node, ~10-20x
   * faster here) or 'tfjs' (the TF.js model on the active tfjs backend). Both give the same features to ~1e-5
   * relative and share cache entries. GENBENCH_ENGINE sets the default.
   */
  readonly engine?: 'onnx' | 'tfjs';
}

type Factory = (arg: string, opts: CreateExtractorOptions) => Promise<FeatureExtractor>;

export const DEFAULT_EXTRACTOR = 'mobilenet-v1-0.75';

/** Built-in extractors by id. */
export const EXTRACTORS: ReadonlyMap<string, Factory> = Object.freeze(
  new Map<string, Factory>([
    ['mobilenet-v1-0.75', (_a, o) => mobilenet('0.75', o)],
    ['mobilenet-v1-0.25', (_a, o) => mobilenet('0.25', o)],
  ]),
);

/** Extractors opened from a path or a name after `<prefix>:`. */
export const EXTRACTOR_PREFIXES: ReadonlyMap<string, Factory> = Object.freeze(
  new Map<string, Factory>([
    ['discriminator', (path) => createDiscriminatorExtractor(path)],
    ['custom', (path) => createCustomExtractor(path)],
    ['classifier', (arg, o) => createClassifierExtractor(arg, o)],
  ]),
);

/** Every valid id form, for error messages and `--help`. */
export function extractorForms(): string[] {
  return [...EXTRACTORS.keys()].map((k) => (k === DEFAULT_EXTRACTOR ? `${k} (default)` : k)).concat([...EXTRACTOR_PREFIXES.keys()].map(formOf));
}

/**
 * Opens the extractor `id` (a tfjs backend is started only if the model runs on tfjs). Its `dispose()` must be called when done.
 */
export async function createExtractor(id: string = DEFAULT_EXTRACTOR, opts: CreateExtractorOptions = {}): Promise<FeatureExtractor> {
  if (opts.filter !== undefined && !(RESIZE_FILTERS as readonly string[]).includes(opts.filter)) {
    throw new GenbenchError('USAGE', `--filter '${opts.filter}': unknown resize filter; use one of ${RESIZE_FILTERS.join(', ')}`);
  }
  const fixed = EXTRACTORS.get(id);
  const colon = id.indexOf(':');
  const prefixed = colon > 0 ? EXTRACTOR_PREFIXES.get(id.slice(0, colon)) : undefined;
  const factory = fixed ?? prefixed;
  if (factory === undefined) throw new GenbenchError('USAGE', `unknown extractor '${id}'; valid: ${extractorForms().join(', ')}`);
  const arg = fixed ? '' : id.slice(colon + 1);
  if (!fixed && arg.length === 0) throw new GenbenchError('USAGE', `extractor '${id}' needs a value after the colon: ${formOf(id.slice(0, colon))}`);
  return factory(arg, opts);
}

function mobilenet(alpha: MobilenetAlpha, opts: CreateExtractorOptions): Promise<FeatureExtractor> {
  const engine = opts.engine ?? process.env['GENBENCH_ENGINE'] ?? 'onnx';
  if (engine !== 'onnx' && engine !== 'tfjs') throw new GenbenchError('USAGE', `GENBENCH_ENGINE='${engine}': use 'onnx' or 'tfjs'`);
  return engine === 'onnx' ? createMobilenetOrtExtractor(alpha, opts) : createMobilenetExtractor(alpha, opts);
}

function formOf(prefix: string): string {
  return prefix === 'classifier' ? 'classifier:<dataset|path>' : `${prefix}:<path>`;
}

export { createMobilenetExtractor, mobilenetPreprocessing, MOBILENET_FEATURES, MOBILENET_LOGITS, MOBILENET_PROBABILITIES } from './mobilenet.js';
export { createDiscriminatorExtractor } from './discriminator.js';
export { createCustomExtractor } from './custom.js';
export { createClassifierExtractor, CLASSIFIER_FEATURES, CLASSIFIER_LOGITS, CLASSIFIER_SOFTMAX } from './classifier.js';
export { CLASSIFIER_RECIPES, classifierCachePath, ensureClassifier, type ClassifierRecipe } from './classifier-train.js';
export { parseFeaturesManifest, readFeaturesManifest, FeaturesManifestSchema, type FeaturesManifest } from './custom-manifest.js';
export { preprocessBatch, preprocessing } from './preprocess.js';
export { DEFAULT_BATCH_SIZE } from './assemble.js';
export * from './types.js';
export * from './cache.js';
