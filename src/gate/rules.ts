import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { METRICS } from '../../metrics/index.js';
import type { MetricId } from '../../metrics/types.js';
import { GenbenchError } from '../errors.js';
import { parseJsonText } from '../io/json-file.js';
import { parseWith } from '../io/zod-message.js';

/**
 * The gate's rules file, `"schema": "genbench.gate-rules/v1"` (docs: docs/gate.md): per metric, how much worse the
 * candidate may be before it counts (`absolute` and/or `relative` to the baseline value; the tolerance is the larger
 * of the two), which way is better (`direction`, known for every built-in metric) and whether the metric gates at
 * all (`gate: false` reports it only). Fields given in the file merge over the built-in defaults below; set one to 0
 * to switch it off. `intervals: "required"` (default) refuses reports made without `--bootstrap`; `missing: "fail"`
 * (default) fails the gate when a metric has a value in one report and not the other.
 *
 * @example
 * const rules = parseRules({ schema: 'genbench.gate-rules/v1', metrics: { fd: { relative: 0.1 } } }, 'gate.json');
 * resolveRule(rules, 'fd');        // { absolute: 0, relative: 0.1, direction: 'lower', gate: true }
 * resolveRule(rules, 'precision'); // { absolute: 0.02, relative: 0, direction: 'higher', gate: true }
 */
export const RULES_SCHEMA = 'genbench.gate-rules/v1';

const RuleSchema = z.strictObject({
  absolute: z.number().nonnegative().optional(),
  relative: z.number().nonnegative().optional(),
  direction: z.enum(['lower', 'higher']).optional(),
  gate: z.boolean().optional(),
});

export const RulesSchema = z.strictObject({
  schema: z.literal(RULES_SCHEMA),
  /** Merged over the built-in tolerance of every metric (and gives the direction of metrics genbench does not know). */
  default: RuleSchema.optional(),
  metrics: z.record(z.string(), RuleSchema).optional(),
  intervals: z.enum(['required', 'optional']).optional(),
  missing: z.enum(['fail', 'ignore']).optional(),
});

export type GateRules = z.infer<typeof RulesSchema>;
export type Direction = 'lower' | 'higher';

/** A metric's rule with every field filled in. */
export interface ResolvedRule {
  readonly absolute: number;
  readonly relative: number;
  readonly direction: Direction;
  readonly gate: boolean;
}

/**
 * Built-in tolerances, each metric's descriptor `tolerance` (relative for unbounded scores such as FD, KID, IS and
 * disc, absolute for fractions in [0, 1]).
 */
export const DEFAULT_TOLERANCES: Readonly<Record<string, { absolute: number; relative: number }>> = Object.freeze(
  Object.fromEntries([...METRICS.values()].map((d) => [d.id, { ...d.tolerance }])),
);

/** Tolerance of a metric nobody names. */
export const FALLBACK_TOLERANCE = Object.freeze({ absolute: 0, relative: 0.05 });

/**
 * Metrics outside the registry whose direction is known: the memorisation checks (copy rate, closer-to-train share
 * and MiFID's term grow with copying; C_T falls).
 */
const EXTRA_DIRECTIONS: Readonly<Record<string, Direction>> = Object.freeze({ copy_rate: 'lower', closer_to_train_share: 'lower', mifid_term: 'lower', ct: 'higher' });

/**
 * The memorisation checks carry their own calibrated verdicts (and no intervals): the gate shows them but fails on
 * them only when the rules name them.
 */
const VERDICT_METRICS: ReadonlySet<string> = new Set(['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct']);

/** The rules used when no file is given. */
export const DEFAULT_RULES: GateRules = Object.freeze({ schema: RULES_SCHEMA });

/**
 * Checks a value against the rules schema; the first problem is an INPUT error naming the field.
 *
 * @example
 * parseRules({ schema: 'genbench.gate-rules/v1', metrics: { fd: { relative: -1 } } }, 'gate.json');
 * // GenbenchError "gate.json: field 'metrics.fd.relative': Too small: expected number to be >=0; ..."
 */
export function parseRules(value: unknown, source: string): GateRules {
  return parseWith(RulesSchema, value, source, 'see docs/gate.md for the rules format');
}

/** Reads and validates a rules file. */
export async function readRules(path: string): Promise<GateRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot read the gate rules (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return parseRules(parseJsonText(text, path, 'give a genbench.gate-rules/v1 file (docs/gate.md)'), path);
}

/** The rule for `metric`: built-in tolerance, then the file's `default`, then its entry for the metric. */
export function resolveRule(rules: GateRules, metric: string): ResolvedRule {
  const builtIn = DEFAULT_TOLERANCES[metric];
  const named = rules.metrics?.[metric];
  const base = { ...(builtIn ?? FALLBACK_TOLERANCE), ...pickTolerance(rules.default) };
  const direction = named?.direction ?? knownDirection(metric) ?? rules.default?.direction;
  if (direction === undefined) {
    throw new GenbenchError('INPUT', `gate rules: metric '${metric}' has no known direction; add "metrics": { "${metric}": { "direction": "lower" or "higher" } } to the rules file`);
  }
  return {
    absolute: named?.absolute ?? base.absolute,
    relative: named?.relative ?? base.relative,
    direction,
    gate: named?.gate ?? (VERDICT_METRICS.has(metric) ? false : (rules.default?.gate ?? true)),
  };
}

function pickTolerance(r: GateRules['default']): { absolute?: number; relative?: number } {
  return { ...(r?.absolute === undefined ? {} : { absolute: r.absolute }), ...(r?.relative === undefined ? {} : { relative: r.relative }) };
}

/** 'lower' or 'higher' from the metric registry's `higherIsBetter`, undefined for an unknown metric. */
export function knownDirection(metric: string): Direction | undefined {
  const d = METRICS.get(metric as MetricId);
  if (d !== undefined) return d.higherIsBetter ? 'higher' : 'lower';
  return EXTRA_DIRECTIONS[metric];
}

/** The tolerance in the metric's units: max(absolute, relative * |baseline|). */
export function toleranceFor(rule: ResolvedRule, baseline: number): number {
  return Math.max(rule.absolute, rule.relative * Math.abs(baseline));
}
