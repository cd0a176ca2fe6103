import type { MemorizationResult } from './checks.js';

/**
 * The JSON form of one space's checks: `copy_rate`, `closer_to_train_share`, `mifid_term`, `ct` (with `per_cell`),
 * each `{ value, ... }`, without the per-sample arrays; non-finite numbers become null.
 *
 * @example
 * checksJson(result); // { copy_rate: { value: 0.01, baseline: 0.004, ... }, ..., ct: { value: -0.4, per_cell: [...] } }
 */
export interface ChecksJson {
  readonly copy_rate: Record<string, unknown> & { value: number | null };
  readonly closer_to_train_share: Record<string, unknown> & { value: number | null };
  readonly mifid_term: Record<string, unknown> & { value: number | null };
  readonly ct: Record<string, unknown> & { value: number | null };
}

export function checksJson(r: MemorizationResult): ChecksJson {
  return clean({ copy_rate: r.copy_rate, closer_to_train_share: r.closer_to_train_share, mifid_term: r.mifid_term, ct: r.ct }) as ChecksJson;
}

/** Deep copy with NaN and +-Infinity as null and typed arrays as plain arrays. */
export function clean(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => clean(x));
  if (Array.isArray(v)) return v.map(clean);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clean(x)]));
  return v;
}

/** Whether any check of the space says copying. */
export function anyCopying(r: MemorizationResult): boolean {
  return r.copy_rate.copying || r.closer_to_train_share.copying || r.mifid_term.copying || r.ct.copying;
}
