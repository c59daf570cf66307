/** Moving unprotected aliases directly, and quarantining versions. */
import { RampartError } from '../core/index.js';
import type { Principal } from '../identity/index.js';
import { addReceipt } from '../audit/index.js';
import { audited, type RegistryContext } from './context.js';
import { checkAlias, parseModelRef, versionLabel } from './model-names.js';
import { closeRequest, openRequestsOf } from './promotions-repo.js';
import {
  dropAliasesOf,
  insertQuarantine,
  quarantineOf,
  resolveModelVersion,
  setAlias,
} from './versions-repo.js';

/**
 * Points an unprotected alias at a version. Protected aliases (production by default) are
 * refused here: they move only through an approved promotion request.
 * @throws RAMPART_ALIAS_PROTECTED, RAMPART_MODEL_QUARANTINED, RAMPART_MODEL_*, RAMPART_FORBIDDEN
 */
export async function setModelAlias(
  context: RegistryContext,
  actor: Principal,
  input: { ref: string; alias: string },
): Promise<{ name: string; alias: string; version: number; auditIndex: number }> {
  const resource = { type: 'model-version', id: `${input.ref} -> ${input.alias}`.slice(0, 256) };
  return audited(context, actor, 'model.alias', resource, async () => {
    const alias = checkAlias(input.alias);
    if (context.policies[alias]?.protected === true) {
      throw new RampartError(
        'RAMPART_ALIAS_PROTECTED',
        `alias ${alias} is protected; it moves only through an approved promotion request`,
      );
    }
    const record = await resolveModelVersion(context.store, parseModelRef(input.ref, true));
    const quarantine = await quarantineOf(context.store, record.name, record.version);
    if (quarantine !== null) {
      throw new RampartError(
        'RAMPART_MODEL_QUARANTINED',
        `${versionLabel(record.name, record.version)} is quarantined: ${quarantine.reason}`,
      );
    }
    await setAlias(context.store, {
      name: record.name,
      alias,
      version: record.version,
      by: actor.subject,
      at: context.now().toISOString(),
      requestId: null,
    });
    return { result: { name: record.name, alias, version: record.version }, digest: record.digest };
  });
}

/**
 * Quarantines a version: it leaves every alias (so it stops being served), its open requests
 * are cancelled, and it can never be promoted again. Idempotent.
 * @throws RAMPART_MODEL_*, RAMPART_FORBIDDEN, RAMPART_USAGE (no reason)
 */
export async function quarantineModelVersion(
  context: RegistryContext,
  actor: Principal,
  input: { ref: string; reason: string },
): Promise<{
  name: string;
  version: number;
  removedAliases: string[];
  cancelledRequests: string[];
  auditIndex: number;
}> {
  const resource = { type: 'model-version', id: input.ref.slice(0, 256) };
  const done = await audited(context, actor, 'model.quarantine', resource, async () => {
    const reason = input.reason.trim().slice(0, 1024);
    if (reason === '')
      throw new RampartError('RAMPART_USAGE', 'a quarantine needs a reason', {
        hint: 'Say why with --reason "<text>".',
      });
    const record = await resolveModelVersion(context.store, parseModelRef(input.ref, true));
    const at = context.now().toISOString();
    const changes = await context.store.transaction(async (tx) => {
      await insertQuarantine(tx, {
        name: record.name,
        version: record.version,
        reason,
        by: actor.subject,
        at,
      });
      const removedAliases = await dropAliasesOf(tx, record.name, record.version);
      const cancelledRequests: string[] = [];
      for (const id of await openRequestsOf(tx, record.name, record.version)) {
        if (
          await closeRequest(tx, {
            id,
            state: 'cancelled',
            reason: `version quarantined: ${reason}`,
            at,
          })
        )
          cancelledRequests.push(id);
      }
      return { removedAliases, cancelledRequests };
    });
    return {
      result: { name: record.name, version: record.version, ...changes },
      digest: record.digest,
    };
  });
  await addReceipt(context.store, {
    type: 'model-version',
    id: versionLabel(done.name, done.version),
    action: 'model.quarantine',
    index: done.auditIndex,
    at: context.now().toISOString(),
  });
  return done;
}
