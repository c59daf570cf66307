import { createHash, timingSafeEqual } from 'node:crypto';
import { httpBaseUrl, RampartError } from '../core/index.js';
import {
  checkDataKey,
  DATA_KEY_SIZE,
  unwrapFailed,
  type KekProvider,
  type WrappedKey,
} from './kek-provider.js';
import {
  vaultErrorText,
  vaultFailed,
  vaultRequest,
  type VaultAnswer,
  type VaultEndpoint,
} from './vault-http.js';

/** How to reach a Vault Transit key (the `encryption.vault` config plus the token). */
export interface VaultTransitOptions {
  readonly address: string;
  readonly key: string;
  readonly mount: string;
  /** The token, or undefined when the variable named by `tokenEnv` is not set. */
  readonly token: string | undefined;
  /** The name of the variable the token comes from, for error messages. */
  readonly tokenEnv: string;
  readonly namespace: string | null;
  readonly timeoutMs: number;
}

const CIPHERTEXT = /^vault:v([1-9][0-9]{0,9}):[A-Za-z0-9+/]+={0,2}$/;
const MAX_CIPHERTEXT = 4096;
const CONTEXT_LABEL = 'rampart/kek-context/v1|';

/**
 * Key-encryption keys in HashiCorp Vault's Transit engine: `encrypt`, `decrypt`, `rewrap` and
 * `keys/<key>/rotate` under `/v1/<mount>/`. Key ids are `vault:<key>:v<N>`, N being the version
 * in the `vault:vN:` ciphertext prefix. The context is bound on our side, for every Transit key
 * type and Vault version: the plaintext sent is SHA-256(label ‖ context) ‖ data key, and unwrap
 * refuses a plaintext whose first half does not match; Transit's AES-GCM authenticates both.
 */
export class VaultTransitProvider implements KekProvider {
  readonly name = 'vault' as const;
  readonly #options: VaultTransitOptions;
  readonly #address: URL;
  readonly #base: string;

  /** @throws RAMPART_ENCRYPTION_CONFIG_INVALID for an address that is not http(s) */
  constructor(options: VaultTransitOptions) {
    this.#options = options;
    this.#address = parseAddress(options.address);
    const mount = options.mount.split('/').filter(Boolean).map(encodeURIComponent).join('/');
    this.#base = `${mount}/%s/${encodeURIComponent(options.key)}`;
  }

  /** `GET keys/<key>`: the latest version. @throws RAMPART_REMOTE_FAILED */
  async primaryId(): Promise<string> {
    const answer = await this.#call('GET', 'keys');
    const version = field(answer.body, 'latest_version');
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
      throw vaultFailed(this.#where('keys'), 'the key has no latest_version');
    }
    return this.#kekId(version);
  }

  /** `POST encrypt/<key>`. @throws RAMPART_REMOTE_FAILED; RAMPART_ENCRYPTION_CONFIG_INVALID */
  async wrap(dataKey: Buffer, context: string): Promise<WrappedKey> {
    checkDataKey(dataKey);
    const bound = Buffer.concat([contextTag(context), dataKey]);
    const plaintext = bound.toString('base64');
    bound.fill(0);
    return this.#ciphertextOf('encrypt', await this.#call('POST', 'encrypt', { plaintext }));
  }

  /** `POST decrypt/<key>`. @throws RAMPART_DECRYPT_FAILED; RAMPART_REMOTE_FAILED */
  async unwrap(wrapped: string, kekId: string, context: string): Promise<Buffer> {
    this.#checkWrapped(wrapped, kekId);
    const answer = await this.#call('POST', 'decrypt', { ciphertext: wrapped }, kekId);
    const text = field(answer.body, 'plaintext');
    const bound = typeof text === 'string' ? Buffer.from(text, 'base64') : Buffer.alloc(0);
    try {
      const tag = contextTag(context);
      if (bound.length !== tag.length + DATA_KEY_SIZE) {
        throw unwrapFailed(kekId, 'Vault returned a plaintext that is not a Rampart data key');
      }
      if (!timingSafeEqual(bound.subarray(0, tag.length), tag)) {
        throw unwrapFailed(kekId, 'the key was wrapped for another context');
      }
      return Buffer.from(bound.subarray(tag.length));
    } finally {
      bound.fill(0);
    }
  }

