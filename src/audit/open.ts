import { loadPrivateKey, localSigner, toPublicKey } from '../core/index.js';
import type { HomeLayout } from '../state/index.js';
import type { Store } from '../store/index.js';
import { noteSigner } from './checkpoint/note.js';
import { parseVerifierKey, verifierKey } from './checkpoint/vkey.js';
import { AuditLog, auditIdentity } from './log.js';

/** The log's verifier key string (`<origin>+<hash>+<key>`), for witnesses and auditors. */
export interface OpenedAuditLog {
  readonly log: AuditLog;
  readonly verifierKey: string;
}

/**
 * Opens the audit log of a state folder: checkpoints are signed with keys/checkpoint.key under
 * the installation's origin (created on first use).
 * @throws RAMPART_KEY_* for a missing or damaged checkpoint key; store errors.
 */
export async function openAuditLog(
  store: Store,
  layout: HomeLayout,
  options: { readonly maxBatch?: number } = {},
): Promise<OpenedAuditLog> {
  const { origin, salt } = await auditIdentity(store);
  const privateKey = await loadPrivateKey(layout.checkpointKey);
  // Derived, not read from checkpoint.pub, so a stale public key file cannot mismatch.
  const publicKey = toPublicKey(privateKey);
  const vkey = verifierKey(origin, publicKey);
  const log = new AuditLog({
    store,
    origin,
    salt,
    signer: noteSigner(origin, localSigner(privateKey), publicKey),
    verifiers: [parseVerifierKey(vkey)],
    ...options,
  });
  return { log, verifierKey: vkey };
}
