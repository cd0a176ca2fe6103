import type { z } from 'zod';
import { GenbenchError } from '../errors.js';

/**
 * Validation of user files against a zod schema, with the one error line every reader prints: the file, the first
 * bad field (dotted path, or "(top level)"), zod's message on one line, how many more problems there are, and what
 * to do.
 *
 * @example
 * parseWith(RulesSchema, json, 'gate.json', 'see docs/gate.md for the rules format');
 * // GenbenchError INPUT "gate.json: field 'metrics.fd.relative': Too small: expected number to be >=0; see docs/gate.md for the rules format"
 */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, source: string, hint: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new GenbenchError('INPUT', zodMessage(r.error, source, hint));
}

/** The one-line message of a failed parse (see parseWith). */
export function zodMessage(error: z.ZodError, source: string, hint: string): string {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  return `${source}: field '${field}': ${issue.message.replace(/\s*\n\s*/g, ' ')}${more}; ${hint}`;
}
