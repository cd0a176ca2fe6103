import type { Report } from '../../io/report.js';
import type { EvaluationRecord } from '../../store/evaluations.js';
import type { ModelRecord } from '../../store/models.js';
import type { SubmissionRecord } from '../../store/submissions.js';

/**
 * The JSON twin of a model page (`GET /api/models/:id`): the model, its evaluations newest first with metrics,
 * recipe, memorisation verdict when the report has one, and links to the artefacts; its submissions with status.
 *
 * @example
 * modelJson(model, evaluations, submissions).evaluations[0].links.report; // '/api/evaluations/<id>/report.json'
 */
export function modelJson(m: ModelRecord, evals: readonly EvaluationRecord[], subs: readonly SubmissionRecord[]): Record<string, unknown> {
  return {
    model: { ...m, links: { page: `/models/${m.id}`, ...(m.curveSha256 === null ? {} : { curve: `/api/models/${m.id}/curve.json` }) } },
    evaluations: evals.map((e) => ({
      id: e.id,
      dataset: e.dataset,
      split: e.report.dataset.split,
      extractor: e.extractor,
      verified: e.verified,
      samples: e.nGenerated,
      createdAt: e.createdAt,
      metrics: e.report.metrics,
      recipe: e.report.recipe,
      warnings: e.report.warnings,
      memorisation: memorisationOf(e.report) ?? null,
      links: {
        report: `/api/evaluations/${e.id}/report.json`,
        ...(e.gridSha256 === null ? {} : { grid: `/api/evaluations/${e.id}/grid.png` }),
        ...(e.nnSha256 === null ? {} : { nn: `/api/evaluations/${e.id}/nn.png` }),
      },
    })),
    submissions: subs.map((s) => ({ id: s.id, status: s.status, error: s.error, createdAt: s.createdAt, links: { status: `/api/submissions/${s.id}` } })),
  };
}

/**
 * The memorisation section of a report when it has one (`memorisation` or `memorization`, an object with a
 * `verdict` string or a boolean `copying` / `memorised`); undefined otherwise.
 */
export function memorisationOf(report: Report): { verdict: string; details: unknown } | undefined {
  const r = report as unknown as Record<string, unknown>;
  const m = (r['memorisation'] ?? r['memorization']) as Record<string, unknown> | undefined;
  if (m === undefined || m === null || typeof m !== 'object') return undefined;
  const flag = m['copying'] ?? m['memorised'] ?? m['memorized'];
  const verdict = typeof m['verdict'] === 'string' ? m['verdict'] : typeof flag === 'boolean' ? (flag ? 'memorising (copies training images)' : 'no memorisation detected') : 'see details';
  return { verdict, details: m };
}
