import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstLine, GenbenchError } from '../errors.js';
import type { EvaluateOptions } from '../harness/evaluate.js';
import type { Report } from '../io/report.js';
import type { EvalJob, JobHandler, JobQueue } from '../queue/job-queue.js';
import type { Store } from '../store/index.js';
import { putEvaluation } from '../store/evaluations.js';
import { getModel } from '../store/models.js';
import { getSubmission, listSubmissions, setSubmissionStatus, submissionFiles } from '../store/submissions.js';

/**
 * The evaluation job: rebuilds the submitted checkpoint in a temp folder (links to the content-addressed blobs,
 * the manifest under the name the loader expects), runs the harness's `evaluate()` with the recipe the job carries
 * (dataset, extractor, n, bootstrap, seed), stores the report as a *verified* evaluation with its sample grid, and
 * moves the submission to done, or to failed with the one-line error.
 *
 * When the model's manifest names its training rows on the job's dataset (`dataset` + `train_split`, e.g. `0-7999`
 * -> `test[0:8000]`, reference.ts trainingSplit), `evaluate()` also runs the memorisation checks (feature space, as
 * report metrics) and the job draws the pixel-space nearest-neighbour panel of min(n, 500) samples (stored as the
 * evaluation's nn.png). Failures there never fail the evaluation: the report gets a warning instead (checks failing
 * rerun the evaluation without them). With an injected `evaluate` (tests) the panel is skipped.
 *
 * @example
 * queue.start(evaluationHandler({ store }));
 * await queue.enqueue({ submissionId, recipe: evaluationRecipe({ n: 200 }, 'mnist') });
 */
export interface JobRecipe {
  readonly dataset: string;
  readonly extractor?: string;
  readonly n: number;
  readonly bootstrap: number;
  readonly seed: number;
  /** false: skip the memorisation checks and the neighbour panel (default: run them when the manifest allows). */
  readonly memorization?: false;
}

/** How the server evaluates submissions (the same recipe for every model on a board). */
export interface EvaluationSettings {
  /** Generated samples per evaluation (small on a laptop, 10k+ on a real server). */
  readonly n: number;
  /** Extractor id (default mobilenet-v1-0.75). */
  readonly extractor?: string;
  /** Bootstrap resamples for the 95% intervals (0: none). */
  readonly bootstrap?: number;
  /**
   * false: no memorisation checks or neighbour panel. Default: run them when the model's manifest names its training
   * split on the evaluated dataset (they extract features of the whole training split once per extractor).
   */
  readonly memorization?: boolean;
}

export const DEFAULT_EVALUATION: EvaluationSettings = Object.freeze({ n: 1000, bootstrap: 50 });

export type EvaluateFn = (opts: EvaluateOptions) => Promise<Report>;

/** The recipe string of a job (stable key order, so equal recipes give equal job ids). */
export function evaluationRecipe(s: EvaluationSettings, dataset: string): string {
  const r: JobRecipe = { dataset, ...(s.extractor === undefined ? {} : { extractor: s.extractor }), n: s.n, bootstrap: s.bootstrap ?? 0, seed: 0, ...(s.memorization === false ? { memorization: false } : {}) };
  return JSON.stringify(r);
}

export function parseRecipe(recipe: string): JobRecipe {
  const r = JSON.parse(recipe) as Partial<JobRecipe>;
  if (typeof r.dataset !== 'string' || typeof r.n !== 'number') throw new Error(`internal: bad job recipe ${recipe.slice(0, 100)}`);
  return { dataset: r.dataset, n: r.n, bootstrap: r.bootstrap ?? 0, seed: r.seed ?? 0, ...(typeof r.extractor === 'string' ? { extractor: r.extractor } : {}), ...(r.memorization === false ? { memorization: false } : {}) };
}

interface Deps {
  readonly store: Store;
  readonly evaluate?: EvaluateFn;
  readonly workDir?: string;
  readonly cacheDir?: string;
}

