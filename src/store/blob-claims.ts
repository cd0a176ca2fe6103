import type { Blobs } from './blobs.js';
import type { Sql } from './sql.js';

/**
 * Claims on blobs, so an upload that fails never removes bytes that a concurrent upload of the same file relies on.
 * Blobs are content-addressed: two uploads of one checkpoint share its blob, and only the one that stored it first
 * knows it created it. Before storing anything an upload claims each of its blobs (a `blob_claims` row per blob
 * and upload) and learns, in the same transaction, which blobs exist already; when it fails it removes a blob it
 * created only if, in one transaction, no `files` row and no other upload's claim refers to it.
 *
 * Why no interleaving loses a blob: SQLite transactions run one at a time (BEGIN IMMEDIATE, one writer) and the
 * folder store's file checks and removals run inside them; PostgreSQL transactions are SERIALIZABLE and retried on
 * a serialization failure (postgres.ts). So either the removal sees the other upload's claim and keeps the blob, or
 * that upload's claim runs after the removal, finds the blob missing and stores it again itself.
 *
 * A claim left by a process that stopped mid-upload keeps its blobs alive (never the other way round) until the
 * server's start-up sweep finds it older than any upload can take (sweepStaleClaims, 6 h by default): then the claim
 * goes, and with it each of its blobs that no `files` row and no other claim refers to.
 *
 * @example
 * const existed = await claimBlobs(sql, blobs, claim, ['7cbe29...']);  // Set {} : not stored yet, this upload stores it
 * await removeUnclaimed(sql, blobs, claim, ['7cbe29...']);             // failed: removed unless recorded or claimed
 * await dropClaims(sql, claim);                                        // recorded: its files rows keep the blob now
 */
export async function claimBlobs(sql: Sql, blobs: Blobs, claim: string, shas: readonly string[]): Promise<Set<string>> {
  return sql.transaction(async (tx) => {
    const now = new Date().toISOString();
    const existed = new Set<string>();
    for (const sha of new Set(shas)) {
      await tx.run('INSERT INTO blob_claims (sha256, claim, created_at) VALUES (?, ?, ?) ON CONFLICT (sha256, claim) DO NOTHING', [sha, claim, now]);
      if (await blobs.stored(sha, tx)) existed.add(sha);
    }
    return existed;
  });
}

/** Deletes the claims of `claim` (once its submission's `files` rows are committed, or inside that transaction). */
export async function dropClaims(sql: Sql, claim: string): Promise<void> {
  await sql.run('DELETE FROM blob_claims WHERE claim = ?', [claim]);
}

/**
 * After a failed upload: deletes its claims and removes each blob of `created` (the ones it stored itself) that no
 * `files` row and no other claim refers to, all in one transaction. Returns the blobs removed.
 */
export async function removeUnclaimed(sql: Sql, blobs: Blobs, claim: string, created: readonly string[]): Promise<string[]> {
  return sql.transaction(async (tx) => {
    await dropClaims(tx, claim);
    const unrecorded: string[] = [];
    for (const sha of new Set(created)) {
      if ((await tx.get('SELECT sha256 FROM files WHERE sha256 = ?', [sha])) === undefined) unrecorded.push(sha);
    }
    return removeBlobsUnlessClaimed(tx, blobs, unrecorded);
  });
}

/**
 * Removes each blob of `shas` that no upload in flight claims; returns the ones removed. Call it inside the
 * transaction that found the blobs unused (a failed submission's blobs that nothing else shares, say), so that the
 * check, the claims and the removal are one step.
 *
 * @example
 * await sql.transaction(async (tx) => removeBlobsUnlessClaimed(tx, blobs, await unsharedFiles(tx, id))); // ['7cbe29...']
 */
export async function removeBlobsUnlessClaimed(tx: Sql, blobs: Blobs, shas: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const sha of new Set(shas)) {
    if ((await tx.get('SELECT claim FROM blob_claims WHERE sha256 = ? LIMIT 1', [sha])) !== undefined) continue;
    await blobs.remove(sha, tx);
    removed.push(sha);
  }
  return removed;
}

/**
 * Deletes the claims created before `before` (an ISO time; uploads that stopped mid-way) and, in the same
 * transaction, each of their blobs that no `files` row and no remaining claim refers to. Returns what went.
 *
 * @example
 * await sweepStaleClaims(sql, blobs, new Date(Date.now() - 6 * 3600_000).toISOString()); // { claims: 2, blobs: 1 }
 */
export async function sweepStaleClaims(sql: Sql, blobs: Blobs, before: string): Promise<{ claims: number; blobs: number }> {
  return sql.transaction(async (tx) => {
    const stale = await tx.all<{ sha256: string }>('SELECT sha256 FROM blob_claims WHERE created_at < ?', [before]);
    await tx.run('DELETE FROM blob_claims WHERE created_at < ?', [before]);
    const unrecorded: string[] = [];
    for (const sha of new Set(stale.map((c) => c.sha256))) {
      if ((await tx.get('SELECT sha256 FROM files WHERE sha256 = ? LIMIT 1', [sha])) === undefined) unrecorded.push(sha);
    }
    const removed = await removeBlobsUnlessClaimed(tx, blobs, unrecorded);
    return { claims: stale.length, blobs: removed.length };
  });
}
