/**
 * Metric parameters as data: each descriptor declares its settable parameters (`params`) with a default, a type,
 * bounds, an optional CLI flag and an example value that changes the result; everything else in its `defaults` is a
 * fixed constant of the method (recorded in recipes, not settable). `resolveParams` merges what a caller gives over
 * the defaults and turns an unknown, fixed, invalid or unused parameter into a one-line USAGE error.
 *
 * @example
 * resolveParams([getMetric('kid')], { subsets: 10 });  // { subsets: 10, subsetSize: 1000, seed: 2020, products: 'float64' }
 * resolveParams([getMetric('kid')], { degree: 2 });    // GenbenchError USAGE: metric 'kid' has no parameter 'degree'; its parameters: subsets, subsetSize, seed, products
 * resolveParams([getMetric('is')], { shuffleSeed: 7 }); // GenbenchError USAGE: metric 'is': parameter 'shuffleSeed' has no effect unless shuffle is true; ...
 */
import { GenbenchError } from '../src/errors.js';
import type { MetricParams, ParamValue } from './types.js';

/** One settable parameter of a metric. */
export interface ParamSpec {
  readonly type: 'int' | 'number' | 'boolean' | 'choice';
  /** Absent: the caller must give it (e.g. the pixel metrics' data range). */
  readonly default?: ParamValue;
  readonly min?: number;
  readonly max?: number;
  /** The allowed values of a 'choice'. */
  readonly choices?: readonly string[];
  readonly help: string;
  /** The `genbench metrics --<flag>` that sets it (absent: no flag). */
  readonly flag?: string;
  /** Values of other parameters without which this one has no effect; given without them, it is an error (a flag sets them). */
  readonly requires?: MetricParams;
  /** A value other than the default that changes the result on a small input (test/metrics/params.test.ts). */
  readonly example: ParamValue;
}

export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The structural part of a descriptor that parameter handling reads. */
interface WithParams {
  readonly id: string;
  readonly params: ParamSpecs;
  readonly defaults: MetricParams;
  readonly whenRequested?: MetricParams;
}

/**
 * The defaults of `specs` (required parameters have none), for a descriptor's `defaults`.
 *
 * @example
 * paramDefaults({ splits: { type: 'int', default: 10, min: 1, help: '...', example: 5 } }); // { splits: 10 }
 */
export function paramDefaults(specs: ParamSpecs): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, s] of Object.entries(specs)) if (s.default !== undefined) out[name] = s.default;
  return out;
}

/** `value` checked against `spec`: the message part of a USAGE error, or null when it is valid. */
export function paramProblem(spec: ParamSpec, value: ParamValue): string | null {
  if (spec.type === 'boolean') return typeof value === 'boolean' ? null : `expected true or false, got ${String(value)}`;
  if (spec.type === 'choice') return spec.choices!.includes(String(value)) && typeof value === 'string' ? null : `expected one of ${spec.choices!.join(', ')}, got ${String(value)}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number, got ${String(value)}`;
  if (spec.type === 'int' && !Number.isSafeInteger(value)) return `expected an integer, got ${value}`;
  if (spec.min !== undefined && value < spec.min) return `must be >= ${spec.min}, got ${value}`;
  if (spec.max !== undefined && value > spec.max) return `must be <= ${spec.max}, got ${value}`;
  return null;
}

/**
 * A group's parameters: its defaults, what each requested member switches on (`whenRequested`), then `given`,
 * each given value checked (USAGE errors: unknown, fixed, invalid, or without the values it `requires`), and every
 * required parameter present.
 */
export function resolveParams(group: readonly WithParams[], given: MetricParams = {}): Record<string, ParamValue> {
  const d = group[0]!;
  const p: Record<string, ParamValue> = Object.assign({}, d.defaults, ...group.map((g) => g.whenRequested ?? {}));
  for (const [name, value] of Object.entries(given)) {
    const spec = d.params[name];
    if (spec === undefined) {
      if (name in d.defaults) throw new GenbenchError('USAGE', `metric '${d.id}': '${name}' is fixed at ${String(d.defaults[name])} (a constant of the method, not a parameter)`);
      throw new GenbenchError('USAGE', `metric '${d.id}' has no parameter '${name}'; its parameters: ${Object.keys(d.params).join(', ') || 'none'}`);
    }
    const problem = paramProblem(spec, value);
    if (problem !== null) throw new GenbenchError('USAGE', `metric '${d.id}' parameter '${name}': ${problem}`);
    p[name] = value;
  }
  for (const [name, spec] of Object.entries(d.params)) {
    if (p[name] === undefined) throw new GenbenchError('USAGE', `metric '${d.id}' needs the parameter '${name}' (${spec.help})`);
    if (!(name in given) || spec.requires === undefined) continue;
    for (const [other, want] of Object.entries(spec.requires)) {
      if (p[other] !== want) throw new GenbenchError('USAGE', `metric '${d.id}': parameter '${name}' has no effect unless ${other} is ${String(want)}; set ${other} too or drop ${name}`);
    }
  }
  return p;
}
