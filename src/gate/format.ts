import type { GateResult, GateRow, Verdict } from './compare.js';

/**
 * Renderings of a gate result: a Markdown summary for a pull-request comment (a table of baseline, candidate,
 * difference with its 95% interval, tolerance and verdict), GitHub Actions workflow commands (`::error` per
 * regression, `::warning` per metric that is worse but within noise or missing), and a plain-text table for the
 * terminal.
 *
 * @example
 * gateMarkdown(result);
 * // '### genbench gate: ❌ regression in fd\n\n| metric | better | baseline | candidate | difference (95% interval) | ...'
 * githubAnnotations(result);
 * // ['::error title=genbench gate%3A fd regressed::fd 17.9 -> 31.2: +13.3 (95% interval +11.0 to +15.7), ...']
 */
const MARK: Record<Verdict, string> = {
  regression: '❌ regression',
  improvement: '✅ improvement',
  noise: '⚠️ worse, within noise',
  ok: '✅ ok',
  missing: '❔ missing',
  skipped: '➖ not gated',
};

export function gateMarkdown(r: GateResult): string {
  const head = r.failed ? `❌ regression in ${r.regressions.join(', ')}` : '✅ no regression';
  const lines = [
    `### genbench gate: ${head}`,
    '',
    `Baseline \`${r.baseline.model}\` (seed ${r.baseline.seed}) vs candidate \`${r.candidate.model}\` (seed ${r.candidate.seed}) on ${r.recipe.dataset} ${r.recipe.split}, n = ${r.recipe.n}, extractor \`${r.recipe.extractor}\`.`,
    '',
    '| metric | better | baseline | candidate | difference (95% interval) | tolerance | verdict |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    ...r.rows.map(markdownRow),
    '',
    `A metric fails only when it is worse than its tolerance and the whole interval of the difference lies beyond the tolerance. Interval: ${r.intervalMethod}.`,
  ];
  const notes = [...r.notes, ...r.rows.filter((x) => x.note !== undefined).map((x) => `${x.metric}: ${x.note}`)];
  if (notes.length > 0) lines.push('', ...notes.map((n) => `- ${escapeCell(n)}`));
  return `${lines.join('\n')}\n`;
}

function markdownRow(x: GateRow): string {
  const cells = [
    `\`${x.metric}\``,
    x.direction,
    withCi(x.baseline, x.baselineCi95),
    withCi(x.candidate, x.candidateCi95),
    difference(x),
    x.tolerance === null ? '' : `±${num(x.tolerance)}`,
    MARK[x.verdict],
  ];
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

/** `::error` for each failing row, `::warning` for rows worse within noise (and missing rows that do not fail). */
export function githubAnnotations(r: GateResult): string[] {
  const out: string[] = [];
  for (const x of r.rows) {
    const level = x.fails ? 'error' : x.verdict === 'noise' || x.verdict === 'missing' ? 'warning' : undefined;
    if (level === undefined) continue;
    const title = x.verdict === 'regression' ? `genbench gate: ${x.metric} regressed` : `genbench gate: ${x.metric} ${x.verdict === 'missing' ? 'missing' : 'worse (within noise)'}`;
    out.push(`::${level} title=${escapeProperty(title)}::${escapeData(annotationText(x))}`);
  }
  return out;
}

function annotationText(x: GateRow): string {
  if (x.verdict === 'missing') return `${x.metric}: ${x.note ?? 'no value'}`;
  const tol = x.tolerance === null ? '' : `, tolerance ${num(x.tolerance)}`;
  return `${x.metric} ${num(x.baseline)} -> ${num(x.candidate)}: ${difference(x)}${tol} (${x.direction} is better)`;
}

/** A fixed-width text table for the terminal. */
export function gateText(r: GateResult): string {
  const rows = [['metric', 'better', 'baseline', 'candidate', 'difference (95% interval)', 'tolerance', 'verdict']];
  for (const x of r.rows) rows.push([x.metric, x.direction, num(x.baseline), num(x.candidate), difference(x), x.tolerance === null ? '' : num(x.tolerance), x.verdict]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const body = rows.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  const head = r.failed ? `gate: FAILED, regression in ${r.regressions.join(', ')}` : 'gate: passed, no regression';
  return [head, ...body, ...r.notes.map((n) => `note: ${n}`)].join('\n') + '\n';
}

function difference(x: GateRow): string {
  if (x.difference === null) return '';
  const iv = x.interval === null ? '' : ` [${signed(x.interval[0])}, ${signed(x.interval[1])}]`;
  return `${signed(x.difference)}${iv}`;
}

function withCi(v: number | null, ci: readonly [number, number] | null): string {
  if (v === null) return 'n/a';
  return ci === null ? num(v) : `${num(v)} [${num(ci[0])}, ${num(ci[1])}]`;
}

function signed(v: number): string {
  return v >= 0 ? `+${num(v)}` : num(v);
}

function num(v: number | null): string {
  if (v === null) return 'n/a';
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(4))) : v.toExponential(3);
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Workflow-command data escaping (GitHub's toolkit `escapeData`). */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow-command property escaping (GitHub's toolkit `escapeProperty`). */
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
