import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson } from '../io/canonical-json.js';
import type { Report } from '../io/report.js';
import { MEMORIZATION_CHECKS } from '../memorization/verdict.js';
import type { Sql } from './sql.js';

/**
 * Evaluation reports (genbench.report/v1) per model and recipe. `verified` means this server computed the report
 * from the uploaded checkpoint; a report uploaded with a model is 'self-reported'. One row per (model, recipe key):
 * storing again replaces it. The report is kept whole as JSON; dataset, extractor, sample count and protocol key
 * (protocolKey) are copied out for grouping.
 *
 * @example
 * await putEvaluation(sql, { modelId, report, verified: true, gridSha256 });
 * (await listEvaluations(sql, { dataset: 'mnist' }))[0]?.report.metrics['fd']?.value; // 38.7
 */
export interface EvaluationRecord {
  readonly id: string;
  readonly modelId: string;
  readonly submissionId: string | null;
  readonly dataset: string;
  readonly extractor: string;
  readonly recipeKey: string;
  /** What makes two evaluations comparable on one board (protocolKey). */
  readonly protocolKey: string;
  readonly verified: boolean;
  readonly nGenerated: number;
  readonly report: Report;
  readonly gridSha256: string | null;
  readonly nnSha256: string | null;
  readonly createdAt: string;
}

export interface NewEvaluation {
  readonly modelId: string;
  readonly submissionId?: string;
  readonly report: Report;
  readonly verified: boolean;
  readonly gridSha256?: string;
  readonly nnSha256?: string;
}

interface EvaluationRow {
  id: string;
  model_id: string;
  submission_id: string | null;
  dataset: string;
  extractor: string;
  recipe_key: string;
  protocol_key: string | null;
  verified: number;
  n_generated: number | string;
  report: string;
  grid_sha256: string | null;
  nn_sha256: string | null;
  created_at: string;
}

const COLUMNS = 'id, model_id, submission_id, dataset, extractor, recipe_key, protocol_key, verified, n_generated, report, grid_sha256, nn_sha256, created_at';

/**
 * The recipe key: sha256 of the dataset split and the report's recipe (extractor, weights, preprocessing, n, seeds,
 * metric parameters), so two reports with the same key were computed the same way.
 */
export function recipeKey(report: Report): string {
  return createHash('sha256').update(canonicalJson({ dataset: report.dataset.name, split: report.dataset.split, recipe: report.recipe })).digest('hex');
}

/**
 * The protocol key: sha256 of the dataset, the reference split, n, the reference count and seed, the extractor id and
 * weights sha256, and the metric list and parameters, without the memorisation checks (whether a model names its
 * training rows does not change how it ranks). Evaluations with equal keys share a leaderboard board. KID's
 * parameters enter with `degree: 3, coef0: 1`, the fixed cubic kernel that earlier reports recorded and later ones
 * do not, so stored keys and new evaluations of one protocol still match.
 */
export function protocolKey(report: Report): string {
  const r = report.recipe;
  const checks: readonly string[] = MEMORIZATION_CHECKS;
  const { memorization: _m, ...rest } = r.params;
  const params = rest['kid'] === undefined ? rest : { ...rest, kid: { ...rest['kid'], degree: 3, coef0: 1 } };
  return createHash('sha256')
    .update(canonicalJson({
      dataset: report.dataset.name,
      split: r.reference?.split ?? report.dataset.split,
      n: r.n.generated,
      reference: { count: r.reference?.count ?? r.n.reference, seed: r.reference?.seed ?? null },
      extractor: { id: r.extractor.id, weights: r.extractor.weightsSha256 },
      metrics: r.metrics.filter((id) => !checks.includes(id)),
      params,
    }))
    .digest('hex');
}

