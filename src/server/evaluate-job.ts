import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenbenchError } from '../errors.js';
import type { EvaluateOptions } from '../harness/evaluate.js';
import type { Report } from '../io/report.js';
import type { Store } from '../store/index.js';
import { putEvaluation } from '../store/evaluations.js';
import { getModel } from '../store/models.js';
import { getSubmission, listSubmissions, setSubmissionStatus, submissionFiles } from '../store/submissions.js';
import type { EvaluationSettings } from './app.js';
import type { EvalJob, JobHandler, JobQueue } from './queue.js';

/**
 * The evaluation job: rebuilds the submitted checkpoint in a temp folder (links to the content-addressed blobs,
 * the manifest under the name the loader expects), runs the harness's `evaluate()` with the recipe the job carries
 * (dataset, extractor, n, bootstrap, seed), stores the report as a *verified* evaluation with its sample grid, and
 * moves the submission to done, or to failed with the one-line error.
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
}

export type EvaluateFn = (opts: EvaluateOptions) => Promise<Report>;

/** The recipe string of a job (stable key order, so equal recipes give equal job ids). */
export function evaluationRecipe(s: EvaluationSettings, dataset: string): string {
  const r: JobRecipe = { dataset, ...(s.extractor === undefined ? {} : { extractor: s.extractor }), n: s.n, bootstrap: s.bootstrap ?? 0, seed: 0 };
  return JSON.stringify(r);
}

export function parseRecipe(recipe: string): JobRecipe {
  const r = JSON.parse(recipe) as Partial<JobRecipe>;
  if (typeof r.dataset !== 'string' || typeof r.n !== 'number') throw new Error(`internal: bad job recipe ${recipe.slice(0, 100)}`);
  return { dataset: r.dataset, n: r.n, bootstrap: r.bootstrap ?? 0, seed: r.seed ?? 0, ...(typeof r.extractor === 'string' ? { extractor: r.extractor } : {}) };
}

export function evaluationHandler(deps: { store: Store; evaluate?: EvaluateFn; workDir?: string; cacheDir?: string }): JobHandler {
  return async (job) => {
    const { sql } = deps.store;
    const sub = await getSubmission(sql, job.submissionId);
    if (sub === undefined) throw new Error(`submission ${job.submissionId} no longer exists`);
    await setSubmissionStatus(sql, sub.id, 'running');
    const dir = await mkdtemp(join(deps.workDir ?? tmpdir(), 'genbench-eval-'));
    try {
      const report = await runEvaluation(deps, job, dir);
      const grid = await deps.store.blobs.putFile(join(dir, 'grid.png')).catch(() => undefined);
      await putEvaluation(sql, { modelId: sub.modelId, submissionId: sub.id, report, verified: true, ...(grid ? { gridSha256: grid.sha256 } : {}) });
      await setSubmissionStatus(sql, sub.id, 'done');
    } catch (e) {
      const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
      await setSubmissionStatus(sql, sub.id, 'failed', { error: e instanceof GenbenchError ? message : `evaluation failed: ${message}` });
      throw e;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

async function runEvaluation(deps: { store: Store; evaluate?: EvaluateFn; cacheDir?: string }, job: EvalJob, dir: string): Promise<Report> {
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
  const evaluate = deps.evaluate ?? (await import('../harness/evaluate.js')).evaluate;
  const report = await evaluate({
    generator: join(dir, sub.mainFile),
    dataset: recipe.dataset,
    n: recipe.n,
    seed: recipe.seed,
    bootstrap: recipe.bootstrap,
    grid: join(dir, 'grid.png'),
    ...(recipe.extractor === undefined ? {} : { extractor: recipe.extractor }),
    ...(deps.cacheDir === undefined ? {} : { cacheDir: deps.cacheDir }),
  });
  const { grid: _grid, ...run } = report.run;
  return { ...report, model: { ...report.model, path: sub.mainFile }, run };
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
