import { Router } from 'express';
import { listEvaluations } from '../../store/evaluations.js';
import { listModels } from '../../store/models.js';
import type { AppDeps } from '../app.js';
import { html, jsonScript, page, type SafeHtml } from '../../io/html.js';
import { loadHumanScores } from '../human.js';
import { serverProtocol, DEFAULT_EVALUATION } from '../evaluate-job.js';
import { buildBoards, type Board, type BoardRow, type MetricCell, type OtherProtocol } from '../leaderboard.js';
import type { ProtocolSummary } from '../protocols.js';
import { officialModels } from '../submitters.js';
import { translationServerProtocol } from '../translation-protocol.js';

/**
 * The leaderboard: `GET /` (HTML: one sortable table per dataset, ranking the evaluations under the server's
 * protocol for it, evaluations under other protocols listed apart below it, then Chart.js charts drawn by
 * /static/leaderboard.js from the JSON data island) and its JSON twin `GET /api/leaderboard`
 * (`{ boards: Board[] }`, see leaderboard.ts). `?dataset=` keeps one dataset. Each table scrolls sideways inside
 * its own container (the page never does, down to a 390 px phone); every column header carries a tooltip and the
 * legend under the table says what each column is and which direction is better; official entries (submitted with
 * an admin token) are badged. Translation boards (one per translation task, after the dataset boards) rank
 * translators by their reports' rank metric; their tables have no memorisation column and count pairs, not samples.
 *
 * @example
 * const { boards } = await (await fetch(`${base}/api/leaderboard`)).json();
 * boards[0].rows[0].modelName; // 'mnist-dcgan'
 */
export function leaderboardRoutes(deps: AppDeps): Router {
  const router = Router();
  const boards = (dataset: unknown) => loadBoards(deps, typeof dataset === 'string' && dataset.length > 0 ? dataset : undefined);
  router.get('/api/leaderboard', async (req, res) => {
    res.json({ boards: await boards(req.query['dataset']), humanScores: deps.humanScores ? 'available' : 'n/a' });
  });
  router.get('/', async (req, res) => {
    const list = await boards(req.query['dataset']);
    res.type('html').send(page({ title: 'Leaderboard', body: leaderboardBody(list, Boolean(deps.humanScores)), scripts: ['/static/chart.js', '/static/leaderboard.js'] }));
  });
  return router;
}

/** The boards of this server (one dataset's, or all), with human scores and official badges. */
export async function loadBoards(deps: AppDeps, dataset?: string): Promise<Board[]> {
  const sql = deps.store.sql;
  const evaluations = await listEvaluations(sql, dataset === undefined ? {} : { dataset });
  const ids = [...new Set(evaluations.map((e) => e.modelId))];
  const [models, human, official] = await Promise.all([listModels(sql, ids), loadHumanScores(deps.humanScores ?? undefined, sql, ids), officialModels(sql, ids)]);
  const settings = deps.evaluation ?? DEFAULT_EVALUATION;
  return buildBoards({ evaluations, models, human, official, protocols: (d) => serverProtocol(settings, d), translations: (t) => translationServerProtocol(settings, t) });
}

function leaderboardBody(boards: readonly Board[], humanAvailable: boolean): SafeHtml {
  const intro = html`<h1>Leaderboard</h1>
<p class="note">Values are point estimates with their 95% bootstrap interval. <b>Rank</b> is a band: 1 + the number of models whose
interval on the board's primary metric lies entirely on the better side, so models with overlapping intervals share a rank.
Every ranked row is <b>verified</b>: evaluated by this server from the uploaded checkpoint. Numbers a submitter
reported with the model are listed apart under <b>Self-reported</b>, never ranked, and removed when the server's own
evaluation fails. Click a column header to sort.</p>`;
  if (boards.length === 0) return html`${intro}<p>No evaluations yet. <a href="/submit">Submit a model</a>.</p>`;
  return html`${intro}${boards.map((b, i) => boardSection(b, i, humanAvailable))}${jsonScript('boards', boards)}`;
}

