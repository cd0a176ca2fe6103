import { join } from 'node:path';
import { firstLine } from '../errors.js';
import type { EvaluateOptions } from '../harness/evaluate.js';
import type { Report } from '../io/report.js';
import { PROTOCOLS } from './protocols.js';
import type { TranslationRecipe } from './translation-protocol.js';

/**
 * The evaluation of one submission on files only (no database): the work the sandbox's child process does
 * (sandbox-child.ts), or the server itself when a test injects its `evaluate`. A translator's recipe (one naming a
 * `task`) is scored by translation-run.ts instead. The checkpoint lies in `dir` under
 * its upload names, the manifest beside it; outputs are written there too: `grid.png` (first samples), `nn.png`
 * (the nearest-neighbour panel) and `pool.npy` (the human-rating pool). The parent stores them.
 *
 * The reference is the recipe's (the dataset's protocol: split, count, seed). The memorisation checks (feature
 * space, as report metrics) run against the training rows the manifest names on the job's dataset (`dataset` +
 * `train_split`, e.g. `0-7999` -> `test[0:8000]`, reference.ts trainingSplit); without a usable `train_split` they
 * run against the dataset's whole training split (protocols.ts `train`, else its `train` split), and the report
 * says so (TRAINING_ROWS_UNKNOWN). With training rows,
 * the panel of min(n, 500) samples is drawn too (pixel space). Failures of the checks, the panel
 * or the pool never fail the evaluation: the report gets a warning instead (checks failing rerun the evaluation
 * without them).
 *
 * @example
 * const recipe = { dataset: 'mnist', n: 1000, bootstrap: 50, seed: 0, pool: { n: 1000, seed: 0 } };
 * const out = await runEvaluationFiles({ dir, mainFile: 'g.onnx', manifestName: 'g.genbench.json', manifest, recipe, panel: true });
 * out; // { report: {...}, nn: true, pool: true } (and dir/grid.png)
 */
export interface EvaluationRecipe {
  readonly dataset: string;
  readonly extractor?: string;
  readonly n: number;
  /** Reference split expression (the dataset's protocol, protocols.ts); absent: the harness's held-out default. */
  readonly split?: string;
  /** Reference images, a seeded random subset of the split (absent: min(n, split size)). */
  readonly referenceN?: number;
  /** Seed of the reference subset (absent: the sampling seed). */
  readonly referenceSeed?: number;
  readonly bootstrap: number;
  readonly seed: number;
  /** false: skip the memorisation checks and the neighbour panel. */
  readonly memorization?: false;
  /** The human-rating pool to sample after the evaluation (none when absent). */
  readonly pool?: { readonly n: number; readonly seed: number };
}

export interface EvaluationFilesInput {
  readonly dir: string;
  /** Upload name of the checkpoint's main file (the .onnx or model.json in `dir`). */
  readonly mainFile: string;
  readonly manifest: Record<string, unknown>;
  /** A generator's recipe, or a translator's (translation-run.ts scores it). */
  readonly recipe: EvaluationRecipe | TranslationRecipe;
  readonly cacheDir?: string;
  /** Draw the nearest-neighbour panel when the manifest names its training split. */
  readonly panel: boolean;
  /** Name of the checkpoint's manifest in `dir`: what the rating pool (recipe.pool) is sampled from. */
  readonly manifestName: string;
}

export interface EvaluationFilesOutput {
  readonly report: Report;
  readonly nn: boolean;
  readonly pool: boolean;
}

export type EvaluateFn = (opts: EvaluateOptions) => Promise<Report>;

/** The report warning of an evaluation whose memorisation checks ran against the whole training split. */
export const TRAINING_ROWS_UNKNOWN = 'training rows unknown: memorisation checked against the whole training split';

/** Generated samples behind the nearest-neighbour panel (pixel space; its checks are not reported). */
export const PANEL_MAX_N = 500;

