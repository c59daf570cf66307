import { openAuditLog, type AuditLog } from '../audit/index.js';
import type { State } from '../state/index.js';
import { AccessControl } from './access.js';
import { Authenticator, type BearerJwtVerifier } from './authenticate.js';

/** Identity services over an open state folder. */
export interface Identity {
  readonly audit: AuditLog;
  readonly access: AccessControl;
  readonly authenticator: Authenticator;
}

/** Opens the audit log and builds the policy decision point and authenticator on it. */
export async function openIdentity(
  state: State,
  options: { readonly jwt?: BearerJwtVerifier | undefined; readonly now?: () => Date } = {},
): Promise<Identity> {
  const { log } = await openAuditLog(state.store, state.layout);
  const access = new AccessControl(log);
  const authenticator = new Authenticator({
    db: state.store,
    access,
    now: options.now ?? (() => new Date()),
    jwt: options.jwt,
  });
  return { audit: log, access, authenticator };
}
