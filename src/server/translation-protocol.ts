import { PAIRED_TASKS, UNPAIRED_TASKS } from '../data/paired-tasks.js';
import { formatSplit } from '../data/split-spec.js';
import type { EvaluationSettings } from './evaluate-job.js';
import { TRANSLATION_PROTOCOLS, type TranslationSpec } from './protocols.js';

/**
 * How the server scores a translation submission: the task's protocol (protocols.ts TRANSLATION_PROTOCOLS) with the
 * server's settings applied (translationServerProtocol), and the job recipe that carries it to the evaluation
 * process (translationRecipe; evaluate-job.ts parseRecipe reads it back). The server's `n` (a laptop server, tests)
 * caps the pairs: the first min(n, split size) of the task's split, where the task knows the size without loading
 * (a task that does not is scored on its whole split); its `extractor` replaces the protocol's, except on a task
 * scored without features (label maps).
 *
 * @example
 * translationServerProtocol({}, 'pneumonia-sr2');        // { split: 'test', extractor: 'classifier:pneumoniamnist', seed: 0, rank: 'ssim' }
 * translationServerProtocol({ n: 24 }, 'pneumonia-sr2'); // { split: 'test[0:24]', ... }
 */
export interface TranslationRecipe {
  /** The built-in translation task (also the submission's dataset). */
  readonly task: string;
  readonly split: string;
  readonly extractor: string;
  readonly bootstrap: number;
  readonly seed: number;
  /** The human-rating pool to store after the evaluation: up to `n` outputs on the task's test split. */
  readonly pool?: { readonly n: number; readonly seed: number };
}

/** Whether `name` is a built-in translation task the server scores (one with a protocol). */
export function isTranslationTask(name: string): boolean {
  return TRANSLATION_PROTOCOLS.has(name);
}

export function translationServerProtocol(s: EvaluationSettings, task: string): TranslationSpec | undefined {
  const p = TRANSLATION_PROTOCOLS.get(task);
  if (p === undefined) return undefined;
  const splits = PAIRED_TASKS.get(task)?.splits ?? UNPAIRED_TASKS.get(task)?.splits ?? [];
  const count = (splits as ReadonlyArray<{ name: string; count?: number }>).find((x) => x.name === p.split)?.count;
  const split = s.n === undefined || count === undefined ? p.split : formatSplit(p.split, 0, Math.min(s.n, count), count);
  const extractor = p.extractor === 'none' ? 'none' : (s.extractor ?? p.extractor);
  return { split, extractor, seed: p.seed, rank: p.rank };
}

/** The recipe string of a translation job, with stable key order (equal recipes give equal job ids). */
export function translationRecipe(s: EvaluationSettings, task: string): string {
  const p = translationServerProtocol(s, task);
  if (p === undefined) throw new Error(`internal: no translation protocol for '${task}'`);
  const r: TranslationRecipe = {
    task,
    split: p.split,
    extractor: p.extractor,
    bootstrap: s.bootstrap ?? 0,
    seed: p.seed,
    ...(s.ratingPool === undefined ? {} : { pool: { n: s.ratingPool.n, seed: s.ratingPool.seed } }),
  };
  return JSON.stringify(r);
}

/** A translation recipe read back from its JSON (undefined when it is a generator recipe). */
export function parseTranslationRecipe(r: Record<string, unknown>): TranslationRecipe | undefined {
  if (typeof r['task'] !== 'string') return undefined;
  if (typeof r['split'] !== 'string' || typeof r['extractor'] !== 'string') throw new Error(`internal: bad translation job recipe ${JSON.stringify(r).slice(0, 100)}`);
  const pool = r['pool'] as { n?: unknown; seed?: unknown } | undefined;
  return {
    task: r['task'],
    split: r['split'],
    extractor: r['extractor'],
    bootstrap: typeof r['bootstrap'] === 'number' ? r['bootstrap'] : 0,
    seed: typeof r['seed'] === 'number' ? r['seed'] : 0,
    ...(typeof pool?.n === 'number' && typeof pool.seed === 'number' ? { pool: { n: pool.n, seed: pool.seed } } : {}),
  };
}
