import { METRICS } from '../../metrics/index.js';
import type { MetricId } from '../../metrics/types.js';
import { MEMORIZATION_CHECKS, memorizationVerdict } from '../memorization/verdict.js';
import type { EvaluationRecord } from '../store/evaluations.js';
import type { ModelRecord } from '../store/models.js';
import type { HumanScore } from './human.js';
import { TRAINING_ROWS_UNKNOWN } from './evaluation-run.js';
import { protocolSummary, TRANSLATION_METRICS, underProtocol, underTranslationProtocol, type ProtocolSpec, type ProtocolSummary, type TranslationSpec } from './protocols.js';
import { spearman } from '../stats/rank.js';
import { rankBands } from './stats.js';

/**
 * The leaderboard as data (the page and /api/leaderboard both render this): one board per dataset that has verified
 * evaluations (computed by this server). A board ranks evaluations under one protocol only (protocolKey: reference
 * split, n, reference count and seed, extractor and weights, metric parameters): the server's protocol for the
 * dataset (`protocols`, evaluate-job.ts serverProtocol; the newest such evaluation's key when several match),
 * or, without one, the protocol of the dataset's newest verified evaluation. Evaluations under other protocols are
 * listed apart (`otherProtocols`, one group per protocol, never ranked). One ranked row per model (its latest
 * verified evaluation under the board's protocol), each metric with its 95% interval, the human score, the recipe badge, and a rank band on the board's primary metric (FD when
 * present; rule in stats.ts). Each board also carries its chart data: the history of the primary metric over
 * submissions and the Spearman correlation of human score and FD. The memorisation checks of a report (`copy_rate`,
 * `closer_to_train_share`, `mifid_term`, `ct`) are not metric columns: a row carries their one-line verdict instead
 * (`memorisation`, memorizationVerdict; null when the evaluation ran no checks), and `memorisationNote` says when the
 * checks ran against the whole training split because the manifest named no training rows. Self-reported numbers (a report
 * uploaded with the checkpoint) never rank, add a column or make a board: they are listed apart (`selfReported`)
 * under the board of their dataset, for models without a ranked row there. A row of a model submitted with an admin
 * token is `official`; `labels` (each descriptor's display label) head the metric columns, `titles` and
 * `higherIsBetter` explain them.
 *
 * A translation task with a server protocol (`translations`, translation-protocol.ts) gets a board of its own
 * (`kind: 'translation'`, after the dataset boards): it ranks the translators' reports under the task's protocol
 * (split, extractor, bootstrap seed; protocols.ts underTranslationProtocol) by the metric the reports rank by
 * (`recipe.rankedBy`: SSIM for paired intensity tasks, Dice for label maps, FD for unpaired tasks), and its rows
 * carry no memorisation verdict (a translator has no training samples to copy from).
 *
 * @example
 * const boards = buildBoards({ evaluations, models, human });
 * boards[0].rows[0];  // { modelName: 'mnist-dcgan', rank: 1, metrics: { fd: { value: 38.7, ci95: [36.1, 41.0] } }, ... }
 */
export interface MetricCell {
  readonly value: number | null;
  readonly ci95?: readonly [number, number];
}

export interface BoardRow {
  readonly modelId: string;
  readonly modelName: string;
  readonly kind: string;
  /** Submitted with an admin token (the server's operators): badged 'official'. */
  readonly official: boolean;
  readonly licence: string | null;
  readonly evaluationId: string;
  readonly verified: boolean;
  readonly date: string;
  readonly samples: number;
  readonly metrics: Readonly<Record<string, MetricCell>>;
  readonly human: HumanScore | null;
  /** One-line memorisation verdict ('memorisation: no copying detected (...)'), or null without the checks. */
  readonly memorisation: string | null;
  /** TRAINING_ROWS_UNKNOWN when the checks ran against the whole training split (the manifest named no training rows). */
  readonly memorisationNote: string | null;
  readonly recipe: { readonly extractor: string; readonly weights: string; readonly preprocessing: string; readonly split: string; readonly key: string };
  /** Rank band on the primary metric (null when the model has no value for it). */
  readonly rank: number | null;
}