function boardSection(b: Board, index: number, humanAvailable: boolean): SafeHtml {
  const columns = boardColumns(b, humanAvailable);
  const translation = b.kind === 'translation';
  const protocol = b.protocol === null ? '' : translation ? translationProtocolText(b.protocol, b) : protocolText(b.protocol);
  return html`<section class="board${translation ? ' translation' : ''}" data-board="${index}" data-kind="${b.kind}">
<h2>${translation ? `Translation: ${b.dataset}` : b.dataset}${b.protocol === null ? '' : ` · ${b.extractor}`}</h2>
${b.protocol === null ? html`<p class="note">No evaluation under this server's protocol yet.</p>` : html`<p class="protocol">Protocol: ${protocol}</p>`}
<div class="table-scroll" role="region" aria-label="${b.dataset} leaderboard" tabindex="0">
<table class="sortable board-table">
<thead><tr>${columns.map((c) => html`<th data-type="${c.type}" title="${c.help}" scope="col">${c.abbr ? html`<abbr title="${c.help}">${c.label}</abbr>` : c.label}${c.arrow}</th>`)}</tr></thead>
<tbody>
${b.rows.map((r) => rowHtml(b, r))}
</tbody>
</table>
</div>
<details class="legend" open><summary>What the columns mean</summary>
<p>↓ lower is better · ↑ higher is better · values are point estimates with their [95% interval]</p>
<dl>${columns.filter((c) => c.legend).map((c) => html`<div><dt>${c.label}${c.arrow}</dt><dd>${c.help}</dd></div>`)}</dl>
</details>
${selfReportedSection(b)}
${otherProtocolsSection(b)}
<div class="charts">
<div class="chart"><h3>Metric vs metric</h3><div class="axis-pickers"></div><canvas class="scatter"></canvas></div>
<div class="chart"><h3>Human score vs FD <span class="rho">${b.humanVsFd.rho === null ? `(Spearman ρ: needs 3 models with both, have ${b.humanVsFd.n})` : `(Spearman ρ = ${b.humanVsFd.rho.toFixed(3)}, n = ${b.humanVsFd.n})`}</span></h3><canvas class="human-fd"></canvas></div>
<div class="chart"><h3>${b.primary === null ? 'metric' : metricLabel(b, b.primary)} over submissions, per model</h3><canvas class="history"></canvas></div>
</div>
</section>`;
}

interface Column {
  readonly label: string;
  readonly type: 'number' | 'text';
  /** The header's tooltip and the legend's line: what the column is, and which direction is better. */
  readonly help: string;
  readonly arrow: string;
  /** Shown as an abbreviation (metric ids). */
  readonly abbr: boolean;
  readonly legend: boolean;
}

/** The columns of a board's table, in order, each explaining itself. */
export function boardColumns(b: Board, humanAvailable: boolean): Column[] {
  const col = (label: string, type: Column['type'], help: string, more: Partial<Column> = {}): Column => ({ label, type, help, arrow: '', abbr: false, legend: true, ...more });
  const direction = (id: string) => (b.higherIsBetter[id] === true ? 'higher is better' : b.higherIsBetter[id] === false ? 'lower is better' : 'direction unknown');
  const arrow = (id: string) => (b.higherIsBetter[id] === true ? ' ↑' : b.higherIsBetter[id] === false ? ' ↓' : '');
  const primary = b.primary === null ? 'the primary metric' : metricLabel(b, b.primary);
  const translation = b.kind === 'translation';
  return [
    col('Rank', 'number', `rank band on ${primary}: 1 + the number of models whose 95% interval lies entirely on the better side (overlapping intervals share a rank); lower is better`),
    col('Model', 'text', 'the model and its licence (its page has every evaluation, samples and the recipe); "official": submitted by this server\'s operators', { legend: false }),
    ...b.metrics.map((m) => col(metricLabel(b, m), 'number', `${b.titles[m] ?? m}; ${direction(m)}${m === b.primary ? '; the primary metric (rank bands)' : ''}`, { arrow: arrow(m), abbr: true })),
    col('Human', 'number', `human score: HYPE∞ error rate, the share of this model's images human raters took for real (0.5: they cannot tell); higher is better; shown once enough raters have rated it${humanAvailable ? '' : ' (no human rating on this server)'}`, { arrow: ' ↑' }),
    ...(translation ? [] : [col('Memorisation', 'text', 'memorisation checks (copy_rate, closer_to_train_share, mifid_term, ct) against the training rows the manifest names; * against the whole training split when it names none')]),
    translation ? col('Pairs', 'number', "the task's inputs the translator was scored on (its outputs against the targets)") : col('Samples', 'number', 'generated images the metrics were computed on'),
    col('Recipe', 'text', 'feature extractor; its tooltip gives the weights (sha256 prefix), the preprocessing of the images and the recipe'),
    col('Date', 'text', 'date of the evaluation (UTC)', { legend: false }),
  ];
}

/** A metric's column label: its descriptor's display label (the id for a metric outside the registry). */
function metricLabel(b: Board, m: string): string {
  return b.labels[m] ?? m;
}

function rowHtml(b: Board, r: BoardRow): SafeHtml {
  return html`<tr>
<td data-value="${r.rank ?? ''}">${r.rank ?? '–'}</td>
<td data-value="${r.modelName}" class="model"><a href="/models/${encodeURIComponent(r.modelId)}">${r.modelName}</a>${r.official ? html` <span class="official" title="submitted by this server's operators">official</span>` : ''}${r.kind === 'submission' ? '' : html` <span class="tag">${r.kind}</span>`}<br><span class="licence" title="licence">${r.licence ?? 'licence not given'}</span></td>
${b.metrics.map((m) => metricTd(r.metrics[m]))}
<td data-value="${r.human?.value ?? ''}">${r.human === null ? html`<span class="na">n/a</span>` : cellText(r.human)}</td>
${b.kind === 'translation' ? '' : memorisationTd(r.memorisation, r.memorisationNote)}
<td data-value="${r.samples}">${r.samples}</td>
<td data-value="${r.recipe.extractor}"><span class="badge" title="${r.recipe.extractor} · weights ${r.recipe.weights} · ${r.recipe.preprocessing}; recipe ${r.recipe.key}; split ${r.recipe.split}">${r.recipe.extractor}</span></td>
<td data-value="${r.date}">${r.date.slice(0, 10)}</td>
</tr>`;
}

