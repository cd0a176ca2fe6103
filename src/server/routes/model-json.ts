import type { Report } from '../../io/report.js';
import type { EvaluationRecord } from '../../store/evaluations.js';
import type { ModelRecord } from '../../store/models.js';
import type { SubmissionRecord } from '../../store/submissions.js';
import { scrubPaths } from '../public-report.js';

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
    submissions: subs.map((s) => ({ id: s.id, status: s.status, error: s.error === null ? null : scrubPaths(s.error), createdAt: s.createdAt, links: { status: `/api/submissions/${s.id}` } })),
  };
}

/** Report metric entries of the memorisation checks (`evaluate` with a training split, src/memorization/output.ts). */
export const MEMORISATION_METRICS = ['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct'] as const;

/**
 * The memorisation verdict of a report: from a `memorisation` / `memorization` section (an object with a `verdict`
 * string or a boolean `copying` / `memorised`), else from the check entries in `report.metrics` (`copy_rate`,
 * `closer_to_train_share`, `mifid_term`, `ct`, each with a boolean `copying`: copying when any says so, details
 * the four values and the training split); undefined when it has neither. With both (genbench's own reports), the
 * section's verdict and the entries' details, the section's fields added.
 *
 * @example
 * memorisationOf(report)?.verdict; // 'no memorisation detected'
 */
export function memorisationOf(report: Report): { verdict: string; details: unknown } | undefined {
  const section = memorisationSection(report);
  const checks = memorisationMetrics(report);
  if (section === undefined || checks === undefined) return section ?? checks;
  return { verdict: section.verdict, details: { ...(checks.details as Record<string, unknown>), ...(section.details as Record<string, unknown>) } };
}

function memorisationSection(report: Report): { verdict: string; details: unknown } | undefined {
  const r = report as unknown as Record<string, unknown>;
  const m = (r['memorisation'] ?? r['memorization']) as Record<string, unknown> | undefined;
  if (m === undefined || m === null || typeof m !== 'object') return undefined;
  const flag = m['copying'] ?? m['memorised'] ?? m['memorized'];
  const verdict = typeof m['verdict'] === 'string' ? m['verdict'] : typeof flag === 'boolean' ? (flag ? COPYING : 'no memorisation detected') : 'see details';
  return { verdict, details: m };
}

const COPYING = 'copies training images';

function memorisationMetrics(report: Report): { verdict: string; details: unknown } | undefined {
  const metrics = (report.metrics ?? {}) as Record<string, unknown>;
  const entries: Array<[string, Record<string, unknown>]> = [];
  for (const k of MEMORISATION_METRICS) {
    const v = metrics[k] as Record<string, unknown> | null | undefined;
    if (v !== null && typeof v === 'object' && typeof v['copying'] === 'boolean') entries.push([k, v]);
  }
  if (entries.length === 0) return undefined;
  const copying = entries.some(([, v]) => v['copying'] === true);
  const params = (report.recipe?.params ?? {}) as Record<string, unknown>;
  const mem = params['memorization'];
  const details = {
    ...Object.fromEntries(entries.map(([k, v]) => [k, { value: v['value'] ?? null, copying: v['copying'] }])),
    ...(mem === undefined ? {} : { recipe: mem }),
  };
  return { verdict: copying ? COPYING : 'no memorisation detected', details };
}