/** Evaluations of a dataset under a protocol the board does not rank. */
export interface OtherProtocol {
  readonly protocol: ProtocolSummary;
  /** Latest evaluation per model under that protocol, best first on the board's primary metric; rank null. */
  readonly rows: readonly BoardRow[];
}

export interface Board {
  /** 'dataset': generators of a dataset; 'translation': translators of a translation task (`dataset` is the task). */
  readonly kind: 'dataset' | 'translation';
  readonly dataset: string;
  readonly extractor: string;
  /** The protocol of the ranked rows (null when no evaluation is under the server's protocol yet). */
  readonly protocol: ProtocolSummary | null;
  /** Verified evaluations under other protocols: shown apart, not ranked. */
  readonly otherProtocols: readonly OtherProtocol[];
  readonly metrics: readonly string[];
  readonly primary: string | null;
  /** For each metric id: true when higher is better, false when lower is, null when unknown. */
  readonly higherIsBetter: Readonly<Record<string, boolean | null>>;
  /** For each metric id: what it measures (the registry descriptor's title), null for an id outside the registry. */
  readonly titles: Readonly<Record<string, string | null>>;
  /** For each metric id: its column label (the registry descriptor's display.label; the id outside the registry). */
  readonly labels: Readonly<Record<string, string>>;
  /** Verified evaluations only (this server computed them), ranked. */
  readonly rows: readonly BoardRow[];
  /** Self-reported numbers of models without a verified evaluation here: shown apart, never ranked (rank null). */
  readonly selfReported: readonly BoardRow[];
  /** Every verified evaluation of the board's primary metric in time order (all submissions, not only the latest per model). */
  readonly history: ReadonlyArray<{ date: string; modelId: string; modelName: string; value: number }>;
  /** Spearman correlation between human score and FD over the models that have both (null below 3 models). */
  readonly humanVsFd: { readonly rho: number | null; readonly n: number };
}

export interface BoardInput {
  readonly evaluations: readonly EvaluationRecord[];
  readonly models: readonly ModelRecord[];
  readonly human: ReadonlyMap<string, HumanScore>;
  /** The server's protocol per dataset (evaluate-job.ts serverProtocol); absent: each board ranks its newest protocol. */
  readonly protocols?: (dataset: string) => ProtocolSpec | undefined;
  /** Ids of the models submitted with an admin token (submitters.ts officialModels). */
  readonly official?: ReadonlySet<string>;
  /** The server's protocol per translation task (translation-protocol.ts); a task with one gets a translation board. */
  readonly translations?: (task: string) => TranslationSpec | undefined;
}

export function buildBoards(input: BoardInput): Board[] {
  const official = input.official ?? new Set<string>();
  const models = new Map([...input.models].map((m) => [m.id, { ...m, official: official.has(m.id) }]));
  const groups = new Map<string, { verified: EvaluationRecord[]; self: EvaluationRecord[] }>();
  for (const e of input.evaluations) {
    if (!e.verified) continue;
    const g = groups.get(e.dataset) ?? { verified: [], self: [] };
    g.verified.push(e);
    groups.set(e.dataset, g);
  }
  for (const e of input.evaluations) if (!e.verified) groups.get(e.dataset)?.self.push(e); // never a board of its own
  const boards = [...groups.entries()].map(([dataset, g]) => {
    const translation = input.translations?.(dataset);
    const spec = input.protocols?.(dataset);
    const under = translation !== undefined ? (e: EvaluationRecord) => underTranslationProtocol(e.report, translation) : spec === undefined ? undefined : (e: EvaluationRecord) => underProtocol(e.report, spec);
    const ranked = rankedProtocol(g.verified, under);
    const inside = g.verified.filter((e) => e.protocolKey === ranked);
    const board = buildBoard(dataset, inside, g.self, models, input.human, translation);
    const others = new Map<string, EvaluationRecord[]>();
    for (const e of g.verified) if (e.protocolKey !== ranked) others.set(e.protocolKey, [...(others.get(e.protocolKey) ?? []), e]);
    const otherProtocols = [...others.values()].map((evals) => {
      const latest = [...latestPerModel(evals).values()];
      const rows = withRanks(latest.map((e) => onlyColumns(toRow(e, models.get(e.modelId), null), board.metrics)), board.primary, board.primary === null ? null : board.higherIsBetter[board.primary] ?? false);
      return { protocol: protocolSummary(latest[0]!.report), rows: rows.map((r) => ({ ...r, rank: null })) };
    });
    otherProtocols.sort((a, b) => b.protocol.n - a.protocol.n || a.protocol.key.localeCompare(b.protocol.key));
    return { ...board, otherProtocols };
  });
  return boards.sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'dataset' ? -1 : 1) || a.dataset.localeCompare(b.dataset));
}