export function evaluationHandler(deps: Deps): JobHandler {
  return async (job) => {
    const { sql } = deps.store;
    const sub = await getSubmission(sql, job.submissionId);
    if (sub === undefined) throw new Error(`submission ${job.submissionId} no longer exists`);
    await setSubmissionStatus(sql, sub.id, 'running');
    const dir = await mkdtemp(join(deps.workDir ?? tmpdir(), 'genbench-eval-'));
    try {
      const { report, nn } = await runEvaluation(deps, job, dir);
      const grid = await deps.store.blobs.putFile(join(dir, 'grid.png')).catch(() => undefined);
      const extra = { ...(grid ? { gridSha256: grid.sha256 } : {}), ...(nn === undefined ? {} : { nnSha256: nn }) };
      await putEvaluation(sql, { modelId: sub.modelId, submissionId: sub.id, report, verified: true, ...extra });
      await setSubmissionStatus(sql, sub.id, 'done');
    } catch (e) {
      const message = firstLine(e);
      await setSubmissionStatus(sql, sub.id, 'failed', { error: e instanceof GenbenchError ? message : `evaluation failed: ${message}` });
      throw e;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

async function runEvaluation(deps: Deps, job: EvalJob, dir: string): Promise<{ report: Report; nn?: string }> {
  const { sql, blobs } = deps.store;
  const sub = (await getSubmission(sql, job.submissionId))!;
  const model = (await getModel(sql, sub.modelId))!;
  const recipe = parseRecipe(job.recipe);
  const files = await submissionFiles(sql, sub.id);
  for (const f of files) {
    if (f.name === 'genbench.json' || f.name.endsWith('.genbench.json') || f.name === 'report.json') continue;
    await symlink(blobs.path(f.sha256), join(dir, f.name));
  }
  const stem = sub.mainFile.replace(/\.onnx$/, '');
  const manifestName = model.format === 'onnx' ? `${stem}.genbench.json` : 'genbench.json';
  await writeFile(join(dir, manifestName), JSON.stringify(model.manifest));
  const generator = join(dir, sub.mainFile);
  const trainSplit = recipe.memorization === false ? undefined : await manifestTrainSplit(recipe.dataset, model.manifest);
  const evaluate = deps.evaluate ?? (await import('../harness/evaluate.js')).evaluate;
  const opts: EvaluateOptions = {
    generator,
    dataset: recipe.dataset,
    n: recipe.n,
    seed: recipe.seed,
    bootstrap: recipe.bootstrap,
    grid: join(dir, 'grid.png'),
    ...(recipe.extractor === undefined ? {} : { extractor: recipe.extractor }),
    ...(deps.cacheDir === undefined ? {} : { cacheDir: deps.cacheDir }),
  };
  let report: Report;
  const warnings: string[] = [];
  if (trainSplit === undefined) report = await evaluate({ ...opts, trainSplit: false });
  else {
    try {
      report = await evaluate({ ...opts, trainSplit });
    } catch (e) {
      warnings.push(`memorisation checks skipped: ${firstLine(e)}`);
      report = await evaluate({ ...opts, trainSplit: false });
    }
  }
  let nn: string | undefined;
  if (trainSplit !== undefined && deps.evaluate === undefined) {
    try {
      nn = await neighbourPanel(deps, { generator, dataset: recipe.dataset, trainSplit, referenceSplit: report.dataset.split, n: Math.min(recipe.n, PANEL_MAX_N), seed: recipe.seed }, dir);
    } catch (e) {
      warnings.push(`nearest-neighbour panel not made: ${firstLine(e)}`);
    }
  }
  const { grid: _grid, ...run } = report.run;
  return { report: { ...report, model: { ...report.model, path: sub.mainFile }, run, warnings: [...report.warnings, ...warnings] }, ...(nn === undefined ? {} : { nn }) };
}

/** Generated samples behind the nearest-neighbour panel (pixel space; its checks are not reported). */
const PANEL_MAX_N = 500;

/** The manifest's training split on `dataset` as a split expression (`0-7999` -> `test[0:8000]`), if it names one. */
async function manifestTrainSplit(dataset: string, manifest: Record<string, unknown>): Promise<string | undefined> {
  const training = { dataset: typeof manifest['dataset'] === 'string' ? manifest['dataset'] : undefined, train_split: typeof manifest['train_split'] === 'string' ? manifest['train_split'] : undefined };
  if (training.dataset !== dataset || training.train_split === undefined) return undefined;
  const { openDataset } = await import('../data/index.js');
  const { trainingSplit } = await import('../harness/reference.js');
  return trainingSplit(await openDataset(dataset), training);
}

/**
 * The pixel-space nearest-neighbour panel (most suspicious samples and their nearest training images) written to
 * `dir/nn.png` and stored as a blob; returns its sha256. Held-out rows: the first `n` of the reference split.
 */
async function neighbourPanel(deps: Deps, p: { generator: string; dataset: string; trainSplit: string; referenceSplit: string; n: number; seed: number }, dir: string): Promise<string> {
  const { parseSplitExpr } = await import('../data/split-spec.js');
  const { memorizationForModel } = await import('../memorization/model.js');
  const ref = parseSplitExpr(p.referenceSplit);
  const start = ref.start ?? 0;
  const stop = ref.stop === undefined ? start + p.n : Math.min(ref.stop, start + p.n);
  const png = join(dir, 'nn.png');
  await memorizationForModel({ generator: p.generator, dataset: p.dataset, trainSplit: p.trainSplit, heldoutSplit: `${ref.name}${ref.shuffle === undefined ? '' : `~${ref.shuffle}`}[${start}:${stop}]`, n: p.n, seed: p.seed, space: 'pixel', panels: png, ...(deps.cacheDir === undefined ? {} : { cacheDir: deps.cacheDir }) });
  return (await deps.store.blobs.putFile(png)).sha256;
}

/** Re-queues submissions left queued or running (a restart); returns how many. */
export async function resumePending(store: Store, queue: JobQueue, settings: EvaluationSettings): Promise<number> {
  const pending = await listSubmissions(store.sql, { status: ['queued', 'running'] });
  for (const s of pending) {
    await setSubmissionStatus(store.sql, s.id, 'queued');
    await queue.enqueue({ submissionId: s.id, recipe: evaluationRecipe(settings, s.dataset) });
  }
  return pending.length;
}
