import { readFileSync } from 'node:fs';
import {
  addPrincipal,
  createToken,
  openIdentity,
  type Identity,
  type Role,
} from '../src/identity/index.js';
import { openState, type State } from '../src/state/index.js';

/** A state folder with its identity services and admin token. */
export interface TestIdentity {
  readonly state: State;
  readonly identity: Identity;
  readonly adminToken: string;
  /** Adds a person with `roles` and returns a token for them. */
  person(name: string, roles: readonly Role[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * Opens (creating) a state folder on SQLite with identity services, for in-process tests.
 * Create `home` with tempDir() at the top level of the test file (hooks remove their own).
 */
export async function testIdentity(home: string): Promise<TestIdentity> {
  const state = await openState({ home, env: {} });
  const identity = await openIdentity(state);
  return {
    state,
    identity,
    adminToken: readFileSync(state.layout.adminToken, 'utf8').trim(),
    async person(name, roles) {
      const now = new Date();
      await addPrincipal(state.store, { name, type: 'human', roles, createdBy: 'admin', now });
      const made = await createToken(state.store, {
        principal: name,
        lifetimeMs: 3_600_000,
        createdBy: 'admin',
        now,
      });
      return made.token;
    },
    close: () => state.close(),
  };
}