/** The protocol key a board ranks: the newest evaluation's under the server's protocol (or any, without one). */
function rankedProtocol(evals: readonly EvaluationRecord[], under: ((e: EvaluationRecord) => boolean) | undefined): string | null {
  const candidates = under === undefined ? evals : evals.filter(under);
  let newest: EvaluationRecord | undefined;
  for (const e of candidates) if (newest === undefined || e.createdAt >= newest.createdAt) newest = e;
  return newest?.protocolKey ?? null;
}

/** The newest evaluation per model. */
function latestPerModel(evals: readonly EvaluationRecord[]): Map<string, EvaluationRecord> {
  const latest = new Map<string, EvaluationRecord>();
  for (const e of evals) {
    const old = latest.get(e.modelId);
    if (old === undefined || e.createdAt >= old.createdAt) latest.set(e.modelId, e);
  }
  return latest;
}

function buildBoard(
  dataset: string,
  evals: readonly EvaluationRecord[],
  self: readonly EvaluationRecord[],
  models: ReadonlyMap<string, BoardModel>,
  human: ReadonlyMap<string, HumanScore>,
  translation?: TranslationSpec,
): Omit<Board, 'otherProtocols'> {
  const latest = latestPerModel(evals);
  const checks: readonly string[] = MEMORIZATION_CHECKS;
  const metricSource = latest.size > 0 ? [...latest.values()] : self;
  const metricIds = [...new Set(metricSource.flatMap((e) => Object.keys(e.report.metrics)))].filter((id) => !checks.includes(id)).sort(metricOrder);
  const primary = translation === undefined ? (metricIds.includes('fd') ? 'fd' : (metricIds[0] ?? null)) : translationPrimary(metricSource, metricIds, translation);
  const higherIsBetter = Object.fromEntries(metricIds.map((id) => [id, METRICS.get(id as MetricId)?.higherIsBetter ?? TRANSLATION_METRICS.get(id)?.higherIsBetter ?? null]));
  const titles = Object.fromEntries(metricIds.map((id) => [id, METRICS.get(id as MetricId)?.title ?? TRANSLATION_METRICS.get(id)?.title ?? null]));
  const labels = Object.fromEntries(metricIds.map((id) => [id, METRICS.get(id as MetricId)?.display.label ?? id]));
  let rows = [...latest.values()].map((e) => toRow(e, models.get(e.modelId), human.get(e.modelId) ?? null));
  rows = withRanks(rows, primary, primary === null ? null : higherIsBetter[primary] ?? false);
  const selfReported = [...latestPerModel(self.filter((e) => !latest.has(e.modelId))).values()]
    .map((e) => onlyColumns(toRow(e, models.get(e.modelId), null), metricIds))
    .sort((a, b) => b.date.localeCompare(a.date));
  const history = evals
    .map((e) => ({ date: e.createdAt, modelId: e.modelId, modelName: models.get(e.modelId)?.name ?? e.modelId, value: primary === null ? null : e.report.metrics[primary]?.value ?? null }))
    .filter((h): h is { date: string; modelId: string; modelName: string; value: number } => typeof h.value === 'number')
    .sort((a, b) => a.date.localeCompare(b.date));
  const paired = rows.filter((r) => r.human !== null && typeof r.metrics['fd']?.value === 'number');
  const rho = spearman(paired.map((r) => r.human!.value), paired.map((r) => r.metrics['fd']!.value!));
  const first = evals[0];
  const protocol = first === undefined ? null : protocolSummary(first.report);
  return { kind: translation === undefined ? 'dataset' : 'translation', dataset, extractor: first?.extractor ?? '', protocol, metrics: metricIds, primary, higherIsBetter, titles, labels, rows, selfReported, history, humanVsFd: { rho, n: paired.length } };
}

