import { RampartError } from '../errors.js';
import type { Kek } from './kek.js';

/**
 * The key-encryption keys one process holds: a primary that encrypts new objects, and older
 * keys kept only to decrypt. Rotating the KEK means making a new key primary and keeping the
 * old one here; existing ciphertexts name their key by id and need no re-encryption.
 */
export class Keyring {
  /** The key new objects are encrypted under. */
  readonly primary: Kek;
  readonly #byId: ReadonlyMap<string, Kek>;

  /** A keyring from a primary key and any number of decrypt-only keys (duplicates merge). */
  constructor(primary: Kek, decryptOnly: readonly Kek[] = []) {
    this.primary = primary;
    const byId = new Map<string, Kek>();
    for (const kek of [primary, ...decryptOnly]) if (!byId.has(kek.id)) byId.set(kek.id, kek);
    this.#byId = byId;
  }

  /** Ids of every key, primary first. */
  get ids(): readonly string[] {
    return [...this.#byId.keys()];
  }

  /** The key with this id, if the keyring holds it. */
  find(id: string): Kek | undefined {
    return this.#byId.get(id);
  }

  /**
   * The key with this id.
   * @throws RAMPART_DECRYPT_FAILED when the keyring does not hold it.
   */
  requireKey(id: string): Kek {
    const kek = this.#byId.get(id);
    if (kek === undefined) {
      throw new RampartError(
        'RAMPART_DECRYPT_FAILED',
        `the object was encrypted under key-encryption key ${id}, which is not in the keyring (${this.ids.join(', ')})`,
        {
          hint: `Load the key-encryption key with id ${id} into the keyring.`,
          details: { kekId: id, keyring: this.ids },
        },
      );
    }
    return kek;
  }

  /** JSON shows only the ids. */
  toJSON(): { primary: string; ids: readonly string[] } {
    return { primary: this.primary.id, ids: this.ids };
  }
}

/** What encryption and decryption accept: one key, or a keyring. */
export type KeySource = Kek | Keyring;

/** A keyring view of a key source (a single key becomes a one-key keyring). */
export function toKeyring(source: KeySource): Keyring {
  return source instanceof Keyring ? source : new Keyring(source);
}
