import type { EvaluationRecord } from '../store/evaluations.js';
import type { AppDeps } from './app.js';
import { html, type SafeHtml } from '../io/html.js';
import { loadHumanScores, type HumanScore } from './human.js';
import { cellText, loadBoards } from './routes/leaderboard.js';
import { officialModels } from './submitters.js';

/**
 * Where a model stands, for its page and its JSON: its rank band on the board of each dataset it was evaluated on
 * (or why it has none there), its human score, whether it is official, and the link to rate it.
 *
 * @example
 * const s = await modelStanding(deps, model.id, evaluations);
 * s.ranks[0]; // { dataset: 'mnist', rank: 2, of: 5, primary: 'fd', note: null }
 * s.links.rate; // '/rate?model=<id>'
 */
export interface Standing {
  readonly official: boolean;
  /** One entry per dataset the model was evaluated on; rank null with a note when the board does not rank it. */
  readonly ranks: ReadonlyArray<{ dataset: string; rank: number | null; of: number; primary: string | null; note: string | null }>;
  /** The published human score, or null (not rated by enough raters yet, or no human rating on this server). */
  readonly human: HumanScore | null;
  readonly links: { readonly rate: string; readonly board: string };
}

export async function modelStanding(deps: AppDeps, modelId: string, evals: readonly EvaluationRecord[]): Promise<Standing> {
  const datasets = [...new Set(evals.map((e) => e.dataset))].sort();
  const ranks = [];
  for (const dataset of datasets) {
    const board = (await loadBoards(deps, dataset)).find((b) => b.dataset === dataset);
    const row = board?.rows.find((r) => r.modelId === modelId);
    const ranked = board?.rows.filter((r) => r.rank !== null).length ?? 0;
    const note =
      row !== undefined
        ? row.rank === null ? `no ${board?.primary ?? 'primary metric'} value` : null
        : board?.otherProtocols.some((o) => o.rows.some((r) => r.modelId === modelId))
          ? "evaluated under another protocol than the board's (listed apart)"
          : board?.selfReported.some((r) => r.modelId === modelId)
            ? 'self-reported numbers only (never ranked)'
            : 'no verified evaluation on this board';
    ranks.push({ dataset, rank: row?.rank ?? null, of: ranked, primary: board?.primary ?? null, note });
  }
  const [human, official] = await Promise.all([loadHumanScores(deps.humanScores ?? undefined, deps.store.sql, [modelId]), officialModels(deps.store.sql, [modelId])]);
  const id = encodeURIComponent(modelId);
  return { official: official.has(modelId), ranks, human: human.get(modelId) ?? null, links: { rate: `/rate?model=${id}`, board: datasets.length === 1 ? `/?dataset=${encodeURIComponent(datasets[0]!)}` : '/' } };
}

/** The standing as a line of boxes under the model's name. */
export function standingHtml(s: Standing): SafeHtml {
  const rank = (r: Standing['ranks'][number]) =>
    r.rank === null
      ? html`<li>${r.dataset}: not ranked <span class="na">(${r.note})</span></li>`
      : html`<li>Rank on <a href="/?dataset=${encodeURIComponent(r.dataset)}">${r.dataset}</a>: <b class="rank">${r.rank}</b> of ${r.of} <span class="na">(band on ${r.primary ?? 'the primary metric'})</span></li>`;
  const h = s.human;
  const human =
    h === null
      ? html`<li>Human score: <span class="na">not published yet</span></li>`
      : html`<li>Human score: <b class="human">${cellText(h)}</b> <span class="na">(${h.label ?? 'HYPE∞ error rate'}, higher is better${h.raters === undefined ? '' : `, ${h.raters} raters`})</span></li>`;
  return html`<ul class="standing">
${s.official ? html`<li><span class="official">official</span> submitted by this server's operators</li>` : ''}
${s.ranks.length === 0 ? html`<li>Rank: <span class="na">not evaluated yet</span></li>` : s.ranks.map(rank)}
${human}
<li><a class="rate-link" href="${s.links.rate}">Rate this model</a> (real or generated?)</li>
</ul>`;
}
