import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenbenchError, isGenbenchError } from '../errors.js';
import type { EvalJob, JobHandler, JobQueue } from '../queue/job-queue.js';
import { storeRatingPool } from '../rating/images.js';
import { removeBlobsUnlessClaimed, sweepStaleClaims } from '../store/blob-claims.js';
import type { Store } from '../store/index.js';
import { dropSelfReported, putEvaluation } from '../store/evaluations.js';
import { getModel } from '../store/models.js';
import { endAttempt, getSubmission, listSubmissions, setSubmissionStatus, startAttempt, unsharedFiles, type SubmissionRecord } from '../store/submissions.js';
import { checkpointFolder } from './checkpoint-folder.js';
import { runEvaluationFiles, type EvaluateFn, type EvaluationFilesInput, type EvaluationFilesOutput, type EvaluationRecipe } from './evaluation-run.js';
import { PROTOCOLS, REFERENCE_SEED } from './protocols.js';
import { checkSamples, DEFAULT_EVALUATION_LIMITS, publicMessage, Sandbox, type EvaluationLimits } from './sandbox.js';
import { isTranslationTask, parseTranslationRecipe, translationRecipe, type TranslationRecipe } from './translation-protocol.js';

/**
 * The evaluation job: rebuilds the submitted checkpoint in a temp folder (links to the content-addressed blobs,
 * the manifest under the name the loader expects), evaluates it in a child process under the server's limits
 * (sandbox.ts; the work itself is evaluation-run.ts: the harness's `evaluate()` with the recipe the job carries,
 * the memorisation checks and neighbour panel when the manifest names its training split, and the human-rating
 * pool; for a translator on a translation task, translation-run.ts: the translate harness under the task's protocol,
 * translation-protocol.ts, its input | output | target grid and its outputs as the rating pool), stores the report as a *verified* evaluation with its sample grid and panel (an extra that cannot be stored
 * is logged and named in the report's warnings; the evaluation is not run again for it), stores the rating pool, and
 * moves the submission to done, or to failed with a one-line reason (its self-reported report, if any, is removed).
 *
 * @example
 * queue.start(evaluationHandler({ store, limits: { ...DEFAULT_EVALUATION_LIMITS, timeoutMs: 600_000 } }));
 * await queue.enqueue({ submissionId, recipe: evaluationRecipe({}, 'mnist') }); // mnist's protocol (protocols.ts)
 */
export type JobRecipe = EvaluationRecipe | TranslationRecipe;

/**
 * How the server evaluates submissions. The protocol of each dataset (reference split, n, reference count,
 * extractor) comes from protocols.ts; `n` and `extractor` override it for every dataset (a laptop server, tests),
 * and then the reference count is min(n, the protocol's).
 */
export interface EvaluationSettings {
  /** Generated samples per evaluation; default: the dataset's protocol. */
  readonly n?: number;
  /** Extractor id; default: the dataset's protocol (mobilenet-v1-0.75 for a dataset without one). */
  readonly extractor?: string;
  /** Bootstrap resamples for the 95% intervals (0: none). */
  readonly bootstrap?: number;
  /**
   * false: no memorisation checks or neighbour panel. Default: run them when the model's manifest names its training
   * split on the evaluated dataset (they extract features of the whole training split once per extractor).
   */
  readonly memorization?: boolean;
  /**
   * The human-rating pool each successful evaluation samples and stores (/rate shows its images; startServer sets
   * the rating config's size and seed). Absent: none.
   */
  readonly ratingPool?: { readonly n: number; readonly seed: number };
}

export const DEFAULT_EVALUATION: EvaluationSettings = Object.freeze({ bootstrap: 50 });

/** Generated samples on a dataset without a protocol in protocols.ts. */
export const DEFAULT_EVALUATION_N = 1000;

export type { EvaluateFn } from './evaluation-run.js';

/** The protocol the server evaluates `dataset` under (split undefined: the harness's held-out default). */
export interface ServerProtocol {
  readonly split?: string;
  readonly n: number;
  readonly referenceN?: number;
  readonly referenceSeed: number;
  readonly extractor?: string;
}

export function serverProtocol(s: EvaluationSettings, dataset: string): ServerProtocol {
  const p = PROTOCOLS.get(dataset);
  const n = s.n ?? p?.n ?? DEFAULT_EVALUATION_N;
  const referenceN = p === undefined ? undefined : s.n === undefined ? p.referenceN : Math.min(s.n, p.referenceN);
  const extractor = s.extractor ?? p?.extractor;
  return { ...(p === undefined ? {} : { split: p.split }), n, ...(referenceN === undefined ? {} : { referenceN }), referenceSeed: REFERENCE_SEED, ...(extractor === undefined ? {} : { extractor }) };
}

