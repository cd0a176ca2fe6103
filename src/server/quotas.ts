import type { RequestHandler } from 'express';
import type { Sql } from '../store/sql.js';
import { tokenUsage, type TokenUsage } from '../store/usage.js';
import { tokenInfo } from './auth.js';
import { HttpError } from '../errors.js';

/**
 * Per-token quotas of submissions (`serve --quota-bytes`, `--submissions-per-hour`), counted from the store
 * (store/usage.ts), so they hold across restarts: the bytes a token keeps stored (its non-failed submissions'
 * distinct files) and the submissions it made in the last hour. A token over its rate gets 429 with Retry-After,
 * one whose upload would pass its storage quota 413, each with a one-line JSON error. `quotaGate` refuses before the
 * body is read when the token is already at a limit; `checkQuota` makes the exact check with the upload's files,
 * inside the transaction that records the submission (so concurrent uploads of one token cannot both squeeze in).
 *
 * @example
 * router.post('/api/submissions', requireToken(sql), quotaGate(sql, quotas), receive, accept);
 * await sql.transaction(async (tx) => { await checkQuota(tx, tokenId, files, quotas); ... });
 * // 429 {"error":{"code":"USAGE","message":"submission rate: this token made 20 submissions in the last hour, the most this server accepts; try again in 1260 s"}}
 */
export interface SubmissionQuotas {
  /** Bytes one token may keep stored (0: no limit). */
  readonly maxBytesPerToken: number;
  /** Submissions one token may make per hour (0: no limit). */
  readonly submissionsPerHour: number;
}

export const DEFAULT_QUOTAS: SubmissionQuotas = Object.freeze({ maxBytesPerToken: 2 * 2 ** 30, submissionsPerHour: 20 });

const HOUR_MS = 3600_000;

/** Refuses a token that is already at its rate or storage limit, before the body is read (the connection is closed). */
export function quotaGate(sql: Sql, quotas: SubmissionQuotas): RequestHandler {
  return async (_req, res, next) => {
    try {
      const usage = await usageNow(sql, tokenInfo(res).id);
      rateCheck(usage, quotas, (s) => res.set('Retry-After', String(s)));
      if (quotas.maxBytesPerToken > 0 && usage.bytes >= quotas.maxBytesPerToken) throw storageError(usage.bytes, 0, quotas);
      next();
    } catch (e) {
      res.set('Connection', 'close');
      next(e);
    }
  };
}

/** The exact check for an upload of `files` (already-stored bytes of this token count once); throws 429 / 413. */
export async function checkQuota(sql: Sql, tokenId: string, files: ReadonlyArray<{ sha256: string; size: number }>, quotas: SubmissionQuotas): Promise<void> {
  if (quotas.maxBytesPerToken <= 0 && quotas.submissionsPerHour <= 0) return;
  const usage = await usageNow(sql, tokenId);
  rateCheck(usage, quotas);
  const added = new Map(files.filter((f) => !usage.files.has(f.sha256)).map((f) => [f.sha256, f.size] as const));
  const adds = [...added.values()].reduce((a, b) => a + b, 0);
  if (quotas.maxBytesPerToken > 0 && usage.bytes + adds > quotas.maxBytesPerToken) throw storageError(usage.bytes, adds, quotas);
}

function usageNow(sql: Sql, tokenId: string): Promise<TokenUsage> {
  return tokenUsage(sql, tokenId, new Date(Date.now() - HOUR_MS).toISOString());
}

function rateCheck(usage: TokenUsage, quotas: SubmissionQuotas, retryAfter?: (seconds: number) => void): void {
  if (quotas.submissionsPerHour <= 0 || usage.recent < quotas.submissionsPerHour) return;
  const wait = usage.oldestRecent === null ? 60 : Math.max(1, Math.ceil((Date.parse(usage.oldestRecent) + HOUR_MS - Date.now()) / 1000));
  retryAfter?.(wait);
  throw new HttpError(429, 'USAGE', `submission rate: this token made ${usage.recent} submissions in the last hour, the most this server accepts; try again in ${wait} s`);
}

function storageError(used: number, adds: number, quotas: SubmissionQuotas): HttpError {
  const what = adds > 0 ? `this submission adds ${adds} bytes to the ${used} this token stores` : `this token stores ${used} bytes`;
  return new HttpError(413, 'USAGE', `storage quota: ${what}, over its quota of ${quotas.maxBytesPerToken} bytes; ask the server's operator for more room`);
}
