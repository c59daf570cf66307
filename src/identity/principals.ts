import { RampartError } from '../core/index.js';
import type { Executor } from '../store/index.js';
import { checkPrincipalName } from './names.js';
import { isRole, type Role } from './roles.js';

/** Someone acting on Rampart: a person, or a service account owned by one. */
export interface Principal {
  readonly subject: string;
  readonly type: 'human' | 'service';
  readonly roles: readonly Role[];
  /** The human who owns a service account; null for people. */
  readonly owner: string | null;
}

/** A principal as listed, with its bookkeeping. */
export interface PrincipalRecord extends Principal {
  readonly createdAt: string;
  readonly createdBy: string;
  readonly disabledAt: string | null;
}

/** What {@link addPrincipal} needs. */
export interface NewPrincipal {
  readonly name: string;
  readonly type: 'human' | 'service';
  readonly roles: readonly Role[];
  readonly owner?: string | null;
  readonly createdBy: string;
  readonly now: Date;
}

interface PrincipalRow {
  [key: string]: unknown;
  name: string;
  kind: string;
  owner: string | null;
  roles: string;
  created_at: string;
  created_by: string;
  disabled_at: string | null;
}

const COLUMNS = 'name, kind, owner, roles, created_at, created_by, disabled_at';

/**
 * Adds a principal. A service account must name an existing human owner; a human has none.
 * @throws RAMPART_PRINCIPAL_INVALID, RAMPART_PRINCIPAL_EXISTS, RAMPART_PRINCIPAL_NOT_FOUND (owner)
 */
export async function addPrincipal(db: Executor, input: NewPrincipal): Promise<PrincipalRecord> {
  const name = checkPrincipalName(input.name);
  const owner = input.owner ?? null;
  if (input.type === 'human' && owner !== null) {
    throw new RampartError(
      'RAMPART_PRINCIPAL_INVALID',
      `${name} is a person and cannot have an owner`,
      {
        hint: 'Only service accounts (--service) have an --owner.',
      },
    );
  }
  if (input.type === 'service') {
    if (owner === null) {
      throw new RampartError(
        'RAMPART_PRINCIPAL_INVALID',
        `service account ${name} needs an owner`,
        {
          hint: 'Name the person responsible for it with --owner <principal>.',
        },
      );
    }
    const ownerRecord = await getPrincipal(db, owner);
    if (ownerRecord.type !== 'human') {
      throw new RampartError('RAMPART_PRINCIPAL_INVALID', `owner ${owner} is not a person`, {
        hint: 'A service account is owned by a human principal, never by another service account.',
      });
    }
  }
  if ((await findPrincipal(db, name)) !== null) {
    throw new RampartError('RAMPART_PRINCIPAL_EXISTS', `principal ${name} already exists`);
  }
  const createdAt = input.now.toISOString();
  await db.run(
    'INSERT INTO principals (name, kind, owner, roles, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)',
    [name, input.type, owner, input.roles.join(','), createdAt, input.createdBy],
  );
  return {
    subject: name,
    type: input.type,
    roles: [...input.roles],
    owner,
    createdAt,
    createdBy: input.createdBy,
    disabledAt: null,
  };
}

/** The principal with this name, or null. */
export async function findPrincipal(db: Executor, name: string): Promise<PrincipalRecord | null> {
  const rows = await db.query<PrincipalRow>(`SELECT ${COLUMNS} FROM principals WHERE name = ?`, [
    name,
  ]);
  return rows[0] === undefined ? null : toRecord(rows[0]);
}

/**
 * The principal with this name.
 * @throws RAMPART_PRINCIPAL_NOT_FOUND
 */
export async function getPrincipal(db: Executor, name: string): Promise<PrincipalRecord> {
  const found = await findPrincipal(db, name);
  if (found === null) {
    throw new RampartError(
      'RAMPART_PRINCIPAL_NOT_FOUND',
      `there is no principal named ${name.slice(0, 80)}`,
    );
  }
  return found;
}

/** Every principal, by name. */
export async function listPrincipals(db: Executor): Promise<PrincipalRecord[]> {
  const rows = await db.query<PrincipalRow>(`SELECT ${COLUMNS} FROM principals ORDER BY name`);
  return rows.map(toRecord);
}

/**
 * Disables a principal: its tokens, JWTs and certificates stop authenticating at once. Disabling
 * twice keeps the first time. The admin principal cannot be disabled (replace admin.token instead).
 * @throws RAMPART_PRINCIPAL_NOT_FOUND, RAMPART_PRINCIPAL_INVALID (the admin principal)
 */
export async function disablePrincipal(
  db: Executor,
  name: string,
  now: Date,
): Promise<PrincipalRecord> {
  if (name === 'admin') {
    throw new RampartError('RAMPART_PRINCIPAL_INVALID', 'the admin principal cannot be disabled', {
      hint: 'To lock out a leaked admin token, delete admin.token and run `rampart init` to issue a new one.',
    });
  }
  await getPrincipal(db, name);
  await db.run('UPDATE principals SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL', [
    now.toISOString(),
    name,
  ]);
  return getPrincipal(db, name);
}

/** Service accounts owned by `owner`. */
export async function ownedServiceAccounts(db: Executor, owner: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT name FROM principals WHERE owner = ? AND kind = 'service' ORDER BY name",
    [owner],
  );
  return rows.map((row) => row.name);
}

function toRecord(row: PrincipalRow): PrincipalRecord {
  return {
    subject: row.name,
    type: row.kind === 'service' ? 'service' : 'human',
    // Unknown role names in the database grant nothing.
    roles: row.roles.split(',').filter(isRole),
    owner: row.owner,
    createdAt: row.created_at,
    createdBy: row.created_by,
    disabledAt: row.disabled_at,
  };
}