/**
 * The recipe string of a job: the dataset's protocol (serverProtocol), or a translation task's
 * (translation-protocol.ts), with stable key order, so equal recipes give equal job ids.
 */
export function evaluationRecipe(s: EvaluationSettings, dataset: string): string {
  if (isTranslationTask(dataset)) return translationRecipe(s, dataset);
  const p = serverProtocol(s, dataset);
  const r: EvaluationRecipe = {
    dataset,
    ...(p.extractor === undefined ? {} : { extractor: p.extractor }),
    n: p.n,
    ...(p.split === undefined ? {} : { split: p.split }),
    ...(p.referenceN === undefined ? {} : { referenceN: p.referenceN }),
    referenceSeed: p.referenceSeed,
    bootstrap: s.bootstrap ?? 0,
    seed: 0,
    ...(s.memorization === false ? { memorization: false } : {}),
    ...(s.ratingPool === undefined ? {} : { pool: { n: s.ratingPool.n, seed: s.ratingPool.seed } }),
  };
  return JSON.stringify(r);
}

export function parseRecipe(recipe: string): JobRecipe {
  const json = JSON.parse(recipe) as Record<string, unknown>;
  const translation = parseTranslationRecipe(json);
  if (translation !== undefined) return translation;
  const r = json as Partial<EvaluationRecipe>;
  if (typeof r.dataset !== 'string' || typeof r.n !== 'number') throw new Error(`internal: bad job recipe ${recipe.slice(0, 100)}`);
  const pool = typeof r.pool?.n === 'number' && typeof r.pool.seed === 'number' ? { pool: { n: r.pool.n, seed: r.pool.seed } } : {};
  const reference = {
    ...(typeof r.split === 'string' ? { split: r.split } : {}),
    ...(typeof r.referenceN === 'number' ? { referenceN: r.referenceN } : {}),
    ...(typeof r.referenceSeed === 'number' ? { referenceSeed: r.referenceSeed } : {}),
  };
  return { dataset: r.dataset, n: r.n, ...reference, bootstrap: r.bootstrap ?? 0, seed: r.seed ?? 0, ...(typeof r.extractor === 'string' ? { extractor: r.extractor } : {}), ...(r.memorization === false ? { memorization: false } : {}), ...pool };
}

export interface EvaluationDeps {
  readonly store: Store;
  /** Run the evaluation in this process with this function (tests; no panel, no rating pool, no sandbox). */
  readonly evaluate?: EvaluateFn;
  readonly workDir?: string;
  readonly cacheDir?: string;
  /** Time, memory, sample and attempt limits (default DEFAULT_EVALUATION_LIMITS). */
  readonly limits?: EvaluationLimits;
  /** One line per attempt that failed or hit a limit. */
  readonly log?: (line: string) => void;
  /** Told each evaluation process's pid (tests, logs). */
  readonly onSpawn?: (pid: number) => void;
}

/**
 * The job handler. Attempts are counted in the store before each starts (startAttempt), so a model that hangs or
 * kills its evaluation process is given up on after `limits.maxAttempts`, across restarts too; an attempt that hit
 * a limit or crashed is retried at once, a bad checkpoint (a GenbenchError) fails at once. The handler's
 * evaluation processes are reused from one job to the next while they go well; `close()` kills the idle ones. A failed submission
 * carries its reason, one line without server paths. When the queue's signal aborts (the server is stopping), the
 * running attempt is killed and not counted.
 */
