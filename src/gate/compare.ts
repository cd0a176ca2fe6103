import { GenbenchError } from '../errors.js';
import type { MetricEntry, Report } from '../io/report.js';
import { assertComparable, comparabilityNotes } from './comparable.js';
import { DEFAULT_RULES, resolveRule, toleranceFor, type Direction, type GateRules } from './rules.js';

/**
 * The regression gate: compares a candidate report with a baseline, metric by metric.
 *
 * A metric REGRESSES only when (1) its point difference is worse than the tolerance (rules.ts: max(absolute,
 * relative * |baseline|)) AND (2) the 95% interval of the difference lies entirely beyond the tolerance, so noise
 * alone never fails a build. The interval of the difference d = candidate - baseline combines the two reports'
 * bootstrap ci95s, treated as independent and normal: each side's half-width is the distance from its point value
 * to that end of its interval, and the difference's half-widths add in quadrature, side by side:
 *   lower = d - sqrt((c - c.lo)^2 + (b.hi - b)^2),  upper = d + sqrt((c.hi - c)^2 + (b - b.lo)^2).
 * (For independent normal estimates this is exactly 1.96 * sqrt(var_b + var_c); keeping sides apart keeps skewed
 * percentile intervals skewed.) Both reports resample the same reference images, so they are positively correlated
 * and the true interval is narrower: the approximation errs towards passing. A metric without a ci95 is judged on
 * its point difference, with a note.
 *
 * Verdicts: 'regression' (fails), 'improvement' (better beyond tolerance, interval agrees), 'noise' (worse beyond
 * tolerance but the interval reaches back inside it), 'ok' (within tolerance), 'missing' (no value in one report;
 * fails unless rules.missing is 'ignore'), 'skipped' (rules say gate: false).
 *
 * @example
 * const r = compareReports({ baseline, candidate });
 * r.failed;                    // true
 * r.rows.find((x) => x.metric === 'fd');
 * // { metric: 'fd', direction: 'lower', baseline: 17.9, candidate: 31.2, difference: 13.3, interval: [11.0, 15.7], tolerance: 0.9, verdict: 'regression' }
 */
export type Verdict = 'regression' | 'improvement' | 'noise' | 'ok' | 'missing' | 'skipped';

export interface GateRow {
  readonly metric: string;
  readonly direction: Direction;
  readonly baseline: number | null;
  readonly candidate: number | null;
  readonly baselineCi95: readonly [number, number] | null;
  readonly candidateCi95: readonly [number, number] | null;
  readonly difference: number | null;
  /** 95% interval of candidate - baseline, or null when either report has no ci95 for the metric. */
  readonly interval: readonly [number, number] | null;
  readonly tolerance: number | null;
  readonly verdict: Verdict;
  /** Whether this row fails the gate. */
  readonly fails: boolean;
  readonly note?: string;
}

export interface GateResult {
  readonly schema: 'genbench.gate/v1';
  readonly failed: boolean;
  readonly regressions: readonly string[];
  readonly baseline: { readonly model: string; readonly seed: number };
  readonly candidate: { readonly model: string; readonly seed: number };
  readonly recipe: { readonly dataset: string; readonly split: string; readonly n: number; readonly extractor: string };
  readonly intervalMethod: string;
  readonly rows: readonly GateRow[];
  readonly notes: readonly string[];
}

export const INTERVAL_METHOD =
  'difference of the two reports\' bootstrap ci95s combined in quadrature per side (independent, normal approximation)';

export interface CompareInput {
  readonly baseline: Report;
  readonly candidate: Report;
  readonly rules?: GateRules;
}

export function compareReports({ baseline, candidate, rules = DEFAULT_RULES }: CompareInput): GateResult {
  assertComparable(baseline, candidate);
  if ((rules.intervals ?? 'required') === 'required') assertIntervals(baseline, candidate);
  assertIntervalsHoldValues(baseline, candidate);
  const ids = [...new Set([...Object.keys(baseline.metrics), ...Object.keys(candidate.metrics)])];
  const rows = ids.map((id) => compareMetric(id, baseline.metrics[id], candidate.metrics[id], rules));
  const regressions = rows.filter((r) => r.fails).map((r) => r.metric);
  return {
    schema: 'genbench.gate/v1',
    failed: regressions.length > 0,
    regressions,
    baseline: { model: baseline.model.name, seed: baseline.recipe.seeds.sampling },
    candidate: { model: candidate.model.name, seed: candidate.recipe.seeds.sampling },
    recipe: { dataset: baseline.dataset.name, split: baseline.dataset.split, n: baseline.recipe.n.generated, extractor: baseline.recipe.extractor.id },
    intervalMethod: INTERVAL_METHOD,
    rows,
    notes: comparabilityNotes(baseline, candidate),
  };
}

