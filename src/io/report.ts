import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { GenbenchError } from '../errors.js';
import { writeFileAtomic } from './atomic.js';
import { parseJsonText } from './json-file.js';
import { parseWith } from './zod-message.js';

/**
 * The evaluation report, `"schema": "genbench.report/v1"`: what was scored (model, dataset), exactly how
 * (`recipe`), the numbers (`metrics`), how long each stage took (`timings`), and what to be careful about
 * (`warnings`). Two reports are comparable when their recipes agree on everything but the model; `recipe` therefore
 * holds every input that can move a metric value (extractor and its weights hash, layers, preprocessing, sample
 * counts, seeds, metric parameters, bootstrap settings, genbench version, engines) and nothing that cannot (paths,
 * batch size, timings), which live in `run` and `timings`.
 *
 * Metric entries are open objects: `value` always, `std` / `ci95` when known, plus the metric's own details (FD
 * ranks, KID subsets, per-layer discriminator values).
 *
 * @example
 * const report = await readReport('report.json');
 * report.metrics['fd']?.value;         // 41.27
 * report.recipe.extractor.id;          // 'mobilenet-v1-0.75'
 * await writeReport('copy.json', report); // validated, then written atomically
 */
export const REPORT_SCHEMA = 'genbench.report/v1';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits');
const count = z.number().int().nonnegative();
const seconds = z.number().nonnegative();
const primitive = z.union([z.string(), z.number(), z.boolean()]);

export const MetricEntrySchema = z.looseObject({
  value: z.number().nullable(),
  std: z.number().optional(),
  ci95: z.tuple([z.number(), z.number()]).optional(),
});

const ModelSchema = z.object({
  name: z.string().min(1),
  path: z.string().min(1),
  /** The checkpoint's format (onnx, tfjs-layers, tfjs-graph), or 'images' for images scored as given (evaluate --generated). */
  format: z.string().min(1),
  /** sha256 of every checkpoint file by name (the main file and, for TF.js folders, each shard; the image file, or a folder's file list). */
  files: z.record(z.string(), sha256Hex),
  /** The checkpoint's manifest; for 'images', how the set was read (source, dtype, shape, layout, range, count). */
  manifest: z.record(z.string(), z.unknown()),
  engine: z.string(),
});

const DatasetSchema = z.object({
  name: z.string().min(1),
  /** The normalised split expression of the reference images, e.g. 'test[0:1000]'. */
  split: z.string().min(1),
  count,
  files: z.array(z.object({ id: z.string().optional(), path: z.string(), sha256: sha256Hex })),
  /** sha256 over the shape line and pixel bytes of the reference images actually used. */
  imagesSha256: sha256Hex,
  loading: z.record(z.string(), primitive).optional(),
  labelled: z.boolean(),
});

const ExtractorSchema = z.object({
  /** The extractor's stable identity (paths replaced by the model's manifest name, e.g. 'discriminator:mnist-dcgan-disc'). */
  id: z.string().min(1),
  weightsSha256: sha256Hex,
  /** Layer read by each kind of metric: features (FD, KID, PRDC), classScores (IS), discriminator (disc). */
  layers: z.object({ features: z.string(), classScores: z.string().optional(), discriminator: z.array(z.string()).optional() }),
  preprocessing: z.record(z.string(), z.unknown()),
  /** Facts about the network that qualify its numbers, e.g. a classifier's held-out accuracy and training recipe. */
  info: z.record(z.string(), primitive).optional(),
});