export function evaluationHandler(deps: EvaluationDeps): JobHandler & { close(): void } {
  const limits = deps.limits ?? DEFAULT_EVALUATION_LIMITS;
  const sandbox = new Sandbox(limits);
  const handler: JobHandler = async (job, ctx) => {
    const { sql } = deps.store;
    const sub = await getSubmission(sql, job.submissionId);
    if (sub === undefined) throw new Error(`submission ${job.submissionId} no longer exists`);
    for (;;) {
      const now = (await getSubmission(sql, sub.id))!;
      if (now.attempts >= limits.maxAttempts) {
        const reason = exhausted(now, limits);
        await failSubmission(deps.store, sub.id, reason);
        throw new GenbenchError('INPUT', reason);
      }
      const attempt = await startAttempt(sql, sub.id);
      try {
        await attemptOnce({ ...deps, sandbox }, limits, job, ctx.signal);
        await setSubmissionStatus(sql, sub.id, 'done');
        return;
      } catch (e) {
        if (ctx.signal?.aborted === true) {
          await endAttempt(sql, sub.id, { uncount: true });
          throw e;
        }
        const reason = publicMessage(e);
        if (isGenbenchError(e)) {
          await failSubmission(deps.store, sub.id, reason);
          throw new GenbenchError(e.code, reason);
        }
        deps.log?.(`submission ${sub.id}: attempt ${attempt} of ${limits.maxAttempts} failed: ${reason}`);
        if (attempt >= limits.maxAttempts) {
          const final = `evaluation failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${reason}`;
          await failSubmission(deps.store, sub.id, final);
          throw new GenbenchError('INPUT', final);
        }
        await endAttempt(sql, sub.id, { error: `attempt ${attempt} of ${limits.maxAttempts} failed: ${reason}` });
      }
    }
  };
  return Object.assign(handler, { close: () => sandbox.close() });
}

/**
 * Marks a submission failed with its reason, removes the self-reported numbers it came with, and deletes its
 * checkpoint blobs that nothing in use shares and no upload in flight claims (the database keeps the names and
 * hashes).
 */
async function failSubmission(store: Store, id: string, reason: string): Promise<void> {
  await store.sql.transaction(async (tx) => {
    await setSubmissionStatus(tx, id, 'failed', { error: reason });
    await dropSelfReported(tx, id);
  });
  await removeFailedBlobs(store, id);
}

/** In one transaction, so an upload of the same bytes that claimed them meanwhile keeps them (store/blob-claims.ts). */
async function removeFailedBlobs(store: Store, id: string): Promise<number> {
  const removed = await store.sql.transaction(async (tx) => removeBlobsUnlessClaimed(tx, store.blobs, await unsharedFiles(tx, id)));
  return removed.length;
}

/**
 * Housekeeping at start: blobs of failed submissions that nothing in use shares and no upload claims are deleted (a
 * crash may have stopped failSubmission before it), and the work folders of uploads, evaluations and rating pools
 * left in `dirs` by a server that stopped mid-way, older than `staleMs` (default 6 h, so another server's live
 * folders stay), are removed, as are blob claims of uploads that stopped mid-way, older than `staleMs`, with the
 * blobs only they kept (store/blob-claims.ts). Returns what was removed.
 *
 * @example
 * await sweepStale(store, [tmpdir()]); // { blobs: 0, folders: 2, claims: 0 }
 */
export async function sweepStale(store: Store, dirs: readonly string[], staleMs = 6 * 3600_000): Promise<{ blobs: number; folders: number; claims: number }> {
  let blobs = 0;
  for (const s of await listSubmissions(store.sql, { status: ['failed'] })) blobs += await removeFailedBlobs(store, s.id);
  const cutoff = Date.now() - staleMs;
  const claims = await sweepStaleClaims(store.sql, store.blobs, new Date(cutoff).toISOString());
  blobs += claims.blobs;
  let folders = 0;
  for (const dir of new Set(dirs)) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!/^genbench-(upload|eval|pool)-/.test(name)) continue;
      const info = await stat(join(dir, name)).catch(() => undefined);
      if (info === undefined || !info.isDirectory() || info.mtimeMs > cutoff) continue;
      await rm(join(dir, name), { recursive: true, force: true });
      folders++;
    }
  }
  return { blobs, folders, claims: claims.claims };
}

/** The reason of a submission that used up its attempts without an outcome for the last one (a crash, a kill). */
function exhausted(s: SubmissionRecord, limits: EvaluationLimits): string {
  const last = s.error === null ? '' : `; before that, ${s.error.replace(/^attempt \d+ of \d+ failed: /, '')}`;
  return `evaluation failed after ${limits.maxAttempts} attempts: the last one was interrupted (the evaluating process stopped)${last}`;
}

