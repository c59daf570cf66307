/**
 * Gateway permissions per model and verb: which principal may call which served model with
 * `infer` or `metadata`. Model `*` grants the verb on every served model. Deny by default.
 */
import { RampartError } from '../core/index.js';
import { getPrincipal } from '../identity/index.js';
import type { Executor } from '../store/index.js';

/** What a grant allows on a served model. */
export const VERBS = ['infer', 'metadata'] as const;

/** One verb. */
export type Verb = (typeof VERBS)[number];

/** One grant. */
export interface Grant {
  readonly principal: string;
  readonly model: string;
  readonly verb: Verb;
  readonly createdBy: string;
  readonly createdAt: string;
}

const MODEL = /^(\*|[a-z0-9][a-z0-9._-]{0,127})$/;

/**
 * Parses a verb list (`infer,metadata`).
 * @throws RAMPART_USAGE on an unknown verb or an empty list
 */
export function parseVerbs(values: readonly string[]): Verb[] {
  const verbs = values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const known: readonly string[] = VERBS;
  const bad = verbs.find((v) => !known.includes(v));
  if (verbs.length === 0 || bad !== undefined) {
    throw new RampartError(
      'RAMPART_USAGE',
      bad === undefined ? 'name at least one verb' : `unknown verb '${bad.slice(0, 32)}'`,
      {
        hint: `Verbs: ${VERBS.join(', ')}.`,
      },
    );
  }
  return [...new Set(verbs as Verb[])];
}

/**
 * Grants `verbs` on `model` (or `*`) to an existing principal; granting twice is a no-op.
 * @throws RAMPART_USAGE (bad model name), RAMPART_PRINCIPAL_NOT_FOUND
 */
export async function addGrants(
  db: Executor,
  input: { principal: string; model: string; verbs: readonly Verb[]; by: string; now: Date },
): Promise<Grant[]> {
  if (!MODEL.test(input.model)) {
    throw new RampartError(
      'RAMPART_USAGE',
      `'${input.model.slice(0, 80)}' is not a served model name or *`,
    );
  }
  await getPrincipal(db, input.principal);
  const at = input.now.toISOString();
  for (const verb of input.verbs) {
    await db.run(
      'INSERT INTO model_grants (principal, model, verb, created_by, created_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM model_grants WHERE principal = ? AND model = ? AND verb = ?)',
      [input.principal, input.model, verb, input.by, at, input.principal, input.model, verb],
    );
  }
  return (await listGrants(db, input.principal)).filter((g) => g.model === input.model);
}

/** Removes grants; returns how many there were. */
export async function revokeGrants(
  db: Executor,
  input: { principal: string; model: string; verbs: readonly Verb[] },
): Promise<number> {
  let removed = 0;
  for (const verb of input.verbs) {
    removed += (
      await db.run('DELETE FROM model_grants WHERE principal = ? AND model = ? AND verb = ?', [
        input.principal,
        input.model,
        verb,
      ])
    ).changes;
  }
  return removed;
}

/** Every grant (optionally of one principal), by principal and model. */
export async function listGrants(db: Executor, principal?: string): Promise<Grant[]> {
  const rows = await db.query<{
    principal: string;
    model: string;
    verb: string;
    created_by: string;
    created_at: string;
  }>(
    principal === undefined
      ? 'SELECT principal, model, verb, created_by, created_at FROM model_grants ORDER BY principal, model, verb'
      : 'SELECT principal, model, verb, created_by, created_at FROM model_grants WHERE principal = ? ORDER BY model, verb',
    principal === undefined ? [] : [principal],
  );
  return rows.map((r) => ({
    principal: r.principal,
    model: r.model,
    verb: r.verb as Verb,
    createdBy: r.created_by,
    createdAt: r.created_at,
  }));
}

/** Whether `principal` holds `verb` on `model` (directly or through `*`). */
export async function hasGrant(
  db: Executor,
  principal: string,
  model: string,
  verb: Verb,
): Promise<boolean> {
  const rows = await db.query<{ n: number }>(
    "SELECT 1 AS n FROM model_grants WHERE principal = ? AND verb = ? AND (model = ? OR model = '*') LIMIT 1",
    [principal, verb, model],
  );
  return rows.length > 0;
}