export async function runEvaluationFiles(input: EvaluationFilesInput, injected?: EvaluateFn): Promise<EvaluationFilesOutput> {
  if ('task' in input.recipe) {
    const { runTranslationFiles } = await import('./translation-run.js');
    return runTranslationFiles({ ...input, recipe: input.recipe });
  }
  const { dir } = input;
  const recipe: EvaluationRecipe = input.recipe;
  const generator = join(dir, input.mainFile);
  const named = recipe.memorization === false ? undefined : await manifestTrainSplit(recipe.dataset, input.manifest);
  const whole = recipe.memorization === false || named !== undefined ? undefined : await wholeTrainSplit(recipe.dataset);
  const trainSplit = named ?? whole;
  const evaluate = injected ?? (await import('../harness/evaluate.js')).evaluate;
  const opts: EvaluateOptions = {
    generator,
    dataset: recipe.dataset,
    n: recipe.n,
    ...(recipe.split === undefined ? {} : { split: recipe.split }),
    ...(recipe.referenceN === undefined ? {} : { referenceN: recipe.referenceN }),
    ...(recipe.referenceSeed === undefined ? {} : { referenceSeed: recipe.referenceSeed }),
    seed: recipe.seed,
    bootstrap: recipe.bootstrap,
    grid: join(dir, 'grid.png'),
    ...(recipe.extractor === undefined ? {} : { extractor: recipe.extractor }),
    ...(input.cacheDir === undefined ? {} : { cacheDir: input.cacheDir }),
  };
  let report: Report;
  const warnings: string[] = [];
  if (trainSplit === undefined) report = await evaluate({ ...opts, trainSplit: false });
  else {
    try {
      report = await evaluate({ ...opts, trainSplit });
      if (whole !== undefined) warnings.push(`${TRAINING_ROWS_UNKNOWN} (${whole})`);
    } catch (e) {
      warnings.push(`memorisation checks skipped: ${firstLine(e)}`);
      report = await evaluate({ ...opts, trainSplit: false });
    }
  }
  let nn = false;
  if (named !== undefined && input.panel) {
    try {
      await neighbourPanel({ ...input, recipe }, { generator, trainSplit: named, referenceSplit: report.dataset.split, n: Math.min(recipe.n, PANEL_MAX_N) });
      nn = true;
    } catch (e) {
      warnings.push(`nearest-neighbour panel not made: ${firstLine(e)}`);
    }
  }
  const pool = await storePool(input, recipe.pool, warnings);
  return { report: storedReport(report, input.mainFile, warnings), nn, pool };
}

/**
 * The human-rating pool (`pool.npy` in the job's folder, rating/images.ts samplePoolFiles) when the recipe asks for
 * one; a pool that cannot be made is a warning, not a failed evaluation. True when it was stored.
 */
export async function storePool(input: Pick<EvaluationFilesInput, 'dir' | 'manifestName'>, pool: { readonly n: number; readonly seed: number } | undefined, warnings: string[]): Promise<boolean> {
  if (pool === undefined) return false;
  try {
    const { samplePoolFiles } = await import('../rating/images.js');
    await samplePoolFiles({ checkpoint: join(input.dir, input.manifestName), n: pool.n, seed: pool.seed, out: join(input.dir, 'pool.npy') });
    return true;
  } catch (e) {
    warnings.push(`human-rating pool not made: ${firstLine(e)}`);
    return false;
  }
}

/** The report as the server stores it: the model's path as uploaded, no grid path of the job's folder, and the job's warnings. */
export function storedReport(report: Report, mainFile: string, warnings: readonly string[]): Report {
  const { grid: _grid, ...run } = report.run;
  return { ...report, model: { ...report.model, path: mainFile }, run, warnings: [...report.warnings, ...warnings] };
}

/** The manifest's training split on `dataset` as a split expression (`0-7999` -> `test[0:8000]`), if it names one. */
async function manifestTrainSplit(dataset: string, manifest: Record<string, unknown>): Promise<string | undefined> {
  const training = { dataset: typeof manifest['dataset'] === 'string' ? manifest['dataset'] : undefined, train_split: typeof manifest['train_split'] === 'string' ? manifest['train_split'] : undefined };
  if (training.dataset !== dataset || training.train_split === undefined) return undefined;
  const { openDataset } = await import('../data/index.js');
  const { trainingSplit } = await import('../harness/reference.js');
  return trainingSplit(await openDataset(dataset), training);
}

/** The training rows of the dataset's protocol (protocols.ts), else its `train` split when it has one. */
async function wholeTrainSplit(dataset: string): Promise<string | undefined> {
  const known = PROTOCOLS.get(dataset)?.train;
  if (known !== undefined) return known;
  const { openDataset } = await import('../data/index.js');
  const ds = await openDataset(dataset).catch(() => undefined);
  return ds?.splits.some((s) => s.name === 'train') === true ? 'train' : undefined;
}

/**
 * The pixel-space nearest-neighbour panel (most suspicious samples and their nearest training images) written to
 * `dir/nn.png`. Held-out rows: the first `n` of the reference split.
 */
async function neighbourPanel(input: EvaluationFilesInput & { recipe: EvaluationRecipe }, p: { generator: string; trainSplit: string; referenceSplit: string; n: number }): Promise<void> {
  const { parseSplitExpr } = await import('../data/split-spec.js');
  const { memorizationForModel } = await import('../memorization/model.js');
  const ref = parseSplitExpr(p.referenceSplit);
  const start = ref.start ?? 0;
  const stop = ref.stop === undefined ? start + p.n : Math.min(ref.stop, start + p.n);
  const { dataset, seed } = input.recipe;
  const heldoutSplit = `${ref.name}${ref.shuffle === undefined ? '' : `~${ref.shuffle}`}[${start}:${stop}]`;
  await memorizationForModel({ generator: p.generator, dataset, trainSplit: p.trainSplit, heldoutSplit, n: p.n, seed, space: 'pixel', panels: join(input.dir, 'nn.png'), ...(input.cacheDir === undefined ? {} : { cacheDir: input.cacheDir }) });
}
