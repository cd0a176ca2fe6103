import { z } from 'zod';
import { html, jsonScript, page, raw, type SafeHtml } from '../io/html.js';
import { storedManifest } from '../store/models.js';
import type { Sql } from '../store/sql.js';
import type { DEFAULT_STAIRCASE, TIME_PRESENTATION } from './protocol.js';
import type { ModelHumanScore } from './scores.js';
import type { RaterState } from './service.js';

/**
 * Server-rendered HTML of /rate and /rate/scores. Every value goes through the escaping `html` template; data for
 * /static/rate.js goes into a JSON data island (no inline script, CSP 'self').
 */

/** A model that can be rated: one with a finished evaluation of a stored checkpoint. */
export interface RatableModel {
  readonly id: string;
  readonly name: string;
  /** A generator's dataset (its manifest's `dataset`). */
  readonly dataset: string | null;
  /** A translator's task (its manifest's `task`, kind translator): it is rated against the task's targets. */
  readonly task: string | null;
}

/** The manifest fields that tell a translator and its task. */
const TranslatorFields = z.looseObject({ kind: z.string().optional(), task: z.string().optional() });

/**
 * Models with a submission whose evaluation finished, oldest first.
 *
 * @example
 * await ratableModels(sql); // [{ id: '3f1c...', name: 'mnist-dcgan', dataset: 'mnist', task: null }, { ..., dataset: null, task: 'pneumonia-sr2' }]
 */
export async function ratableModels(sql: Sql): Promise<RatableModel[]> {
  const rows = await sql.all<{ id: string; name: string; dataset: string | null; manifest: string }>(
    `SELECT m.id AS id, m.name AS name, m.dataset AS dataset, m.manifest AS manifest FROM models m
     WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.model_id = m.id AND s.status = 'done')
     ORDER BY m.created_at, m.id`,
  );
  return rows.map(({ manifest, ...m }) => {
    const f = TranslatorFields.safeParse(storedManifest(manifest));
    return { ...m, task: f.success && f.data.kind === 'translator' ? (f.data.task ?? null) : null };
  });
}

/** What the model picker shows beside a model's name: '(mnist)', '(task pneumonia-sr2)', or nothing. */
function pickerLabel(m: RatableModel): string {
  if (m.task !== null) return ` (task ${m.task})`;
  return m.dataset === null ? '' : ` (${m.dataset})`;
}

/** What /rate and /api/rate show. */
export interface RateState {
  readonly rater: RaterState | null;
  readonly models: readonly RatableModel[];
  readonly protocol: {
    readonly qualificationTrials: number;
    readonly qualificationAccuracy: number;
    readonly vigilanceRate: number;
    readonly staircase: typeof DEFAULT_STAIRCASE;
    /** How rate.js presents a HYPE-time trial (the server's timing checks assume it). */
    readonly presentation: typeof TIME_PRESENTATION;
    readonly minRaters: number;
  };
}

/** The /rate page: model and protocol pickers, the stage (countdown, image, mask), answer buttons, feedback. */
export function ratePage(state: RateState, preselect: string | undefined): string {
  const pct = Math.round(state.protocol.qualificationAccuracy * 100);
  const options = state.models.map((m) => html`<option value="${m.id}"${raw(m.id === preselect ? ' selected' : '')}>${m.name}${pickerLabel(m)}</option>`);
  const body = html`<link rel="stylesheet" href="/static/rate.css">
<h1>Real or fake?</h1>
<p class="note">Half of the images are real images from the dataset, half come from the model. Answer <b>Real</b>
(key <kbd>R</kbd> or <kbd>←</kbd>) or <b>Fake</b> (key <kbd>F</kbd> or <kbd>→</kbd>). Your first ${state.protocol.qualificationTrials}
answers are a qualification round with feedback: your votes count once you get ${pct}% of the real and ${pct}% of the fake images right.
After that there is no feedback, and a score is shown once ${String(state.protocol.minRaters)} raters count.
Some images are deliberately broken: they are always fake. <b>HYPE∞</b> shows each image until you answer;
<b>HYPE-time</b> shows it briefly (the time adapts to your answers), then a mask.</p>
${state.models.length === 0 ? html`<p id="no-models">No evaluated models to rate yet. <a href="/submit">Submit one</a>.</p>` : ''}
<form id="setup">
<label>Model <select id="model" name="model">${options}</select></label>
<label>Protocol <select id="protocol" name="protocol"><option value="inf">HYPE∞ (no time limit)</option><option value="time">HYPE-time (brief exposure)</option></select></label>
<button type="submit" id="start"${raw(state.models.length === 0 ? ' disabled' : '')}>Start</button>
</form>
<section id="stage" hidden>
<div id="status" aria-live="polite"></div>
<div id="frame"><div id="countdown" hidden></div><img id="image" alt="image to judge" hidden><canvas id="mask" width="28" height="28" hidden></canvas></div>
<div id="answers"><button type="button" id="answer-real" data-answer="real" disabled>Real (R)</button><button type="button" id="answer-fake" data-answer="fake" disabled>Fake (F)</button></div>
<div id="feedback" aria-live="polite"></div>
</section>
<p><a href="/rate/scores">Human scores</a> · JSON: <a href="/api/rate">/api/rate</a>, <a href="/api/rate/scores">/api/rate/scores</a></p>
${jsonScript('rate-state', state)}`;
  return page({ title: 'Rate', body, scripts: ['/static/rate.js'] });
}

