import { HttpError } from '../errors.js';
import type { Sql } from '../store/sql.js';

/**
 * Who submitted what, for the board: a model is *official* when a submission of it came with an admin token (the
 * server's operators), and a submitter's model names are unique: a second model under a name the same token already
 * uses is refused with 409 (an upload of identical files is deduplicated before this check and returns the earlier
 * submission). Models whose every submission by that token failed do not hold their name, so a fixed checkpoint
 * can be submitted again under it. Run `claimModelName` inside the transaction that creates the submission (SQLite
 * serialises transactions; PostgreSQL locks the token's row), so two concurrent uploads cannot both take a name.
 *
 * @example
 * await officialModels(sql, ['m1', 'm2']); // Set { 'm1' }
 * await sql.transaction((tx) => claimModelName(tx, { tokenId, name: 'mnist-dcgan' })); // throws HttpError 409 when taken
 */
export async function officialModels(sql: Sql, modelIds: readonly string[]): Promise<Set<string>> {
  if (modelIds.length === 0) return new Set();
  const rows = await sql.all<{ model_id: string }>(
    `SELECT DISTINCT s.model_id FROM submissions s JOIN tokens t ON t.id = s.token_id WHERE t.admin = 1 AND s.model_id IN (${modelIds.map(() => '?').join(', ')})`,
    modelIds,
  );
  return new Set(rows.map((r) => r.model_id));
}

export async function claimModelName(tx: Sql, o: { tokenId: string; name: string }): Promise<void> {
  if (tx.dialect === 'postgres') await tx.get('SELECT id FROM tokens WHERE id = ? FOR UPDATE', [o.tokenId]);
  const taken = await tx.get<{ id: string }>(
    "SELECT m.id FROM models m JOIN submissions s ON s.model_id = m.id WHERE s.token_id = ? AND m.name = ? AND s.status <> 'failed' LIMIT 1",
    [o.tokenId, o.name],
  );
  if (taken !== undefined) {
    throw new HttpError(409, 'INPUT', `model name '${o.name}' is already used by another model of this token (/models/${taken.id}); give the new model its own 'name' in the manifest`);
  }
}