  /** `POST rewrap/<key>`: Vault re-encrypts under its latest version. @throws like unwrap */
  // No context parameter: the context tag travels inside the ciphertext and stays bound to it.
  async rewrap(wrapped: string, kekId: string): Promise<WrappedKey> {
    this.#checkWrapped(wrapped, kekId);
    const answer = await this.#call('POST', 'rewrap', { ciphertext: wrapped }, kekId);
    return this.#ciphertextOf('rewrap', answer);
  }

  /** `POST keys/<key>/rotate`, then reads the new latest version. @throws RAMPART_REMOTE_FAILED */
  async rotate(): Promise<{ kekId: string }> {
    await this.#call('POST', 'keys', undefined, undefined, '/rotate');
    return { kekId: await this.primaryId() };
  }

  #kekId(version: number): string {
    return `vault:${this.#options.key}:v${version}`;
  }

  #checkWrapped(wrapped: string, kekId: string): void {
    const match = wrapped.length <= MAX_CIPHERTEXT ? CIPHERTEXT.exec(wrapped) : null;
    if (match === null) throw unwrapFailed(kekId, 'the wrapped key is not a Vault ciphertext');
    if (this.#kekId(Number(match[1])) !== kekId) {
      throw unwrapFailed(kekId, `the ciphertext is of version v${match[1]}, not ${kekId}`);
    }
  }

  #ciphertextOf(operation: string, answer: VaultAnswer): WrappedKey {
    const ciphertext = field(answer.body, 'ciphertext');
    const match =
      typeof ciphertext === 'string' && ciphertext.length <= MAX_CIPHERTEXT
        ? CIPHERTEXT.exec(ciphertext)
        : null;
    if (match === null || typeof ciphertext !== 'string') {
      throw vaultFailed(this.#where(operation), 'the answer holds no vault:vN: ciphertext');
    }
    return { kekId: this.#kekId(Number(match[1])), wrapped: ciphertext };
  }

  async #call(
    method: 'GET' | 'POST',
    operation: string,
    body?: unknown,
    decryptingKekId?: string,
    suffix = '',
  ): Promise<VaultAnswer> {
    const path = this.#base.replace('%s', operation) + suffix;
    const answer = await vaultRequest(this.#endpoint(), {
      method,
      path,
      ...(body === undefined ? {} : { body }),
    });
    if (answer.status >= 200 && answer.status < 300) return answer;
    const text = vaultErrorText(answer.body);
    // Vault answers 400 when a ciphertext does not decrypt (tampered, or a trimmed version).
    if (decryptingKekId !== undefined && answer.status === 400) {
      throw unwrapFailed(decryptingKekId, `Vault refused it (${text})`);
    }
    throw vaultFailed(
      this.#where(operation + suffix),
      `HTTP ${answer.status}: ${text}`,
      answer.status,
    );
  }

  #endpoint(): VaultEndpoint {
    const { token, tokenEnv, namespace, timeoutMs } = this.#options;
    if (token === undefined || token === '') {
      throw new RampartError(
        'RAMPART_ENCRYPTION_CONFIG_INVALID',
        `encryption.provider is vault but ${tokenEnv} is not set`,
        {
          hint: `Set ${tokenEnv} to a Vault token allowed to use the Transit key, or change encryption.vault.tokenEnv.`,
        },
      );
    }
    return { address: this.#address, token, namespace, timeoutMs };
  }

  #where(operation: string): string {
    return `${operation} on ${this.#options.mount}/${this.#options.key}`;
  }
}

function contextTag(context: string): Buffer {
  return createHash('sha256').update(CONTEXT_LABEL).update(context, 'utf8').digest();
}

function field(body: unknown, name: string): unknown {
  const data =
    typeof body === 'object' && body !== null ? (body as { data?: unknown }).data : undefined;
  return typeof data === 'object' && data !== null
    ? (data as Record<string, unknown>)[name]
    : undefined;
}

function parseAddress(address: string): URL {
  const url = httpBaseUrl(address);
  if (url === undefined) {
    throw new RampartError(
      'RAMPART_ENCRYPTION_CONFIG_INVALID',
      `encryption.vault.address ${JSON.stringify(address)} is not an http(s) URL`,
    );
  }
  return url;
}
