import type { Report } from '../io/report.js';
import { putEvaluation, type EvaluationRecord } from './evaluations.js';
import { createModel, findModelsByName, type ModelKind, type ModelRecord } from './models.js';
import type { Store } from './index.js';

/**
 * Puts a model evaluated outside the submission flow on the leaderboard: a reference model trained by genbench or a
 * built-in baseline (e.g. by `genbench demo`), with its report, sample grid and training curve stored as blobs.
 * The model row is reused when one of that name and kind exists, so re-running the demo updates rather than
 * duplicates. `verified` says whether this machine computed the report (true for the demo).
 *
 * @example
 * await registerEvaluatedModel(store, { name: 'dcgan-mnist', kind: 'reference', manifest, report, verified: true,
 *   gridPath: 'runs/dcgan/grid.png', curvePath: 'runs/dcgan/loss-curve.json' });
 */
export interface EvaluatedModel {
  readonly name: string;
  readonly kind: Exclude<ModelKind, 'submission'>;
  readonly format?: string;
  readonly manifest: Record<string, unknown>;
  readonly report: Report;
  readonly verified: boolean;
  readonly gridPath?: string;
  readonly nnPath?: string;
  readonly curvePath?: string;
}

export async function registerEvaluatedModel(store: Store, m: EvaluatedModel): Promise<{ model: ModelRecord; evaluation: EvaluationRecord }> {
  const keep = { keep: true };
  const curve = m.curvePath === undefined ? undefined : await store.blobs.putFile(m.curvePath, keep);
  const grid = m.gridPath === undefined ? undefined : await store.blobs.putFile(m.gridPath, keep);
  const nn = m.nnPath === undefined ? undefined : await store.blobs.putFile(m.nnPath, keep);
  const existing = (await findModelsByName(store.sql, m.name)).find((x) => x.kind === m.kind);
  let model = existing;
  if (model === undefined) {
    model = await createModel(store.sql, { name: m.name, kind: m.kind, format: m.format ?? m.report.model.format, manifest: m.manifest, ...(curve ? { curveSha256: curve.sha256 } : {}) });
  } else if (curve !== undefined) {
    await store.sql.run('UPDATE models SET curve_sha256 = ? WHERE id = ?', [curve.sha256, model.id]);
    model = { ...model, curveSha256: curve.sha256 };
  }
  const now = new Date().toISOString();
  for (const b of [curve, grid, nn]) {
    if (b !== undefined) await store.sql.run('INSERT INTO files (sha256, size, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256) DO NOTHING', [b.sha256, b.size, now]);
  }
  const evaluation = await putEvaluation(store.sql, {
    modelId: model.id,
    report: m.report,
    verified: m.verified,
    ...(grid ? { gridSha256: grid.sha256 } : {}),
    ...(nn ? { nnSha256: nn.sha256 } : {}),
  });
  return { model, evaluation };
}
