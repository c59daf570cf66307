import { openAuditLog, type AppendReceipt, type AuditLog } from '../../../audit/index.js';
import type { State } from '../../../state/index.js';

// An allowed action taken by Rampart itself (not by a user), as an audit event.
function serviceEvent(action: string, resource: { type: string; id: string }): unknown {
  return {
    actor: { subject: 'rampart', type: 'service' },
    action,
    resource,
    decision: { allowed: true },
  };
}

/**
 * Appends `state.init` to the state's audit log when this run created anything.
 * @throws RAMPART_KEY_* for a damaged checkpoint key; store errors.
 */
export async function recordInit(state: State): Promise<AppendReceipt | null> {
  if (state.created.length === 0) return null;
  const { log } = await openAuditLog(state.store, state.layout);
  return appendServiceEvent(log, 'state.init', { type: 'state', id: state.layout.home });
}

/** Appends one service event. @throws RAMPART_AUDIT_EVENT_INVALID; store errors. */
export function appendServiceEvent(
  log: AuditLog,
  action: string,
  resource: { type: string; id: string },
): Promise<AppendReceipt> {
  return log.append(serviceEvent(action, resource));
}