export const RecipeSchema = z.object({
  extractor: ExtractorSchema,
  n: z.object({ generated: count, reference: count }),
  seeds: z.object({ sampling: count, metrics: z.record(z.string(), count), bootstrap: count.nullable() }),
  sampling: z.object({ labels: z.enum(['none', 'reference', 'balanced']), quantisation: z.string() }),
  metrics: z.array(z.string()).min(1),
  /** Parameters of each metric group, defaults merged. */
  params: z.record(z.string(), z.record(z.string(), primitive)),
  bootstrap: z.object({ resamples: count, level: z.number(), method: z.string(), resampleReference: z.boolean(), covers: z.string().optional() }).nullable(),
  /** Which rows of the split are the reference: all, or a seeded random subset (count, of, seed, sha256 of the row indices). */
  reference: z.object({ split: z.string(), count, of: count, seed: count.nullable(), rowsSha256: sha256Hex }).optional(),
  /**
   * Resizes applied while reading images (`--resize`: size and filter), by role: the generated images (a folder or
   * .zip of them) and the reference (an image-folder dataset). Absent when nothing was resized.
   */
  preprocessing: z.object({ generated: z.record(z.string(), primitive).optional(), reference: z.record(z.string(), primitive).optional() }).optional(),
  /** The reference given as statistics (genbench stats) instead of rows: the file and its sha256. */
  referenceStats: z.object({ file: z.string(), sha256: sha256Hex }).optional(),
  /**
   * The discriminator of `feature_matching` (paired translation with --discriminator): its id, weights, engine, the
   * layers with their widths, its preprocessing and how the images were quantised for it.
   */
  featureMatching: z
    .object({
      extractor: z.string().min(1),
      weightsSha256: sha256Hex,
      engine: z.string(),
      layers: z.array(z.object({ name: z.string(), dim: count })),
      preprocessing: z.record(z.string(), z.unknown()),
      quantisation: z.string(),
    })
    .optional(),
  /** The metric a leaderboard ranks this protocol by. */
  rankedBy: z.string().optional(),
  genbench: z.string().min(1),
  backend: z.object({ tfjs: z.string().nullable(), generator: z.string(), extractor: z.string() }),
});

const StageSchema = z.object({ seconds });

export const TimingsSchema = z.object({
  sample: StageSchema,
  featuresGenerated: StageSchema,
  featuresReference: z.object({ seconds, cached: z.boolean() }),
  /** Reading or computing the reference statistics the metrics read (mean, covariance, k-NN radii); cached: all read from the cache. */
  referenceStats: z.object({ seconds, cached: z.boolean() }).optional(),
  metrics: StageSchema,
  /** Of `metrics`, the part spent on the bootstrap intervals (absent without intervals). */
  intervals: StageSchema.optional(),
  /** Of `metrics`, the memorisation checks, with the training split's features (absent when they did not run). */
  memorization: StageSchema.optional(),
  total: StageSchema,
});

export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA),
  created: z.iso.datetime(),
  model: ModelSchema,
  dataset: DatasetSchema,
  recipe: RecipeSchema,
  metrics: z.record(z.string(), MetricEntrySchema),
  timings: TimingsSchema,
  warnings: z.array(z.string()),
  /** The one-line memorisation verdict, when the checks ran. */
  memorization: z.object({ verdict: z.string() }).optional(),
  /** Facts about this run that do not change the numbers: the extractor as given (with its path), batch size, the grid written. */
  run: z.object({ extractor: z.string(), batchSize: z.number().int().positive().optional(), grid: z.string().optional() }),
});

export type Report = z.infer<typeof ReportSchema>;
export type Recipe = z.infer<typeof RecipeSchema>;
export type MetricEntry = z.infer<typeof MetricEntrySchema>;

/**
 * Checks a value against the report schema; the first problem is an INPUT error naming the field.
 *
 * @example
 * parseReport(JSON.parse(text), 'report.json'); // Report, or GenbenchError "report.json: field 'recipe.seeds': ..."
 */
export function parseReport(value: unknown, source: string): Report {
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (typeof schema === 'string' && schema !== REPORT_SCHEMA) {
    throw new GenbenchError('INPUT', `${source}: schema '${schema}' is not supported; this genbench reads ${REPORT_SCHEMA}`);
  }
  return parseWith(ReportSchema, value, source, 're-run genbench evaluate to make a valid report');
}

/** Reads and validates a report file. */
export async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read the report (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseReport(parseJsonText(text, path, 'give a report written by genbench evaluate --out'), path);
}

/** Validates `report` (a bug if it fails) and writes it as indented JSON, atomically. */
export async function writeReport(path: string, report: Report): Promise<void> {
  const checked = ReportSchema.safeParse(report);
  if (!checked.success) throw new Error(`internal: report does not match ${REPORT_SCHEMA}: ${checked.error.message}`);
  await writeFileAtomic(path, `${JSON.stringify(report, null, 2)}\n`);
}
