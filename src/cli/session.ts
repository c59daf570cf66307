import { HashPool, packageVersion, RampartError } from '../core/index.js';
import {
  openIdentity,
  type Action,
  type Identity,
  type PrincipalRecord,
  type Resource,
} from '../identity/index.js';
import type { RegistryContext } from '../registry/index.js';
import { openState, type State } from '../state/index.js';
import type { CommandContext } from './command.js';

/** An authenticated CLI session: the open state, identity services and the caller. */
export interface Session {
  readonly state: State;
  readonly identity: Identity;
  readonly principal: PrincipalRecord;
  /**
   * Asks the policy decision point (the decision is audited either way).
   * @throws RAMPART_FORBIDDEN when it refuses
   */
  authorize(action: Action, resource: Resource): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the state folder and authenticates the caller's token (--token or $RAMPART_TOKEN).
 * A missing, unknown, revoked or expired token is refused (exit 1) and audited.
 * @throws RAMPART_UNAUTHENTICATED, RAMPART_HOME_INVALID, RAMPART_STORE_*, RAMPART_KEY_*
 */
export async function openSession(
  context: CommandContext,
  options: { readonly create?: boolean } = {},
): Promise<Session> {
  const state = await openState({
    home: context.location.home,
    configFile: context.location.configFile,
    env: context.env,
    ...(options.create === undefined ? {} : { create: options.create }),
  });
  try {
    const identity = await openIdentity(state);
    const { principal } = await identity.authenticator.authenticate({ bearer: context.token });
    return {
      state,
      identity,
      principal,
      async authorize(action, resource) {
        const decision = await identity.access.decide(principal, action, resource);
        if (!decision.allowed) {
          throw new RampartError('RAMPART_FORBIDDEN', `${action} refused: ${decision.reason}`, {
            details: { action, principal: principal.subject, auditIndex: decision.auditIndex },
          });
        }
        return decision.auditIndex;
      },
      close: () => state.close(),
    };
  } catch (error) {
    await state.close();
    throw error;
  }
}

/**
 * The registry of an open state folder, with the hashing pool it runs on (sized by
 * hashing.workers); close() releases the pool.
 */
export async function openStateRegistry(
  state: State,
  identity: Identity,
): Promise<{ registry: RegistryContext; close(): Promise<void> }> {
  const workers = state.config.hashing.workers;
  const pool = new HashPool(workers > 0 ? { size: workers } : {});
  try {
    // Loaded here, not at start: commands that never touch the registry skip the scanner too.
    const { openRegistry } = await import('../registry/index.js');
    const registry = await openRegistry(state, identity, { pool, toolVersion: packageVersion() });
    return { registry, close: () => pool.close() };
  } catch (error) {
    await pool.close();
    throw error;
  }
}

/** Runs `fn` with the registry of a session's state folder. */
export async function withRegistry<T>(
  session: Session,
  fn: (registry: RegistryContext) => Promise<T>,
): Promise<T> {
  const opened = await openStateRegistry(session.state, session.identity);
  try {
    return await fn(opened.registry);
  } finally {
    await opened.close();
  }
}