function assertIntervals(baseline: Report, candidate: Report): void {
  for (const [role, r] of [['baseline', baseline], ['candidate', candidate]] as const) {
    if (r.recipe.bootstrap === null || r.recipe.bootstrap.resamples === 0) {
      throw new GenbenchError(
        'INPUT',
        `${role} report (${r.model.name}): recipe.bootstrap is null, so the gate cannot tell a regression from noise; re-run genbench evaluate with --bootstrap 200 (or set "intervals": "optional" in the gate rules)`,
      );
    }
  }
}

/** A ci95 that excludes its own value is a broken report (hand-edited or from a faulty tool): refused. */
function assertIntervalsHoldValues(baseline: Report, candidate: Report): void {
  for (const [role, r] of [['baseline', baseline], ['candidate', candidate]] as const) {
    for (const [id, m] of Object.entries(r.metrics)) {
      if (m.value === null || m.ci95 === undefined) continue;
      const [lo, hi] = m.ci95;
      const slack = 1e-9 * Math.max(1, Math.abs(m.value));
      if (!(lo <= hi) || m.value < lo - slack || m.value > hi + slack) {
        throw new GenbenchError('INPUT', `${role} report (${r.model.name}): metric '${id}' has value ${m.value} outside its ci95 [${lo}, ${hi}]; re-run genbench evaluate for it`);
      }
    }
  }
}

function compareMetric(metric: string, b: MetricEntry | undefined, c: MetricEntry | undefined, rules: GateRules): GateRow {
  const rule = resolveRule(rules, metric);
  const bv = b?.value ?? null;
  const cv = c?.value ?? null;
  const empty = { metric, direction: rule.direction, baseline: bv, candidate: cv, baselineCi95: b?.ci95 ?? null, candidateCi95: c?.ci95 ?? null };
  if (!rule.gate) return { ...empty, difference: diffOrNull(bv, cv), interval: null, tolerance: null, verdict: 'skipped', fails: false, note: 'gate: false in the rules' };
  if (bv === null || cv === null) {
    const which = bv === null && cv === null ? 'either report' : bv === null ? 'the baseline' : 'the candidate';
    const fails = (rules.missing ?? 'fail') === 'fail';
    return { ...empty, difference: null, interval: null, tolerance: null, verdict: 'missing', fails, note: `no value in ${which}` };
  }
  const tolerance = toleranceFor(rule, bv);
  const interval = differenceInterval(bv, b?.ci95, cv, c?.ci95);
  const verdict = judge({ difference: cv - bv, interval, tolerance, direction: rule.direction });
  const note = interval === null ? 'no ci95 in one of the reports: judged on the point difference alone' : undefined;
  return { ...empty, difference: cv - bv, interval, tolerance, verdict, fails: verdict === 'regression', ...(note === undefined ? {} : { note }) };
}

function diffOrNull(b: number | null, c: number | null): number | null {
  return b === null || c === null ? null : c - b;
}

/**
 * 95% interval of candidate - baseline from the two ci95s (see the module comment); null when either is missing.
 *
 * @example
 * differenceInterval(10, [9, 11], 12, [11, 13]); // [2 - sqrt(2), 2 + sqrt(2)] = [0.586, 3.414]
 */
export function differenceInterval(
  b: number,
  bCi: readonly [number, number] | undefined,
  c: number,
  cCi: readonly [number, number] | undefined,
): [number, number] | null {
  if (bCi === undefined || cCi === undefined) return null;
  const d = c - b;
  const below = Math.hypot(Math.max(0, c - cCi[0]), Math.max(0, bCi[1] - b));
  const above = Math.hypot(Math.max(0, cCi[1] - c), Math.max(0, b - bCi[0]));
  return [d - below, d + above];
}

/**
 * The verdict for one metric from its point difference (candidate - baseline), the interval of that difference
 * (or null), the tolerance and which direction is better.
 *
 * @example
 * judge({ difference: 5, interval: [3, 7], tolerance: 1, direction: 'lower' });  // 'regression'
 * judge({ difference: 5, interval: [-1, 11], tolerance: 1, direction: 'lower' }); // 'noise'
 */
export function judge(x: { difference: number; interval: readonly [number, number] | null; tolerance: number; direction: Direction }): Verdict {
  const sign = x.direction === 'lower' ? 1 : -1;
  const worse = sign * x.difference;
  const [lo, hi] = x.interval === null ? [worse, worse] : sign === 1 ? [x.interval[0], x.interval[1]] : [-x.interval[1], -x.interval[0]];
  if (worse > x.tolerance) return lo > x.tolerance ? 'regression' : 'noise';
  if (worse < -x.tolerance && hi < -x.tolerance) return 'improvement';
  return 'ok';
}
