import { RampartError } from '../core/index.js';

/** The size of a data key (a blob key) that providers wrap. */
export const DATA_KEY_SIZE = 32;

/** A data key wrapped by a provider, and the key version that wrapped it. */
export interface WrappedKey {
  readonly kekId: string;
  readonly wrapped: string;
}

/**
 * Where key-encryption keys live. Data keys are wrapped and unwrapped here and never stored in
 * the clear; the wrap is bound to a context string (e.g. `blob|sha256:…`), so a wrapped key
 * moved to another record does not unwrap.
 */
export interface KekProvider {
  readonly name: 'local' | 'vault';
  /** The id of the key version new wraps use. */
  primaryId(): Promise<string>;
  /** Wraps a 32-byte data key bound to `context`. */
  wrap(dataKey: Buffer, context: string): Promise<WrappedKey>;
  /** @throws RAMPART_DECRYPT_FAILED on a wrong key/context or an unknown key id */
  unwrap(wrapped: string, kekId: string, context: string): Promise<Buffer>;
  /**
   * Re-wraps a wrapped key under the primary key version without changing the data key
   * (Vault: `/rewrap`, so the data key is never sent back to Rampart).
   * @throws RAMPART_DECRYPT_FAILED like {@link KekProvider.unwrap}
   */
  rewrap(wrapped: string, kekId: string, context: string): Promise<WrappedKey>;
  /** Makes a new primary key version; older ones keep unwrapping. */
  rotate(): Promise<{ kekId: string }>;
}

/** The error for a wrapped key that does not unwrap; never carries key material. */
export function unwrapFailed(kekId: string, reason: string, cause?: unknown): RampartError {
  return new RampartError(
    'RAMPART_DECRYPT_FAILED',
    `a data key wrapped under key-encryption key ${kekId} does not unwrap: ${reason}`,
    {
      hint: 'Check that the key-encryption key is still available; otherwise the blob_keys row was altered.',
      details: { kekId },
      ...(cause === undefined ? {} : { cause }),
    },
  );
}

/** Checks that a data key has the expected length. @throws RAMPART_KEY_INVALID */
export function checkDataKey(dataKey: Buffer): void {
  if (dataKey.length !== DATA_KEY_SIZE) {
    throw new RampartError(
      'RAMPART_KEY_INVALID',
      `a data key must be ${DATA_KEY_SIZE} bytes, got ${dataKey.length}`,
    );
  }
}