/** A translation board's primary metric: what its newest report ranks by (`recipe.rankedBy`), else the protocol's. */
function translationPrimary(evals: readonly EvaluationRecord[], ids: readonly string[], spec: TranslationSpec): string | null {
  let newest: EvaluationRecord | undefined;
  for (const e of evals) if (newest === undefined || e.createdAt >= newest.createdAt) newest = e;
  const marked = newest?.report.recipe.rankedBy;
  if (marked !== undefined && ids.includes(marked)) return marked;
  return ids.includes(spec.rank) ? spec.rank : (ids[0] ?? null);
}

/** A row with only the board's metric columns (a self-reported report adds none). */
function onlyColumns(r: BoardRow, ids: readonly string[]): BoardRow {
  return { ...r, metrics: Object.fromEntries(ids.filter((id) => r.metrics[id] !== undefined).map((id) => [id, r.metrics[id]!])) };
}

/** A model with its official flag. */
type BoardModel = ModelRecord & { readonly official: boolean };

function toRow(e: EvaluationRecord, m: BoardModel | undefined, human: HumanScore | null): BoardRow {
  const metrics: Record<string, MetricCell> = {};
  for (const [id, entry] of Object.entries(e.report.metrics)) {
    metrics[id] = { value: entry.value, ...(entry.ci95 ? { ci95: entry.ci95 } : {}) };
  }
  const ex = e.report.recipe.extractor;
  return {
    modelId: e.modelId,
    modelName: m?.name ?? e.report.model.name,
    kind: m?.kind ?? 'submission',
    official: m?.official ?? false,
    licence: m?.licence ?? null,
    evaluationId: e.id,
    verified: e.verified,
    date: e.createdAt,
    samples: e.nGenerated,
    metrics,
    human,
    memorisation: memorizationVerdict(e.report.metrics) ?? null,
    memorisationNote: e.report.warnings.some((w) => w.startsWith(TRAINING_ROWS_UNKNOWN)) ? TRAINING_ROWS_UNKNOWN : null,
    recipe: { extractor: ex.id, weights: ex.weightsSha256.slice(0, 12), preprocessing: preprocessingText(ex.preprocessing), split: e.report.dataset.split, key: e.recipeKey.slice(0, 12) },
    rank: null,
  };
}

/** Rows sorted by the primary metric (best first, missing values last) with their rank bands. */
function withRanks(rows: BoardRow[], primary: string | null, higherIsBetter: boolean | null): BoardRow[] {
  if (primary === null) return rows;
  const better = higherIsBetter === true;
  const valued = rows.filter((r) => typeof r.metrics[primary]?.value === 'number');
  const rest = rows.filter((r) => typeof r.metrics[primary]?.value !== 'number');
  valued.sort((a, b) => (better ? -1 : 1) * (a.metrics[primary]!.value! - b.metrics[primary]!.value!));
  const spans = valued.map((r) => {
    const c = r.metrics[primary]!;
    return c.ci95 ? { lo: c.ci95[0], hi: c.ci95[1] } : { lo: c.value!, hi: c.value! };
  });
  const ranks = rankBands(spans, better);
  return [...valued.map((r, i) => ({ ...r, rank: ranks[i]! })), ...rest];
}

/** '224x224 bilinear [-1,1] 3ch' from an extractor's preprocessing record. */
export function preprocessingText(p: Record<string, unknown>): string {
  const parts: string[] = [];
  if (typeof p['height'] === 'number' && typeof p['width'] === 'number') parts.push(`${p['height']}x${p['width']}`);
  if (typeof p['filter'] === 'string') parts.push(p['filter']);
  if (Array.isArray(p['range'])) parts.push(`[${p['range'].join(',')}]`);
  if (typeof p['channels'] === 'number') parts.push(`${p['channels']}ch`);
  return parts.length > 0 ? parts.join(' ') : JSON.stringify(p).slice(0, 60);
}

/** Columns in each descriptor's display order; ids outside the registry last, by name. */
function metricOrder(a: string, b: string): number {
  const order = (id: string) => METRICS.get(id as MetricId)?.display.order ?? Number.MAX_SAFE_INTEGER;
  return order(a) - order(b) || a.localeCompare(b);
}
