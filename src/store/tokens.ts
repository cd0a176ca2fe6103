import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Sql } from './sql.js';

/**
 * Submission tokens. A token reads `gb_<id>_<secret>`: the id finds the row, the secret is checked against the stored
 * sha256 with a constant-time comparison. The secret itself is never stored, so a copy of the database grants nothing.
 *
 * @example
 * const { token } = await createToken(sql, { name: 'alice' }); // 'gb_3f9c0a1b2c3d4e5f_Jx...' (printed once)
 * (await verifyToken(sql, token))?.name;                        // 'alice'
 * await verifyToken(sql, 'gb_3f9c0a1b2c3d4e5f_wrong');          // undefined
 */
export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly admin: boolean;
  readonly createdAt: string;
}

const TOKEN_RE = /^gb_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Creates a token and returns it in clear (the only time it is available). */
export async function createToken(sql: Sql, opts: { name: string; admin?: boolean }): Promise<{ token: string; info: TokenInfo }> {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const createdAt = new Date().toISOString();
  const admin = opts.admin === true;
  await sql.run('INSERT INTO tokens (id, name, hash, admin, created_at) VALUES (?, ?, ?, ?, ?)', [id, opts.name, hashSecret(secret), admin ? 1 : 0, createdAt]);
  return { token: `gb_${id}_${secret}`, info: { id, name: opts.name, admin, createdAt } };
}

/** The token's owner when `token` is valid and not revoked; undefined otherwise (malformed, unknown, wrong secret). */
export async function verifyToken(sql: Sql, token: string | undefined): Promise<TokenInfo | undefined> {
  const m = TOKEN_RE.exec(token ?? '');
  // hash even when malformed, so timing does not tell a malformed token from a wrong one
  const given = Buffer.from(hashSecret(m?.[2] ?? 'x'), 'hex');
  if (m === null) return undefined;
  const row = await sql.get<{ id: string; name: string; hash: string; admin: number; created_at: string; revoked_at: string | null }>(
    'SELECT id, name, hash, admin, created_at, revoked_at FROM tokens WHERE id = ?',
    [m[1]!],
  );
  const stored = Buffer.from(row?.hash ?? '0'.repeat(64), 'hex');
  const equal = timingSafeEqual(given, stored);
  if (row === undefined || !equal || row.revoked_at !== null) return undefined;
  return { id: row.id, name: row.name, admin: row.admin === 1, createdAt: row.created_at };
}

/** Revokes a token by id; returns whether a live token was revoked. */
export async function revokeToken(sql: Sql, id: string): Promise<boolean> {
  const r = await sql.run('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [new Date().toISOString(), id]);
  return r.changes === 1;
}

/** Every token (without secrets), newest first. */
export async function listTokens(sql: Sql): Promise<Array<TokenInfo & { revoked: boolean }>> {
  const rows = await sql.all<{ id: string; name: string; admin: number; created_at: string; revoked_at: string | null }>(
    'SELECT id, name, admin, created_at, revoked_at FROM tokens ORDER BY created_at DESC, id',
  );
  return rows.map((r) => ({ id: r.id, name: r.name, admin: r.admin === 1, createdAt: r.created_at, revoked: r.revoked_at !== null }));
}
