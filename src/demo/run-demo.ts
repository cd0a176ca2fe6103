import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { EvaluateOptions } from '../harness/evaluate.js';
import type { Report } from '../io/report.js';
import { firstLine } from '../errors.js';
import type { Progress } from '../progress.js';
import { DEFAULT_RATING_CONFIG } from '../rating/protocol.js';
import { listEvaluations, type EvaluationRecord } from '../store/evaluations.js';
import type { Store } from '../store/index.js';
import { findModelsByName } from '../store/models.js';
import { registerEvaluatedModel } from '../store/register.js';
import { recordCheckpoint } from '../store/submissions.js';
import { findBaselines } from './baselines.js';
import { planDemo, type BaselineEntry, type DemoEntry, type DemoSettings } from './plan.js';
import { trainReference } from './train-reference.js';

/**
 * The demo's work, without the web server: trains the small reference models (train-reference.ts), evaluates them
 * and the built-in baselines with the harness's `evaluate()` (one recipe for all; each against the rows held out from
 * its training rows, so the models trained on `test~0[:8000]` are another protocol than the baselines, listed
 * apart on the board, server/leaderboard.ts), and
 * stores each report as a verified evaluation with its sample grid (and training curve) through
 * `registerEvaluatedModel`. Idempotent: a model that already has an evaluation with this recipe (n, extractor,
 * bootstrap, seed) is left as it is, without training or evaluating it again.
 *
 * @example
 * const store = await openStore({ db: 'genbench.db' });
 * const r = await runDemo({ store, settings: DEMO_DEFAULTS, workDir: 'genbench.db.demo', log: console.error });
 * r.models.map((m) => `${m.name} ${m.status} fd=${m.fd}`); // ['dcgan-mnist evaluated fd=142.3', ..., 'mnist-vae reused fd=88.1']
 */