/** One attempt: the checkpoint rebuilt in a temp folder, evaluated (sandboxed unless injected), the results stored. */
async function attemptOnce(deps: EvaluationDeps & { sandbox: Sandbox }, limits: EvaluationLimits, job: EvalJob, signal: AbortSignal | undefined): Promise<void> {
  const { sql } = deps.store;
  const sub = (await getSubmission(sql, job.submissionId))!;
  const model = (await getModel(sql, sub.modelId))!;
  const { pool: asked, ...rest } = parseRecipe(job.recipe);
  const pool = deps.evaluate === undefined ? asked : undefined;
  const recipe: JobRecipe = { ...rest, ...(pool === undefined ? {} : { pool }) };
  if (!('task' in recipe)) checkSamples(recipe.n, limits, 'evaluation'); // a translation's outputs are its task split's pairs
  if (pool !== undefined) checkSamples(pool.n, limits, 'human-rating pool');
  const dir = await mkdtemp(join(deps.workDir ?? tmpdir(), 'genbench-eval-'));
  try {
    const manifestName = await checkpointFolder(deps.store, sub, model, dir);
    const input: EvaluationFilesInput = {
      dir,
      mainFile: sub.mainFile,
      manifest: model.manifest,
      recipe,
      manifestName,
      panel: deps.evaluate === undefined,
      ...(deps.cacheDir === undefined ? {} : { cacheDir: deps.cacheDir }),
    };
    const out = deps.evaluate !== undefined ? await runEvaluationFiles(input, deps.evaluate) : await sandboxedEvaluation(input, deps, signal);
    await storeResults(deps, sub, out, dir, pool);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Stores what an evaluation made. The sample grid, the neighbour panel and the rating pool are extras: one that
 * cannot be stored is logged and named in the report's warnings, and the report is stored without it. The report
 * itself is written up to 3 times (50 and 200 ms apart) before the attempt fails: a store hiccup does not make the
 * evaluation run again.
 */
async function storeResults(deps: EvaluationDeps, sub: SubmissionRecord, out: EvaluationFilesOutput, dir: string, pool: JobRecipe['pool']): Promise<void> {
  const warnings: string[] = [];
  const extra = async <T>(what: string, put: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await put();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && what === 'sample grid') return undefined; // none was made
      const line = `${what} not stored: ${publicMessage(e)}`;
      deps.log?.(`submission ${sub.id}: ${line}`);
      warnings.push(line);
      return undefined;
    }
  };
  const { blobs, sql } = deps.store;
  const grid = await extra('sample grid', () => blobs.putFile(join(dir, 'grid.png')));
  const nn = out.nn ? await extra('nearest-neighbour panel', () => blobs.putFile(join(dir, 'nn.png'))) : undefined;
  if (out.pool && pool !== undefined) await extra('human-rating pool', () => storeRatingPool(deps.store, sub.modelId, pool, join(dir, 'pool.npy')));
  const report = { ...out.report, warnings: [...out.report.warnings, ...warnings] };
  const files = { ...(grid ? { gridSha256: grid.sha256 } : {}), ...(nn ? { nnSha256: nn.sha256 } : {}) };
  for (const [i, wait] of [50, 200, -1].entries()) {
    try {
      await putEvaluation(sql, { modelId: sub.modelId, submissionId: sub.id, report, verified: true, ...files });
      return;
    } catch (e) {
      if (wait < 0) throw e;
      deps.log?.(`submission ${sub.id}: storing the report failed (try ${i + 1} of 3): ${publicMessage(e)}`);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function sandboxedEvaluation(input: EvaluationFilesInput, deps: EvaluationDeps & { sandbox: Sandbox }, signal: AbortSignal | undefined): Promise<EvaluationFilesOutput> {
  const out = await deps.sandbox.run({ kind: 'evaluate', input }, { ...(signal ? { signal } : {}), ...(deps.onSpawn ? { onSpawn: deps.onSpawn } : {}) });
  if (out.kind !== 'evaluate') throw new Error('internal: the evaluation process answered another task');
  return out;
}

/**
 * Re-queues, for the in-process queue (whose jobs die with the server), submissions left queued or running by a
 * restart, each with the recipe it was queued with (the current `settings` only for one recorded before its job
 * was); one that has used up its attempts (the server stopped during its last one) is marked failed instead.
 * A shared queue (BullMQ) keeps its jobs through a restart and its workers may be running them: the server does
 * not call this then. Returns how many were queued.
 */
export async function resumePending(store: Store, queue: JobQueue, settings: EvaluationSettings, limits: EvaluationLimits = DEFAULT_EVALUATION_LIMITS): Promise<number> {
  const pending = await listSubmissions(store.sql, { status: ['queued', 'running'] });
  let queued = 0;
  for (const s of pending) {
    if (s.attempts >= limits.maxAttempts) {
      await failSubmission(store, s.id, exhausted(s, limits));
      continue;
    }
    await endAttempt(store.sql, s.id); // back to queued, the count and the last error kept
    await queue.enqueue({ submissionId: s.id, recipe: s.recipe ?? evaluationRecipe(settings, s.dataset) });
    queued++;
  }
  return queued;
}