/** Stores a report, replacing the previous one of the same model and recipe. */
export async function putEvaluation(sql: Sql, e: NewEvaluation): Promise<EvaluationRecord> {
  const record: EvaluationRecord = {
    id: randomUUID(),
    modelId: e.modelId,
    submissionId: e.submissionId ?? null,
    dataset: e.report.dataset.name,
    extractor: e.report.recipe.extractor.id,
    recipeKey: recipeKey(e.report),
    protocolKey: protocolKey(e.report),
    verified: e.verified,
    nGenerated: e.report.recipe.n.generated,
    report: e.report,
    gridSha256: e.gridSha256 ?? null,
    nnSha256: e.nnSha256 ?? null,
    createdAt: new Date().toISOString(),
  };
  await sql.run(
    `INSERT INTO evaluations (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (model_id, recipe_key) DO UPDATE SET protocol_key = excluded.protocol_key, submission_id = excluded.submission_id, verified = excluded.verified,
       report = excluded.report, grid_sha256 = excluded.grid_sha256, nn_sha256 = excluded.nn_sha256, created_at = excluded.created_at`,
    [
      record.id,
      record.modelId,
      record.submissionId,
      record.dataset,
      record.extractor,
      record.recipeKey,
      record.protocolKey,
      record.verified ? 1 : 0,
      record.nGenerated,
      JSON.stringify(record.report),
      record.gridSha256,
      record.nnSha256,
      record.createdAt,
    ],
  );
  const stored = await sql.get<EvaluationRow>(`SELECT ${COLUMNS} FROM evaluations WHERE model_id = ? AND recipe_key = ?`, [record.modelId, record.recipeKey]);
  return fromRow(stored!);
}

/** Evaluations, oldest first, optionally of one dataset, extractor or model. */
export async function listEvaluations(sql: Sql, opts: { dataset?: string; extractor?: string; modelId?: string } = {}): Promise<EvaluationRecord[]> {
  const where: string[] = [];
  const params: string[] = [];
  for (const [col, v] of [['dataset', opts.dataset], ['extractor', opts.extractor], ['model_id', opts.modelId]] as const) {
    if (v === undefined) continue;
    where.push(`${col} = ?`);
    params.push(v);
  }
  const clause = where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
  return (await sql.all<EvaluationRow>(`SELECT ${COLUMNS} FROM evaluations${clause} ORDER BY created_at, id`, params)).map(fromRow);
}

/**
 * Removes the self-reported evaluations a submission came with (its verification failed: its own numbers are not
 * shown any more); returns how many.
 */
export async function dropSelfReported(sql: Sql, submissionId: string): Promise<number> {
  return (await sql.run('DELETE FROM evaluations WHERE submission_id = ? AND verified = 0', [submissionId])).changes;
}

/**
 * Migration body: adds `protocol_key` to every stored evaluation (computed from its report), for SQLite and
 * PostgreSQL alike (portable ALTER and UPDATE statements).
 */
export async function addProtocolKeys(sql: Sql): Promise<void> {
  await sql.exec('ALTER TABLE evaluations ADD COLUMN protocol_key TEXT');
  for (const row of await sql.all<{ id: string; report: string }>('SELECT id, report FROM evaluations')) {
    await sql.run('UPDATE evaluations SET protocol_key = ? WHERE id = ?', [protocolKey(JSON.parse(row.report) as Report), row.id]);
  }
  await sql.exec('CREATE INDEX evaluations_protocol ON evaluations (dataset, protocol_key)');
}

export async function getEvaluation(sql: Sql, id: string): Promise<EvaluationRecord | undefined> {
  const row = await sql.get<EvaluationRow>(`SELECT ${COLUMNS} FROM evaluations WHERE id = ?`, [id]);
  return row === undefined ? undefined : fromRow(row);
}

function fromRow(r: EvaluationRow): EvaluationRecord {
  const report = JSON.parse(r.report) as Report;
  return {
    id: r.id,
    modelId: r.model_id,
    submissionId: r.submission_id,
    dataset: r.dataset,
    extractor: r.extractor,
    recipeKey: r.recipe_key,
    protocolKey: r.protocol_key ?? protocolKey(report),
    verified: Number(r.verified) === 1,
    nGenerated: Number(r.n_generated),
    report,
    gridSha256: r.grid_sha256,
    nnSha256: r.nn_sha256,
    createdAt: r.created_at,
  };
}
