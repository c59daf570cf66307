import path from 'node:path';
import { loadPrivateKey, toPublicKey, type HashPool } from '../core/index.js';
import { datasetServices } from '../data/index.js';
import type { Identity } from '../identity/index.js';
import type { State } from '../state/index.js';
import type { RegistryContext } from './context.js';

/**
 * The registry over an open state folder: its blobs, the state's signing key (which also
 * signs approvals), the alias policies from rampart.yaml, and the identity's decision point.
 * @throws RAMPART_KEY_* for a missing or damaged signing key
 */
export async function openRegistry(
  state: State,
  identity: Identity,
  options: { readonly pool: HashPool; readonly toolVersion: string; readonly now?: () => Date },
): Promise<RegistryContext> {
  const signingKey = await loadPrivateKey(state.layout.signingKey);
  const datasets = await datasetServices(state, options.pool);
  return {
    store: state.store,
    blobs: state.encryptedBlobs,
    access: identity.access,
    signingKey,
    trustedKey: toPublicKey(signingKey),
    policies: state.config.registry.aliases,
    staging: path.join(state.layout.home, 'tmp'),
    pool: options.pool,
    datasets,
    toolVersion: options.toolVersion,
    now: options.now ?? (() => new Date()),
  };
}