export interface RunDemoOptions {
  readonly store: Store;
  readonly settings: DemoSettings;
  /** Run folders and grids (demoWorkDir(db)). */
  readonly workDir: string;
  /** Baselines to consider (default: findBaselines() in the asset roots). */
  readonly baselines?: readonly BaselineEntry[];
  /** Feature cache folder (default GENBENCH_HOME/features). */
  readonly cacheDir?: string;
  /** The evaluation function (default the harness's evaluate()). */
  readonly evaluate?: (opts: EvaluateOptions) => Promise<Report>;
  readonly progress?: Progress;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export interface DemoModelResult {
  readonly name: string;
  readonly kind: DemoEntry['kind'];
  readonly dataset: string;
  /** 'evaluated' now, or 'reused' from an earlier run with the same recipe. */
  readonly status: 'evaluated' | 'reused';
  readonly modelId: string;
  readonly evaluationId: string;
  readonly fd: number | null;
}

export interface DemoResult {
  readonly models: readonly DemoModelResult[];
  /** True when the signal stopped the demo early (the models done so far are stored). */
  readonly interrupted: boolean;
}

export async function runDemo(opts: RunDemoOptions): Promise<DemoResult> {
  const plan = planDemo(opts.settings, opts.baselines ?? (await findBaselines()));
  const models: DemoModelResult[] = [];
  for (const [i, entry] of plan.entries.entries()) {
    if (opts.signal?.aborted) return { models, interrupted: true };
    const step = `[${i + 1}/${plan.entries.length}] ${entry.name}`;
    const done = await existingEvaluation(opts.store, entry, opts.settings);
    if (done !== undefined) {
      opts.log?.(`${step}: already on the leaderboard with this recipe (reused)`);
      if (entry.kind === 'baseline') await storeBaselineCheckpoint(opts, entry, done.modelId);
      models.push(result(entry, done, 'reused'));
      continue;
    }
    const r = await demoEntry(opts, entry, step);
    if (r === undefined) return { models, interrupted: true };
    if (entry.kind === 'baseline') await storeBaselineCheckpoint(opts, entry, r.modelId);
    models.push(r);
  }
  return { models, interrupted: false };
}

/** Trains (reference models), evaluates and registers one entry; undefined when interrupted during training. */
async function demoEntry(opts: RunDemoOptions, entry: DemoEntry, step: string): Promise<DemoModelResult | undefined> {
  const { settings, workDir } = opts;
  let generator: string;
  let manifest: Record<string, unknown>;
  let curvePath: string | undefined;
  if (entry.kind === 'reference') {
    opts.log?.(`${step}: training ${entry.model} on ${entry.dataset} ${entry.split} for ${fmtMinutes(entry.minutes)}`);
    const run = await trainReference(entry, { workDir, seed: settings.seed, ...pick(opts, ['progress', 'signal']) });
    if (opts.signal?.aborted) return undefined;
    opts.log?.(run.reused ? `${step}: reusing the checkpoint in ${run.generator}` : `${step}: trained ${run.steps} steps at ${Math.round(run.imagesPerSecond)} img/s`);
    ({ generator, manifest, curvePath } = run);
  } else {
    ({ generator, manifest } = entry);
  }
  opts.log?.(`${step}: evaluating ${settings.n} samples against ${entry.dataset}`);
  await mkdir(join(workDir, 'grids'), { recursive: true });
  const grid = join(workDir, 'grids', `${entry.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.png`);
  const evaluate = opts.evaluate ?? (await import('../harness/evaluate.js')).evaluate;
  const report = await evaluate({
    generator,
    dataset: entry.dataset,
    n: settings.n,
    seed: settings.seed,
    bootstrap: settings.bootstrap,
    grid,
    ...(settings.extractor === undefined ? {} : { extractor: settings.extractor }),
    ...pick(opts, ['cacheDir', 'progress']),
  });
  const { grid: _grid, ...run } = report.run; // a local path: not for the database
  const { evaluation } = await registerEvaluatedModel(opts.store, {
    name: entry.name,
    kind: entry.kind,
    manifest,
    report: { ...report, run },
    verified: true,
    gridPath: grid,
    ...(curvePath === undefined ? {} : { curvePath }),
  });
  const fd = evaluation.report.metrics['fd']?.value ?? null;
  opts.log?.(`${step}: done${fd === null ? '' : ` (FD ${fd.toFixed(1)})`}`);
  return result(entry, evaluation, 'evaluated');
}

/**
 * Stores a baseline's ONNX file and manifest as the model's checkpoint (recordCheckpoint) and samples its
 * human-rating pool in the evaluation sandbox (buildRatingPool), so /rate can show it; a pool that cannot be made
 * is logged, not fatal. The reference models trained by the demo are TF.js run folders, which have no stored
 * checkpoint (not rateable).
 */
async function storeBaselineCheckpoint(opts: RunDemoOptions, entry: BaselineEntry, modelId: string): Promise<void> {
  const { store } = opts;
  const manifest = join(dirname(entry.generator), `${basename(entry.generator, '.onnx')}.genbench.json`);
  const files = [];
  for (const path of [entry.generator, manifest]) files.push({ name: basename(path), ...(await store.blobs.putFile(path, { keep: true })) });
  await recordCheckpoint(store.sql, { modelId, files, mainFile: basename(entry.generator), dataset: entry.dataset });
  const { buildRatingPool } = await import('../server/rating-pool.js');
  await buildRatingPool(store, modelId, { n: DEFAULT_RATING_CONFIG.fakePoolSize, seed: DEFAULT_RATING_CONFIG.fakeSeed }).catch((e: unknown) =>
    opts.log?.(`${entry.name}: no human-rating pool (${firstLine(e)}); /rate will not offer it`),
  );
}

/** The model's evaluation computed with these settings, if an earlier demo stored one. */
async function existingEvaluation(store: Store, entry: DemoEntry, s: DemoSettings): Promise<EvaluationRecord | undefined> {
  const model = (await findModelsByName(store.sql, entry.name)).find((m) => m.kind === entry.kind);
  if (model === undefined) return undefined;
  const { DEFAULT_EXTRACTOR } = await import('../features/index.js');
  const extractor = s.extractor ?? DEFAULT_EXTRACTOR;
  const evals = await listEvaluations(store.sql, { modelId: model.id, dataset: entry.dataset, extractor });
  return evals.reverse().find((e) => e.nGenerated === s.n && e.report.recipe.seeds.sampling === s.seed && (e.report.recipe.bootstrap?.resamples ?? 0) === s.bootstrap);
}

function result(entry: DemoEntry, e: EvaluationRecord, status: DemoModelResult['status']): DemoModelResult {
  return { name: entry.name, kind: entry.kind, dataset: entry.dataset, status, modelId: e.modelId, evaluationId: e.id, fd: e.report.metrics['fd']?.value ?? null };
}

function pick<K extends keyof RunDemoOptions>(o: RunDemoOptions, keys: readonly K[]): Partial<Pick<RunDemoOptions, K>> {
  const out: Partial<Pick<RunDemoOptions, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

function fmtMinutes(m: number): string {
  return m >= 1 ? `${Math.round(m * 10) / 10} min` : `${Math.round(m * 60)} s`;
}
