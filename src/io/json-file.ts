import { readFile } from 'node:fs/promises';
import { GenbenchError } from '../errors.js';

/**
 * Parses the JSON text of a user's (or a run folder's) file; malformed JSON is an INPUT error (exit 2) naming the
 * file and what to do, never a SyntaxError that reads as a bug.
 *
 * @example
 * parseJsonText('{"a": 1', 'run/state.json', 'use a fresh --out'); // GenbenchError "run/state.json: not valid JSON (...); use a fresh --out"
 */
export function parseJsonText(text: string, path: string, hint: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new GenbenchError('INPUT', `${path}: not valid JSON (${(e as Error).message.split('\n')[0]}); ${hint}`);
  }
}

/** Reads and parses a JSON file (see parseJsonText); a missing or unreadable file is a NOT_FOUND error. */
export async function readJsonFile(path: string, hint: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new GenbenchError('NOT_FOUND', `${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); ${hint}`);
  }
  return parseJsonText(text, path, hint);
}
