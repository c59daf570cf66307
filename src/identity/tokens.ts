import { randomBytes, timingSafeEqual } from 'node:crypto';
import { RampartError } from '../core/index.js';
import { ADMIN_TOKEN_META_KEY, hashToken } from '../state/index.js';
import { getMeta, type Executor } from '../store/index.js';
import { getPrincipal, type PrincipalRecord } from './principals.js';

/** API tokens look like the admin token: `rmp_<43 base64url characters>` (256 random bits). */
const TOKEN_PATTERN = /^rmp_[A-Za-z0-9_-]{43}$/;

/** The public id of the admin token written by `rampart init` (its hash lives in rampart_meta). */
export const ADMIN_TOKEN_ID = 'admin.token';

/** A token as listed: never the token itself, which is shown once at creation. */
export interface TokenRecord {
  readonly id: string;
  readonly principal: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
}

/** A new token: the secret (show it once) and its record. */
export interface CreatedToken {
  readonly token: string;
  readonly record: TokenRecord;
}

interface TokenRow {
  [key: string]: unknown;
  id: string;
  principal: string;
  created_at: string;
  created_by: string;
  expires_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = 'id, principal, created_at, created_by, expires_at, revoked_at';

/**
 * Parses a lifetime such as `30d`, `12h` or `45m` into milliseconds, at most `maxDays`.
 * @throws RAMPART_TOKEN_INPUT_INVALID
 */
export function parseLifetime(text: string, maxDays: number): number {
  const match = /^([1-9][0-9]{0,5})([dhm])$/.exec(text);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const;
  const ms = match === null ? NaN : Number(match[1]) * unit[match[2] as keyof typeof unit];
  if (!Number.isFinite(ms) || ms > maxDays * 86_400_000) {
    throw new RampartError(
      'RAMPART_TOKEN_INPUT_INVALID',
      `'${text.slice(0, 32)}' is not a token lifetime of at most ${maxDays} days`,
    );
  }
  return ms;
}

/**
 * Issues a token for an existing, enabled principal. Only its SHA-256 is stored.
 * @throws RAMPART_PRINCIPAL_NOT_FOUND, RAMPART_PRINCIPAL_INVALID (disabled principal)
 */
export async function createToken(
  db: Executor,
  input: { principal: string; lifetimeMs: number; createdBy: string; now: Date },
): Promise<CreatedToken> {
  const principal = await getPrincipal(db, input.principal);
  if (principal.disabledAt !== null) {
    throw new RampartError(
      'RAMPART_PRINCIPAL_INVALID',
      `principal ${principal.subject} is disabled`,
    );
  }
  const token = `rmp_${randomBytes(32).toString('base64url')}`;
  const record: TokenRecord = {
    id: `tok_${randomBytes(6).toString('hex')}`,
    principal: principal.subject,
    createdAt: input.now.toISOString(),
    createdBy: input.createdBy,
    expiresAt: new Date(input.now.getTime() + input.lifetimeMs).toISOString(),
    revokedAt: null,
  };
  await db.run(
    'INSERT INTO api_tokens (id, principal, hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
    [
      record.id,
      record.principal,
      hashToken(token),
      record.createdAt,
      record.createdBy,
      record.expiresAt,
    ],
  );
  return { token, record };
}

/** Every token (optionally of one principal), newest first. */
export async function listTokens(db: Executor, principal?: string): Promise<TokenRecord[]> {
  const rows =
    principal === undefined
      ? await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens ORDER BY created_at DESC, id`)
      : await db.query<TokenRow>(
          `SELECT ${COLUMNS} FROM api_tokens WHERE principal = ? ORDER BY created_at DESC, id`,
          [principal],
        );
  return rows.map(toRecord);
}

/**
 * Revokes a token; revoking twice keeps the first time.
 * @throws RAMPART_TOKEN_NOT_FOUND
 */
export async function revokeToken(
  db: Executor,
  input: { id: string; revokedBy: string; now: Date },
): Promise<TokenRecord> {
  await db.run(
    'UPDATE api_tokens SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL',
    [input.now.toISOString(), input.revokedBy, input.id],
  );
  const rows = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE id = ?`, [
    input.id,
  ]);
  if (rows[0] === undefined) {
    throw new RampartError(
      'RAMPART_TOKEN_NOT_FOUND',
      `there is no token with id ${input.id.slice(0, 64)}`,
    );
  }
  return toRecord(rows[0]);
}

/** Why a bearer token did not authenticate, or whom it names. */
export type TokenResolution =
  | { readonly ok: true; readonly principal: PrincipalRecord; readonly tokenId: string }
  | { readonly ok: false; readonly reason: string; readonly principal?: string };

/**
 * Resolves a bearer token to its principal: an API token that is known, not revoked, not
 * expired and whose principal is enabled, or the admin token of the state folder.
 */
export async function resolveToken(
  db: Executor,
  token: string,
  now: Date,
): Promise<TokenResolution> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, reason: 'the token is not a Rampart token' };
  const hash = hashToken(token);
  const rows = await db.query<TokenRow>(`SELECT ${COLUMNS} FROM api_tokens WHERE hash = ?`, [hash]);
  const row = rows[0];
  if (row === undefined) {
    const adminHash = await getMeta(db, ADMIN_TOKEN_META_KEY);
    if (typeof adminHash === 'string' && sameHex(hash, adminHash)) {
      return { ok: true, principal: await getPrincipal(db, 'admin'), tokenId: ADMIN_TOKEN_ID };
    }
    return { ok: false, reason: 'the token is unknown' };
  }
  const record = toRecord(row);
  if (record.revokedAt !== null) {
    return {
      ok: false,
      reason: `token ${record.id} was revoked at ${record.revokedAt}`,
      principal: record.principal,
    };
  }
  if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now.getTime()) {
    return {
      ok: false,
      reason: `token ${record.id} expired at ${record.expiresAt}`,
      principal: record.principal,
    };
  }
  const principal = await getPrincipal(db, record.principal);
  if (principal.disabledAt !== null) {
    return {
      ok: false,
      reason: `principal ${principal.subject} is disabled`,
      principal: principal.subject,
    };
  }
  return { ok: true, principal, tokenId: record.id };
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

function toRecord(row: TokenRow): TokenRecord {
  return {
    id: row.id,
    principal: row.principal,
    createdAt: row.created_at,
    createdBy: row.created_by,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
