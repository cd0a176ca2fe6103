import { randomUUID } from 'node:crypto';
import { createModel, type ModelRecord, type NewModel } from './models.js';
import type { Sql } from './sql.js';

/**
 * Submissions: an uploaded checkpoint (its files, by upload name and sha256), the model row it created, and the
 * state of its evaluation: queued -> running -> done | failed. `attempts` counts the evaluation attempts started
 * (startAttempt, before any work), so the count survives a crash of whatever ran the attempt; a queued submission
 * may carry the one-line error of its previous attempt.
 *
 * @example
 * const s = await createSubmission(sql, { model, files: [{ name: 'g.onnx', sha256, size }], mainFile: 'g.onnx', dataset: 'mnist', tokenId });
 * await setSubmissionStatus(sql, s.id, 'running');
 * (await getSubmission(sql, s.id))?.status; // 'running'
 */
export type SubmissionStatus = 'queued' | 'running' | 'done' | 'failed';

export interface StoredFile {
  /** Sanitised upload name (a plain file name, no folders). */
  readonly name: string;
  readonly sha256: string;
  readonly size: number;
}

export interface SubmissionRecord {
  readonly id: string;
  readonly modelId: string;
  readonly tokenId: string | null;
  readonly mainFile: string;
  readonly dataset: string;
  readonly status: SubmissionStatus;
  readonly jobId: string | null;
  /** The job recipe its evaluation was queued with (null before it was queued). */
  readonly recipe: string | null;
  readonly error: string | null;
  /** Evaluation attempts started so far. */
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NewSubmission {
  readonly model: NewModel;
  readonly files: readonly StoredFile[];
  readonly mainFile: string;
  readonly dataset: string;
  readonly tokenId?: string;
}

interface SubmissionRow {
  id: string;
  model_id: string;
  token_id: string | null;
  main_file: string;
  dataset: string;
  status: string;
  job_id: string | null;
  recipe: string | null;
  error: string | null;
  attempts: number | string;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'id, model_id, token_id, main_file, dataset, status, job_id, recipe, error, attempts, created_at, updated_at';

/** Records the files, the model and a 'queued' submission in one transaction. */
export async function createSubmission(sql: Sql, s: NewSubmission): Promise<{ submission: SubmissionRecord; model: ModelRecord }> {
  return sql.transaction(async (tx) => {
    const model = await createModel(tx, s.model);
    const submission = await insertSubmission(tx, { ...s, modelId: model.id, status: 'queued' });
    return { submission, model };
  });
}

/**
 * Records the checkpoint of a model that was evaluated outside the upload flow (a demo baseline) as a 'done'
 * submission without a token, so that human rating can sample it like an upload. Idempotent: a done submission of
 * the model with the same main file content is returned as it is.
 *
 * @example
 * await recordCheckpoint(sql, { modelId, files: [{ name: 'g.onnx', sha256, size }, manifestFile], mainFile: 'g.onnx', dataset: 'mnist' });
 */
export async function recordCheckpoint(sql: Sql, c: { modelId: string; files: readonly StoredFile[]; mainFile: string; dataset: string }): Promise<SubmissionRecord> {
  const main = c.files.find((f) => f.name === c.mainFile);
  if (main === undefined) throw new Error(`internal: recordCheckpoint: main file ${c.mainFile} is not among the files`);
  return sql.transaction(async (tx) => {
    for (const s of await listSubmissions(tx, { modelId: c.modelId, status: ['done'] })) {
      if ((await submissionFiles(tx, s.id)).some((f) => f.name === c.mainFile && f.sha256 === main.sha256)) return s;
    }
    return insertSubmission(tx, { ...c, status: 'done' });
  });
}

async function insertSubmission(tx: Sql, s: { modelId: string; files: readonly StoredFile[]; mainFile: string; dataset: string; tokenId?: string; status: SubmissionStatus }): Promise<SubmissionRecord> {
  const now = new Date().toISOString();
  for (const f of s.files) {
    await tx.run('INSERT INTO files (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING', [f.sha256, f.size, now]);
  }
  const submission: SubmissionRecord = {
    id: randomUUID(),
    modelId: s.modelId,
    tokenId: s.tokenId ?? null,
    mainFile: s.mainFile,
    dataset: s.dataset,
    status: s.status,
    jobId: null,
    recipe: null,
    error: null,
    attempts: 0,
    createdAt: now,
    updatedAt: now,
  };
  await tx.run(`INSERT INTO submissions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    submission.id,
    submission.modelId,
    submission.tokenId,
    submission.mainFile,
    submission.dataset,
    submission.status,
    null,
    null,
    null,
    0,
    now,
    now,
  ]);
  for (const f of s.files) await tx.run('INSERT INTO submission_files (submission_id, name, sha256) VALUES (?, ?, ?)', [submission.id, f.name, f.sha256]);
  return submission;
}

export async function getSubmission(sql: Sql, id: string): Promise<SubmissionRecord | undefined> {
  const row = await sql.get<SubmissionRow>(`SELECT ${COLUMNS} FROM submissions WHERE id = ?`, [id]);
  return row === undefined ? undefined : fromRow(row);
}

export async function listSubmissions(sql: Sql, opts: { status?: readonly SubmissionStatus[]; modelId?: string } = {}): Promise<SubmissionRecord[]> {
  const where: string[] = [];
  const params: string[] = [];
  if (opts.status !== undefined) {
    if (opts.status.length === 0) return [];
    where.push(`status IN (${opts.status.map(() => '?').join(', ')})`);
    params.push(...opts.status);
  }
  if (opts.modelId !== undefined) {
    where.push('model_id = ?');
    params.push(opts.modelId);
  }
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return (await sql.all<SubmissionRow>(`SELECT ${COLUMNS} FROM submissions${clause} ORDER BY created_at, id`, params)).map(fromRow);
}

/** Moves a submission to `status`; `error` is kept for 'failed' and cleared otherwise. */
export async function setSubmissionStatus(sql: Sql, id: string, status: SubmissionStatus, opts: { error?: string; jobId?: string } = {}): Promise<void> {
  const error = status === 'failed' ? (opts.error ?? 'evaluation failed') : null;
  await sql.run('UPDATE submissions SET status = ?, error = ?, job_id = COALESCE(?, job_id), updated_at = ? WHERE id = ?', [
    status,
    error,
    opts.jobId ?? null,
    new Date().toISOString(),
    id,
  ]);
}

/**
 * Starts an evaluation attempt: counts it and moves the submission to 'running' in one statement (the previous
 * attempt's error is kept until the outcome is known); returns the attempts started so far, this one included.
 */
export async function startAttempt(sql: Sql, id: string): Promise<number> {
  await sql.run("UPDATE submissions SET attempts = attempts + 1, status = 'running', updated_at = ? WHERE id = ?", [new Date().toISOString(), id]);
  const row = await sql.get<{ attempts: number | string }>('SELECT attempts FROM submissions WHERE id = ?', [id]);
  return Number(row?.attempts ?? 0);
}

/**
 * Ends an attempt without a result: back to 'queued' with the attempt's one-line `error`; `uncount` takes the
 * attempt back (it was stopped by the server shutting down, not by the model).
 */
export async function endAttempt(sql: Sql, id: string, opts: { error?: string; uncount?: boolean } = {}): Promise<void> {
  const minus = opts.uncount === true ? 1 : 0;
  await sql.run("UPDATE submissions SET status = 'queued', error = COALESCE(?, error), attempts = CASE WHEN attempts >= ? THEN attempts - ? ELSE 0 END, updated_at = ? WHERE id = ?", [
    opts.error ?? null,
    minus,
    minus,
    new Date().toISOString(),
    id,
  ]);
}

/** Records the queue's job id of a submission (status unchanged). */
/** Records the queued job's id and the recipe it carries (resumePending re-queues that recipe). */
export async function setSubmissionJob(sql: Sql, id: string, jobId: string, recipe: string): Promise<void> {
  await sql.run('UPDATE submissions SET job_id = ?, recipe = ?, updated_at = ? WHERE id = ?', [jobId, recipe, new Date().toISOString(), id]);
}

/** The files of a submission by upload name. */
export async function submissionFiles(sql: Sql, id: string): Promise<StoredFile[]> {
  const rows = await sql.all<{ name: string; sha256: string; size: number | string }>(
    'SELECT sf.name AS name, sf.sha256 AS sha256, f.size AS size FROM submission_files sf JOIN files f ON f.sha256 = sf.sha256 WHERE sf.submission_id = ? ORDER BY sf.name',
    [id],
  );
  return rows.map((r) => ({ name: r.name, sha256: r.sha256, size: Number(r.size) })); // BIGINT comes back as text from pg
}

/**
 * An earlier submission of exactly these files (same names and sha256s, the manifest included) on `dataset`, if any:
 * an identical upload is not stored or evaluated twice.
 */
export async function findIdenticalSubmission(sql: Sql, files: readonly { name: string; sha256: string }[], dataset: string): Promise<SubmissionRecord | undefined> {
  const first = files[0];
  if (first === undefined) return undefined;
  const want = files.map((f) => `${f.name}\u0000${f.sha256}`).sort().join('\n');
  const rows = await sql.all<SubmissionRow>(
    `SELECT ${COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')} FROM submissions s JOIN submission_files f ON f.submission_id = s.id
     WHERE f.name = ? AND f.sha256 = ? AND s.dataset = ? ORDER BY s.created_at, s.id`,
    [first.name, first.sha256, dataset],
  );
  for (const r of rows) {
    const have = (await submissionFiles(sql, r.id)).map((f) => `${f.name}\u0000${f.sha256}`).sort().join('\n');
    if (have === want) return fromRow(r);
  }
  return undefined;
}

/** The blobs of a submission that no submission still in use (queued, running or done), grid, panel or curve shares. */
export async function unsharedFiles(sql: Sql, submissionId: string): Promise<string[]> {
  const rows = await sql.all<{ sha256: string }>(
    `SELECT DISTINCT sf.sha256 AS sha256 FROM submission_files sf WHERE sf.submission_id = ? AND NOT EXISTS (
       SELECT 1 FROM submission_files o JOIN submissions s ON s.id = o.submission_id
       WHERE o.sha256 = sf.sha256 AND o.submission_id <> sf.submission_id AND s.status <> 'failed')
     AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.grid_sha256 = sf.sha256 OR e.nn_sha256 = sf.sha256)
     AND NOT EXISTS (SELECT 1 FROM models m WHERE m.curve_sha256 = sf.sha256)`,
    [submissionId],
  );
  return rows.map((r) => r.sha256);
}

function fromRow(r: SubmissionRow): SubmissionRecord {
  return {
    id: r.id,
    modelId: r.model_id,
    tokenId: r.token_id,
    mainFile: r.main_file,
    dataset: r.dataset,
    status: r.status as SubmissionStatus,
    jobId: r.job_id,
    recipe: r.recipe,
    error: r.error,
    attempts: Number(r.attempts),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
