import { Router, type Response } from 'express';
import { isSha256 } from '../../store/blobs.js';
import { getEvaluation, listEvaluations, type EvaluationRecord } from '../../store/evaluations.js';
import { getModel, type ModelRecord } from '../../store/models.js';
import { listSubmissions } from '../../store/submissions.js';
import type { AppDeps } from '../app.js';
import { HttpError } from '../../errors.js';
import { html, jsonScript, page, type SafeHtml } from '../../io/html.js';
import { cellText, fmt } from './leaderboard.js';
import { memorisationOf, modelJson } from './model-json.js';
import { publicReport, scrubDeep } from '../public-report.js';
import { modelStanding, standingHtml, type Standing } from '../standing.js';

/**
 * Model pages: `GET /models/:id` (HTML) and `GET /api/models/:id` (JSON: model, evaluations with metrics and recipe,
 * submissions, and `standing`: rank per board, human score, official, the link to rate it; standing.ts). Reports
 * and manifests are shown without server paths (public-report.ts). Artefacts by evaluation: `/api/evaluations/:id/report.json` (download), `/grid.png` (sample grid; a translator's input | output | target grid),
 * `/nn.png` (nearest-neighbour panel); `/api/models/:id/curve.json` (training curve of a reference model).
 *
 * @example
 * const m = await (await fetch(`${base}/api/models/${id}`)).json();
 * m.evaluations[0].metrics.fd.value; // 38.7
 */
export function modelRoutes(deps: AppDeps): Router {
  const router = Router();
  const { sql, blobs } = deps.store;
  const load = async (id: string): Promise<{ model: ModelRecord; evaluations: EvaluationRecord[] }> => {
    const model = await getModel(sql, id);
    if (model === undefined) throw new HttpError(404, 'NOT_FOUND', `model '${id}' not found; see the leaderboard for model links`);
    const evaluations = (await listEvaluations(sql, { modelId: id })).reverse();
    return { model: { ...model, manifest: scrubDeep(model.manifest) }, evaluations: evaluations.map(shown) };
  };
  const evaluation = async (id: string): Promise<EvaluationRecord> => {
    const e = await getEvaluation(sql, id);
    if (e === undefined) throw new HttpError(404, 'NOT_FOUND', `evaluation '${id}' not found`);
    return shown(e);
  };
  const sendBlob = async (res: Response, sha: string | null, type: string, what: string) => {
    if (!isSha256(sha)) throw new HttpError(404, 'NOT_FOUND', `no ${what} stored for this evaluation`);
    res.type(type).sendFile(await blobs.localPath(sha), { maxAge: '1d', immutable: true });
  };

  router.get('/api/models/:id', async (req, res) => {
    const { model, evaluations } = await load(req.params.id);
    const [subs, standing] = await Promise.all([listSubmissions(sql, { modelId: model.id }), modelStanding(deps, model.id, evaluations)]);
    res.json({ ...modelJson(model, evaluations, subs), standing });
  });
  router.get('/api/models/:id/curve.json', async (req, res) => {
    const { model } = await load(req.params.id);
    if (!isSha256(model.curveSha256)) throw new HttpError(404, 'NOT_FOUND', `model '${model.name}' has no training curve (only reference models do)`);
    res.type('json').sendFile(await blobs.localPath(model.curveSha256));
  });
  router.get('/api/evaluations/:id/report.json', async (req, res) => {
    const e = await evaluation(req.params.id);
    res.attachment(`genbench-report-${e.id}.json`).type('json').send(`${JSON.stringify(e.report, null, 2)}\n`);
  });
  router.get('/api/evaluations/:id/grid.png', async (req, res) => sendBlob(res, (await evaluation(req.params.id)).gridSha256, 'png', 'sample grid'));
  router.get('/api/evaluations/:id/nn.png', async (req, res) => sendBlob(res, (await evaluation(req.params.id)).nnSha256, 'png', 'nearest-neighbour panel'));
  router.get('/models/:id', async (req, res) => {
    const { model, evaluations } = await load(req.params.id);
    const standing = await modelStanding(deps, model.id, evaluations);
    res.type('html').send(page({ title: model.name, body: modelBody(model, evaluations, standing), scripts: ['/static/chart.js', '/static/model.js'] }));
  });
  return router;
}

