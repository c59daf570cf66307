import { randomBytes } from 'node:crypto';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  fileError,
  generateKek,
  isRampartError,
  type Kek,
  loadKek,
  RampartError,
  saveKek,
  syncFolder,
  writeError,
} from '../core/index.js';
import {
  checkDataKey,
  DATA_KEY_SIZE,
  unwrapFailed,
  type KekProvider,
  type WrappedKey,
} from './kek-provider.js';

const NONCE_SIZE = 12;
const TAG_SIZE = 16;
const WRAPPED_SIZE = NONCE_SIZE + DATA_KEY_SIZE + TAG_SIZE;
const PRIMARY_FILE = 'kek.key';
const RETIRED_FILE = /^kek-([0-9a-f]{16})\.key$/;

/**
 * Key-encryption keys in files: `<dir>/kek.key` is the primary, `<dir>/kek-<id>.key` are
 * retired keys kept so older wraps still unwrap. A wrap is AES-256-GCM under the key with the
 * context as associated data, stored as base64 of nonce ‖ ciphertext ‖ tag.
 */
export class LocalKekProvider implements KekProvider {
  readonly name = 'local' as const;
  readonly #dir: string;
  #keys = new Map<string, Kek>();
  #primary: Kek | undefined;

  /** A provider over the key folder `dir` (the state's `keys/`). */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** @throws RAMPART_KEY_NOT_FOUND / RAMPART_KEY_INVALID for a missing or damaged kek.key */
  async primaryId(): Promise<string> {
    return (await this.#loadPrimary()).id;
  }

  /** @throws RAMPART_KEY_INVALID on a data key that is not 32 bytes; key file errors */
  async wrap(dataKey: Buffer, context: string): Promise<WrappedKey> {
    checkDataKey(dataKey);
    const kek = await this.#loadPrimary();
    const nonce = randomBytes(NONCE_SIZE);
    const sealed = kek.wrap(dataKey, nonce, Buffer.from(context, 'utf8'));
    return { kekId: kek.id, wrapped: Buffer.concat([nonce, sealed]).toString('base64') };
  }

  /** @throws RAMPART_DECRYPT_FAILED on a wrong key/context, a malformed wrap or an unknown key id */
  async unwrap(wrapped: string, kekId: string, context: string): Promise<Buffer> {
    const bytes = Buffer.from(wrapped, 'base64');
    if (bytes.length !== WRAPPED_SIZE || bytes.toString('base64') !== wrapped) {
      throw unwrapFailed(kekId, 'the wrapped key is not a local-provider wrap');
    }
    const kek = await this.#find(kekId);
    const nonce = bytes.subarray(0, NONCE_SIZE);
    return kek.unwrap(bytes.subarray(NONCE_SIZE), nonce, Buffer.from(context, 'utf8'));
  }

  /** Unwraps and wraps again under the primary key. @throws like {@link unwrap} */
  async rewrap(wrapped: string, kekId: string, context: string): Promise<WrappedKey> {
    const dataKey = await this.unwrap(wrapped, kekId, context);
    try {
      return await this.wrap(dataKey, context);
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Retires kek.key to kek-<id>.key (written first, so no key is ever lost), then replaces
   * kek.key with a new key. Both writes are atomic and 0600.
   * @throws key file errors; RAMPART_FILE_WRITE_FAILED
   */
  async rotate(): Promise<{ kekId: string }> {
    const old = await loadKek(path.join(this.#dir, PRIMARY_FILE));
    const retired = path.join(this.#dir, `kek-${old.id}.key`);
    try {
      await saveKek(retired, old);
    } catch (error) {
      // A retired copy left by an interrupted rotation is fine only if it holds the same key.
      if (!isRampartError(error, 'RAMPART_STORE_CONFLICT')) throw error;
      if ((await loadKek(retired)).id !== old.id) {
        throw new RampartError('RAMPART_KEY_INVALID', `${retired} does not hold key ${old.id}`, {
          hint: 'Restore the retired key file from a backup; key files are never overwritten.',
          details: { path: retired },
        });
      }
    }
    const fresh = generateKek();
    const primary = path.join(this.#dir, PRIMARY_FILE);
    const temp = path.join(this.#dir, `.kek-next-${randomBytes(6).toString('hex')}.tmp`);
    try {
      await saveKek(temp, fresh);
      await rename(temp, primary);
      await syncFolder(this.#dir);
    } catch (error) {
      await rm(temp, { force: true });
      throw writeError(error, primary);
    }
    this.#primary = undefined;
    this.#keys = new Map();
    return { kekId: fresh.id };
  }

  async #loadPrimary(): Promise<Kek> {
    this.#primary ??= await loadKek(path.join(this.#dir, PRIMARY_FILE));
    this.#keys.set(this.#primary.id, this.#primary);
    return this.#primary;
  }

  // Keys are read on first need and again on a miss, so a rotation by another process is seen.
  async #find(kekId: string): Promise<Kek> {
    const known = this.#keys.get(kekId);
    if (known !== undefined) return known;
    await this.#loadAll();
    const found = this.#keys.get(kekId);
    if (found === undefined) throw unwrapFailed(kekId, `no key file for that id in ${this.#dir}`);
    return found;
  }

  async #loadAll(): Promise<void> {
    const names = await readdir(this.#dir).catch((error: unknown) => {
      throw fileError(error, this.#dir);
    });
    this.#primary = undefined;
    const keys = new Map<string, Kek>();
    for (const name of names) {
      if (name !== PRIMARY_FILE && !RETIRED_FILE.test(name)) continue;
      const kek = await loadKek(path.join(this.#dir, name));
      keys.set(kek.id, kek);
    }
    this.#keys = keys;
  }
}
