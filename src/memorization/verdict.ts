/**
 * The one-line memorisation verdict of a report's check entries (`copy_rate`, `closer_to_train_share`,
 * `mifid_term`, `ct`, each `{ value, ..., copying }` as checksJson writes them): which checks flag copying, else the
 * headline numbers; a held-out set that looks shifted from the training set adds a caveat. Undefined when the
 * metrics hold no memorisation check.
 *
 * @example
 * memorizationVerdict(report.metrics);
 * // 'memorisation: no copying detected (copy_rate 0.01, closer-to-train p=0.41, C_T 0.3)'
 * // 'memorisation: COPYING flagged by copy_rate, ct'
 * memorizationVerdictOfSpaces({ pixel: checksJson(px), features: checksJson(fx) });
 * // 'memorisation: COPYING flagged by copy_rate (pixel, features), ct (pixel)'
 */
export const MEMORIZATION_CHECKS = ['copy_rate', 'closer_to_train_share', 'mifid_term', 'ct'] as const;

type Entry = Record<string, unknown>;

export function memorizationVerdict(metrics: object | undefined): string | undefined {
  return memorizationVerdictOfSpaces(metrics === undefined ? {} : { '': metrics });
}

/** The verdict over several spaces (pixel, features): flags name their spaces, numbers are given per space. */
export function memorizationVerdictOfSpaces(spaces: Readonly<Record<string, object | undefined>>): string | undefined {
  const found = Object.entries(spaces)
    .map(([space, m]) => [space, checkEntries(m)] as const)
    .filter(([, e]) => Object.keys(e).length > 0);
  if (found.length === 0) return undefined;
  const named = found.length > 1 || found[0]![0] !== '';
  const flagged = new Map<string, string[]>();
  for (const [space, e] of found) {
    for (const [k, v] of Object.entries(e)) if (v['copying'] === true) flagged.set(k, [...(flagged.get(k) ?? []), space]);
  }
  const shifted = found.some(([, e]) => typeof e['closer_to_train_share']?.['warning'] === 'string');
  const caveat = shifted ? '; held-out set looks shifted from the training set, so the verdict may not hold' : '';
  if (flagged.size > 0) {
    const list = [...flagged].map(([k, s]) => (named ? `${k} (${s.join(', ')})` : k)).join(', ');
    return `memorisation: COPYING flagged by ${list}${caveat}`;
  }
  const numbers = found.map(([space, e]) => (named ? `${space}: ` : '') + headline(e)).join('; ');
  return `memorisation: no copying detected (${numbers})${caveat}`;
}

function checkEntries(metrics: object | undefined): Partial<Record<(typeof MEMORIZATION_CHECKS)[number], Entry>> {
  const out: Partial<Record<(typeof MEMORIZATION_CHECKS)[number], Entry>> = {};
  const m = metrics as Readonly<Record<string, unknown>> | undefined;
  for (const k of MEMORIZATION_CHECKS) {
    const v = m?.[k];
    if (v !== null && typeof v === 'object' && typeof (v as Entry)['copying'] === 'boolean') out[k] = v as Entry;
  }
  return out;
}

function headline(e: Partial<Record<(typeof MEMORIZATION_CHECKS)[number], Entry>>): string {
  const parts: string[] = [];
  const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const copy = num(e.copy_rate?.['value']);
  if (copy !== undefined) parts.push(`copy_rate ${short(copy)}`);
  const p = num(e.closer_to_train_share?.['p_value']);
  if (p !== undefined) parts.push(`closer-to-train p=${short(p)}`);
  const ct = num(e.ct?.['value']);
  if (ct !== undefined) parts.push(`C_T ${(Math.round(ct * 10) / 10 || 0).toFixed(1)}`);
  return parts.length === 0 ? 'no values' : parts.join(', ');
}

/** Two significant digits, no trailing zeros. */
function short(x: number): string {
  return x === 0 ? '0' : String(Number(x.toPrecision(2)));
}