function modelBody(m: ModelRecord, evals: readonly EvaluationRecord[], standing: Standing): SafeHtml {
  return html`<h1>${m.name}</h1>
${standingHtml(standing)}
<p>${m.kind} · ${m.format} · licence ${m.licence ?? 'not given'} · dataset ${m.dataset ?? 'not given'} · added ${m.createdAt.slice(0, 10)}</p>
${m.curveSha256 === null ? '' : html`<section><h2>Training curves</h2><canvas id="curve" data-src="/api/models/${encodeURIComponent(m.id)}/curve.json"></canvas></section>`}
${evals.length === 0 ? html`<p>No evaluation yet.</p>` : evals.map(evaluationSection)}
<details><summary>Manifest</summary><pre>${JSON.stringify(m.manifest, null, 2)}</pre></details>
${jsonScript('model', { id: m.id, curve: m.curveSha256 !== null })}`;
}

function evaluationSection(e: EvaluationRecord): SafeHtml {
  const id = encodeURIComponent(e.id);
  const mem = memorisationOf(e.report);
  const mode = translationMode(e.report.recipe.params);
  const what = mode === undefined ? `${e.nGenerated} samples against ${e.report.dataset.split} (${e.report.dataset.count} images)` : mode === 'paired' ? `translation task ${e.dataset}: ${e.nGenerated} pairs of ${e.report.dataset.split}` : `translation task ${e.dataset}: ${e.nGenerated} source images of ${e.report.dataset.split} against ${e.report.recipe.n.reference} target images`;
  const grid = mode === undefined ? { alt: 'sample grid', caption: 'samples' } : mode === 'paired' ? { alt: 'triplet grid: input, output, target', caption: 'input | output | target' } : { alt: 'translation grid: input, output', caption: 'input | output' };
  return html`<section class="evaluation">
<h2>${e.dataset} · ${e.extractor} <span class="${e.verified ? 'verified' : 'self'}">${e.verified ? 'verified' : 'self-reported'}</span></h2>
<p>${what} · ${e.createdAt.slice(0, 19).replace('T', ' ')} UTC ·
<a href="/api/evaluations/${id}/report.json" download>report JSON</a></p>
<div class="panels">
${e.gridSha256 === null ? '' : html`<figure><img src="/api/evaluations/${id}/grid.png" alt="${grid.alt}" width="280"><figcaption>${grid.caption}</figcaption></figure>`}
${e.nnSha256 === null ? '' : html`<figure><img src="/api/evaluations/${id}/nn.png" alt="nearest neighbours" width="280"><figcaption>nearest training neighbours</figcaption></figure>`}
</div>
${mem === undefined ? '' : html`<p class="memorisation">Memorisation: <b>${mem.verdict}</b></p><details><summary>memorisation details</summary><pre>${JSON.stringify(mem.details, null, 2)}</pre></details>`}
<table><thead><tr><th>metric</th><th>value [95% interval]</th><th>std</th></tr></thead><tbody>
${Object.entries(e.report.metrics).map(([k, v]) => html`<tr><td>${k}</td><td>${v.value === null ? '–' : cellText({ value: v.value, ci95: v.ci95 })}</td><td>${v.std === undefined ? '' : fmt(v.std)}</td></tr>`)}
</tbody></table>
${e.report.warnings.length === 0 ? '' : html`<ul class="warnings">${e.report.warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
<details><summary>Recipe</summary><pre>${JSON.stringify(e.report.recipe, null, 2)}</pre></details>
</section>`;
}

/** 'paired' or 'unpaired' for a translator's report (recipe.params.translation.mode), undefined for a generator's. */
function translationMode(params: Record<string, Record<string, unknown>>): 'paired' | 'unpaired' | undefined {
  const mode = params['translation']?.['mode'];
  return mode === 'paired' || mode === 'unpaired' ? mode : undefined;
}

/** An evaluation as the public sees it: its report without server paths (public-report.ts). */
function shown(e: EvaluationRecord): EvaluationRecord {
  return { ...e, report: publicReport(e.report) };
}
