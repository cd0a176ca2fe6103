import type { Sql } from './sql.js';

/**
 * What a submission token uses, counted from the stored submissions (so quotas hold across restarts and across
 * every server of a cluster): the bytes of the distinct files its submissions still keep (a failed submission's
 * blobs are deleted, so they stop counting; a file shared by two of its submissions counts once), and the
 * submissions it made since a moment (the submission rate).
 *
 * @example
 * const u = await tokenUsage(sql, tokenId, new Date(Date.now() - 3600_000).toISOString());
 * u.bytes;             // 41_943_040
 * u.recent;            // 3 submissions in the last hour
 * u.oldestRecent;      // '2026-12-03T12:10:00.000Z' (the hour's window frees a slot an hour after it)
 * u.files.has(sha256); // true when this token already stores those bytes
 */
export interface TokenUsage {
  /** Bytes of the distinct files of the token's submissions that are not failed. */
  readonly bytes: number;
  /** Sizes of those files by sha256. */
  readonly files: ReadonlyMap<string, number>;
  /** Submissions created at or after `since` (any status). */
  readonly recent: number;
  /** created_at of the oldest of those, or null. */
  readonly oldestRecent: string | null;
}

export async function tokenUsage(sql: Sql, tokenId: string, since: string): Promise<TokenUsage> {
  const rows = await sql.all<{ sha256: string; size: number | string }>(
    `SELECT f.sha256 AS sha256, f.size AS size FROM files f WHERE f.sha256 IN (
       SELECT sf.sha256 FROM submission_files sf JOIN submissions s ON s.id = sf.submission_id WHERE s.token_id = ? AND s.status <> 'failed')`,
    [tokenId],
  );
  const files = new Map(rows.map((r) => [r.sha256, Number(r.size)] as const));
  const rate = await sql.get<{ n: number | string; oldest: string | null }>('SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM submissions WHERE token_id = ? AND created_at >= ?', [tokenId, since]);
  return { bytes: [...files.values()].reduce((a, b) => a + b, 0), files, recent: Number(rate?.n ?? 0), oldestRecent: rate?.oldest ?? null };
}
