import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadPrivateKey, RampartError, toPublicKey, type HashPool } from '../core/index.js';
import { datasetServices } from '../data/index.js';
import { rolesFor, type Identity } from '../identity/index.js';
import type { State } from '../state/index.js';
import type { RegistryContext } from './context.js';

/** Staging folders older than this are leftovers of a crashed registration. */
const STALE_STAGING_MS = 60 * 60 * 1000;

/**
 * The registry over an open state folder: its encrypted blobs, the state's signing key (which
 * also signs approvals), the alias policies from rampart.yaml, and the identity's decision point.
 * @throws RAMPART_CONFIG_INVALID for an alias policy nobody could satisfy, RAMPART_KEY_* for a
 *   missing or damaged signing key
 */
export async function openRegistry(
  state: State,
  identity: Identity,
  options: { readonly pool: HashPool; readonly toolVersion: string; readonly now?: () => Date },
): Promise<RegistryContext> {
  const policies = state.config.registry.aliases;
  checkPolicies(policies);
  const signingKey = await loadPrivateKey(state.layout.signingKey);
  const datasets = await datasetServices(state, options.pool);
  const staging = path.join(state.layout.home, 'tmp');
  await removeStaleStaging(staging, (options.now ?? (() => new Date()))());
  return {
    store: state.store,
    blobs: state.encryptedBlobs,
    access: identity.access,
    signingKey,
    trustedKey: toPublicKey(signingKey),
    policies,
    staging,
    pool: options.pool,
    datasets,
    toolVersion: options.toolVersion,
    now: options.now ?? (() => new Date()),
  };
}

// A protected alias needs approvals, and only roles that may approve can give them.
function checkPolicies(policies: RegistryContext['policies']): void {
  const reviewers: readonly string[] = rolesFor('model.approve');
  for (const [alias, policy] of Object.entries(policies)) {
    const roles = Object.keys(policy.approvals);
    const unknown = roles.filter((role) => !reviewers.includes(role));
    const problem =
      unknown.length > 0
        ? `names ${unknown.join(', ')}, which cannot approve (only ${reviewers.join(', ')} can)`
        : policy.protected && roles.length === 0
          ? 'is protected but needs no approvals, so nothing could ever move it'
          : null;
    if (problem !== null) {
      throw new RampartError('RAMPART_CONFIG_INVALID', `registry.aliases.${alias} ${problem}`, {
        hint: `Require approvals from ${reviewers.join(' and/or ')} in registry.aliases.${alias}.approvals.`,
        details: { path: `registry.aliases.${alias}.approvals` },
      });
    }
  }
}

// Plaintext copies of a registration that crashed must not stay on disk.
async function removeStaleStaging(staging: string, now: Date): Promise<void> {
  const names = await readdir(staging).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith('register-') || n.startsWith('upload-'))) {
    const folder = path.join(staging, name);
    const info = await stat(folder).catch(() => null);
    if (info !== null && now.getTime() - info.mtimeMs > STALE_STAGING_MS) {
      await rm(folder, { recursive: true, force: true });
    }
  }
}