/** The board's self-reported rows: model, the board's metrics as claimed, date; no rank. */
function selfReportedSection(b: Board): SafeHtml | string {
  if (b.selfReported.length === 0) return '';
  return html`<details class="self-reported" open><summary>Self-reported, not verified by this server (${b.selfReported.length}; not ranked)</summary>
<div class="table-scroll"><table>
<thead><tr><th>Model</th>${b.metrics.map((m) => html`<th>${metricLabel(b, m)}</th>`)}<th>Samples</th><th>Date</th></tr></thead>
<tbody>
${b.selfReported.map(
  (r) => html`<tr><td><a href="/models/${encodeURIComponent(r.modelId)}">${r.modelName}</a></td>${b.metrics.map((m) => metricTd(r.metrics[m]))}<td>${r.samples}</td><td>${r.date.slice(0, 10)}</td></tr>`,
)}
</tbody>
</table></div>
</details>`;
}

/** 'reference test~0[8000:] (2000, seed 0) · n 2000 · classifier:mnist (1a2b3c4d5e6f)' */
function protocolText(p: ProtocolSummary): string {
  return `reference ${p.split} (${p.reference}${p.referenceSeed === null ? '' : `, seed ${p.referenceSeed}`}) · n ${p.n} · ${p.extractor} (${p.weights})`;
}

/** 'test (468 pairs) · ranked by SSIM · features classifier:pneumoniamnist (1a2b3c4d5e6f)'; unpaired: sources -> targets. */
function translationProtocolText(p: ProtocolSummary, b: Board): string {
  const count = p.n === p.reference ? `${p.n} pairs` : `${p.n} source -> ${p.reference} target images`;
  const features = p.extractor === 'none' ? 'no features' : `features ${p.extractor} (${p.weights})`;
  return `${p.split} (${count}) · ranked by ${b.primary === null ? 'n/a' : metricLabel(b, b.primary)} · ${features}`;
}

/** Evaluations under other protocols than the board's: one table per protocol, not ranked. */
function otherProtocolsSection(b: Board): SafeHtml | string {
  if (b.otherProtocols.length === 0) return '';
  const translation = b.kind === 'translation';
  const group = (o: OtherProtocol) => html`<h4>${protocolText(o.protocol)}</h4>
<div class="table-scroll"><table>
<thead><tr><th>Model</th>${b.metrics.map((m) => html`<th>${metricLabel(b, m)}</th>`)}${translation ? '' : html`<th>Memorisation</th>`}<th>${translation ? 'Pairs' : 'Samples'}</th><th>Date</th></tr></thead>
<tbody>
${o.rows.map((r) => html`<tr><td><a href="/models/${encodeURIComponent(r.modelId)}">${r.modelName}</a></td>${b.metrics.map((m) => metricTd(r.metrics[m]))}${translation ? '' : memorisationTd(r.memorisation, r.memorisationNote)}<td>${r.samples}</td><td>${r.date.slice(0, 10)}</td></tr>`)}
</tbody>
</table></div>`;
  return html`<details class="other-protocols"><summary>Other protocols (${b.otherProtocols.length}; not ranked, not comparable with the board)</summary>
${b.otherProtocols.map(group)}
</details>`;
}

/**
 * 'copying: copy_rate, ct' (red) or 'no copying', the whole verdict line as the tooltip (with the note when the
 * checks ran against the whole training split, marked '*'); 'not checked' without the checks.
 */
function memorisationTd(verdict: string | null, note: string | null = null): SafeHtml {
  if (verdict === null) return html`<td data-value="not checked" title="memorisation not checked"><span class="na">not checked</span></td>`;
  const copying = /^memorisation: COPYING flagged by (.*?)(;|$)/.exec(verdict);
  const text = copying ? `copying: ${copying[1]}` : 'no copying';
  const caveat = verdict.includes('looks shifted') ? ' (held-out split shifted)' : '';
  return html`<td data-value="${text}" title="${note === null ? verdict : `${verdict}; ${note}`}"><span class="${copying ? 'copying' : 'no-copying'}">${text}${caveat}${note === null ? '' : ' *'}</span></td>`;
}

function metricTd(c: MetricCell | undefined): SafeHtml {
  if (c === undefined || c.value === null) return html`<td data-value="">–</td>`;
  return html`<td data-value="${c.value}">${cellText(c as { value: number; ci95?: readonly [number, number] })}</td>`;
}

export function cellText(c: { value: number; ci95?: readonly [number, number] | undefined }): SafeHtml {
  return html`${fmt(c.value)}${c.ci95 ? html` <span class="ci">[${fmt(c.ci95[0])}, ${fmt(c.ci95[1])}]</span>` : ''}`;
}

export function fmt(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? v.toExponential(2) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}