/** The /rate/scores page: HYPE∞ and HYPE-time per model with intervals, raters and votes; scores short of `minRaters` listed as waiting. */
export function scoresPage(scores: readonly ModelHumanScore[], models: readonly RatableModel[], minRaters: number): string {
  const names = new Map(models.map((m) => [m.id, m.name]));
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const rows = scores.map(
    (s): SafeHtml => html`<tr data-model="${s.modelId}">
<td>${names.get(s.modelId) ?? s.modelId}</td>
<td>${s.inf === null ? '–' : html`${pct(s.inf.errorRate.estimate)} <span class="ci">[${pct(s.inf.errorRate.lo)}, ${pct(s.inf.errorRate.hi)}]</span>`}</td>
<td>${s.inf === null ? '–' : `${pct(s.inf.fakeError)} / ${pct(s.inf.realError)}`}</td>
<td>${s.time === null ? '–' : html`${s.time.exposureMs.estimate.toFixed(0)} ms <span class="ci">[${s.time.exposureMs.lo.toFixed(0)}, ${s.time.exposureMs.hi.toFixed(0)}]</span>`}</td>
<td>${s.raters}</td><td>${s.votes}</td></tr>`,
  );
  const waiting = (s: ModelHumanScore): string => (s.inf === null ? `HYPE∞ ${s.ratersBy.inf} of ${s.minRaters} raters` : '') + (s.inf === null && s.time === null ? ', ' : '') + (s.time === null ? `HYPE-time ${s.ratersBy.time} of ${s.minRaters}` : '');
  const pending = scores.filter((s) => s.inf === null || s.time === null).map(
    (s): SafeHtml => html`<li data-model="${s.modelId}">${names.get(s.modelId) ?? s.modelId}: ${waiting(s)}</li>`,
  );
  const body = html`<link rel="stylesheet" href="/static/rate.css">
<h1>Human scores</h1>
<p class="note">HYPE∞: human error rate (higher = more realistic; 50% = indistinguishable), 95% bootstrap interval over raters and images;
fake / real: share of fake images called real and of real images called fake. HYPE-time: converged exposure of the
staircase, mean of each rater's modal exposure (higher = more realistic: raters need a longer look to tell the model's
images from real ones; 1000 ms is the ceiling).
Only qualified raters count who failed no vigilance trial and whom screening does not flag (too fast, one-sided,
inverted, or more accurate than the other raters allow); each counts at most a fixed number of images per model.
A score is shown once ${String(minRaters)} raters count.
JSON: <a href="/api/rate/scores">/api/rate/scores</a>.</p>
${pending.length === 0 ? '' : html`<p>Waiting for raters:</p><ul id="pending-scores">${pending}</ul>`}
${scores.length === 0 ? html`<p>No counted votes yet. <a href="/rate">Rate some images</a>.</p>` : html`<table id="human-scores"><thead><tr><th>Model</th><th>HYPE∞ error rate</th><th>fake / real error</th><th>HYPE-time exposure</th><th>Raters</th><th>Votes</th></tr></thead><tbody>${rows}</tbody></table>`}`;
  return page({ title: 'Human scores', body });
}
