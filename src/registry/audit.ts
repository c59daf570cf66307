/** Audit entries for model signing and verification, when a state folder exists. */
import { openAuditLog } from '../audit/index.js';
import { pathExists } from '../core/index.js';
import { openState } from '../state/index.js';

/** One model event to record. */
export interface ModelAuditEvent {
  readonly home: string;
  readonly configFile?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly actor: string;
  readonly action: 'model.sign' | 'model.verify';
  /** The model path. */
  readonly model: string;
  /** `sha256:<hex>` root digest. */
  readonly digest?: string | undefined;
  readonly allowed: boolean;
  readonly reason?: string;
}

/**
 * Appends the event to the audit log of the state folder and returns its index, or null when
 * there is no state folder (nothing is created just to log).
 * @throws store, key and audit errors of an existing state folder.
 */
export async function recordModelEvent(event: ModelAuditEvent): Promise<number | null> {
  if (!(await pathExists(event.home))) return null;
  const state = await openState({
    home: event.home,
    configFile: event.configFile,
    env: event.env,
    create: false,
  });
  try {
    const { log } = await openAuditLog(state.store, state.layout);
    const receipt = await log.append({
      actor: { subject: event.actor.slice(0, 256) || 'local', type: 'human' },
      action: event.action,
      resource: {
        type: 'model',
        id: event.model.slice(-512),
        ...(event.digest === undefined ? {} : { digest: event.digest }),
      },
      decision: {
        allowed: event.allowed,
        ...(event.reason === undefined ? {} : { reason: event.reason.slice(0, 1024) }),
      },
    });
    return receipt.index;
  } finally {
    await state.close();
  }
}
