import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  decryptStream,
  encryptStream,
  fileError,
  generateKek,
  hashFile,
  Kek,
  parseDigest,
  RampartError,
  syncFolder,
  systemErrorCode,
  wrapError,
  type Digest,
} from '../core/index.js';
import { chunksOf, limitExceeded, type BlobSource, type StoredBlob } from './blob-io.js';
import {
  blobContext,
  ensureBlobKey,
  findBlobKey,
  rewrapBlobKeys,
  unwrapBlobKey,
} from './blob-keys.js';
import type { BlobLimit } from './blob-store.js';
import { collector, discard, HashTap } from './encrypted-blob-io.js';
import type { KekProvider } from './kek-provider.js';
import type { Store } from './store.js';

/** Options of {@link EncryptedBlobStore}. */
export interface EncryptedBlobStoreOptions {
  /** The folder of encrypted blobs (the state uses `<blobs>/enc`). */
  readonly dir: string;
  readonly store: Store;
  readonly provider: KekProvider;
}

type Stage = NodeJS.ReadableStream | NodeJS.ReadWriteStream | NodeJS.WritableStream;

const STAGING_CONTEXT = 'staging';
const IO_BUFFER = 1024 * 1024;

/**
 * Content-addressed blobs encrypted at rest, with the same methods as BlobStore. Each blob has
 * its own random data key; its file (`<dir>/sha256/ab/cdef…`) is in the Rampart encrypted
 * format under that key with context `blob|<digest>`, and the key, wrapped by the provider, is
 * the `blob_keys` row of the digest. Rotation re-wraps rows only: blob files never change.
 */
export class EncryptedBlobStore {
  readonly #dir: string;
  readonly #store: Store;
  readonly #provider: KekProvider;

  /** A store rooted at `options.dir` (created on first write). */
  constructor(options: EncryptedBlobStoreOptions) {
    this.#dir = options.dir;
    this.#store = options.store;
    this.#provider = options.provider;
  }

  /** The provider that wraps this store's data keys. */
  get provider(): KekProvider {
    return this.#provider;
  }

  /**
   * Stores bytes and returns their digest; storing the same bytes again is harmless. A stream is
   * first encrypted to a staging file under a throw-away key (its digest is unknown until its
   * end), then re-encrypted under the blob key; plaintext never touches the disk.
   * @throws RAMPART_BLOB_WRITE_FAILED (nothing is kept), RAMPART_LIMIT_EXCEEDED, provider errors
   */
  async put(source: BlobSource, options: BlobLimit = {}): Promise<StoredBlob> {
    const maxBytes = options.maxBytes ?? Infinity;
    if (source instanceof Uint8Array) {
      if (source.byteLength > maxBytes) throw limitExceeded(maxBytes);
      const digest: Digest = `sha256:${createHash('sha256').update(source).digest('hex')}`;
      return this.#write(digest, source.byteLength, () => [Readable.from([source])]);
    }
    const staging = generateKek();
    const staged = await this.#tempFile();
    try {
      const tap = new HashTap(maxBytes);
      await this.#guard(() =>
        this.#pipeTo(staged, [
          Readable.from(chunksOf(source)),
          tap.stream,
          encryptStream(staging, { context: STAGING_CONTEXT }),
        ]),
      );
      return await this.#write(tap.digest(), tap.size, () => [
        createReadStream(staged, { highWaterMark: IO_BUFFER }),
        decryptStream(staging, { context: STAGING_CONTEXT }),
      ]);
    } finally {
      await rm(staged, { force: true });
    }
  }

  /**
   * Stores the content of a regular file: hashed first, then encrypted while hashed again, so a
   * file changed in between is refused rather than stored under the wrong digest.
   * @throws RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED,
   *   RAMPART_BLOB_WRITE_FAILED, RAMPART_LIMIT_EXCEEDED, provider errors
   */
  async putFile(file: string, options: BlobLimit = {}): Promise<StoredBlob> {
    const maxBytes = options.maxBytes ?? Infinity;
    const { digest, size } = await hashFile(file);
    if (size > maxBytes) throw limitExceeded(maxBytes);
    return this.#write(digest, size, () => [createReadStream(file, { highWaterMark: IO_BUFFER })]);
  }

  /**
   * Reads a whole blob, returned only once every chunk authenticated and the content matches
   * the digest.
   * @throws RAMPART_DIGEST_INVALID, RAMPART_BLOB_NOT_FOUND, RAMPART_BLOB_KEY_MISSING,
   *   RAMPART_DECRYPT_FAILED, RAMPART_BLOB_CORRUPT, RAMPART_LIMIT_EXCEEDED
   */
  async get(digest: string, options: BlobLimit = {}): Promise<Buffer> {
    const sink = collector();
    await this.#read(parseDigest(digest), sink.stream, options.maxBytes ?? Infinity);
    return sink.content();
  }

  /** True when the blob's file and its key row are both stored (content is not checked). */
  async has(digest: string): Promise<boolean> {
    const valid = parseDigest(digest);
    return (await this.#fileExists(valid)) && (await findBlobKey(this.#store, valid)) !== undefined;
  }

  /**
   * Decrypts a stored blob fully and re-hashes it.
   * @throws RAMPART_DIGEST_INVALID, RAMPART_BLOB_NOT_FOUND, RAMPART_BLOB_KEY_MISSING,
   *   RAMPART_DECRYPT_FAILED, RAMPART_BLOB_CORRUPT
   */
  async verify(digest: string): Promise<StoredBlob> {
    const valid = parseDigest(digest);
    return { digest: valid, size: await this.#read(valid, discard(), Infinity) };
  }

  /**
   * Decrypts a blob to `destPath` (mode 0600) through a temp file beside it, renamed only after
   * the content verified, so nothing unverified ever reaches `destPath`.
   * @throws the errors of {@link verify}; RAMPART_FILE_NOT_FOUND (destination folder),
   *   RAMPART_BLOB_WRITE_FAILED
   */
  async exportTo(digest: string, destPath: string): Promise<StoredBlob> {
    const valid = parseDigest(digest);
    const kek = await this.#openKey(valid);
    const folder = path.dirname(destPath);
    const tmp = path.join(folder, `.${path.basename(destPath)}.${randomUUID()}.part`);
    try {
      const out = await open(tmp, 'wx', 0o600);
      const size = await this.#decrypt(valid, kek, out.createWriteStream({ flush: true }));
      await rename(tmp, destPath);
      await syncFolder(folder);
      return { digest: valid, size };
    } catch (error) {
      await rm(tmp, { force: true });
      throw fileError(error, destPath, 'RAMPART_BLOB_WRITE_FAILED');
    }
  }

  /**
   * Re-wraps every blob key under the provider's primary key version.
   * @throws RAMPART_ENCRYPTION_CONFIG_INVALID, RAMPART_DECRYPT_FAILED, provider and store errors
   */
  rewrapAll(): Promise<{ rewrapped: number; unchanged: number }> {
    return rewrapBlobKeys(this.#store, this.#provider);
  }

  /** The blob's data key as a Kek, once its file and key row are both there. */
  async #openKey(digest: Digest): Promise<Kek> {
    if (!(await this.#fileExists(digest))) {
      throw new RampartError(
        'RAMPART_BLOB_NOT_FOUND',
        `no encrypted blob ${digest} in ${this.#dir}`,
        { details: { digest } },
      );
    }
    const row = await findBlobKey(this.#store, digest);
    if (row === undefined) {
      throw new RampartError(
        'RAMPART_BLOB_KEY_MISSING',
        `encrypted blob ${digest} has no data-key record, so it cannot be decrypted`,
        { details: { digest } },
      );
    }
    return this.#kekOf(unwrapBlobKey(this.#provider, row, digest));
  }

  /** Decrypts into `sink` through a hashing tap; returns the size once the digest matched. */
  async #decrypt(digest: Digest, kek: Kek, sink: Writable, maxBytes = Infinity): Promise<number> {
    const tap = new HashTap(maxBytes, digest);
    await pipeline(
      createReadStream(this.#pathOf(digest), { highWaterMark: IO_BUFFER }),
      decryptStream(kek, { context: blobContext(digest) }),
      tap.stream,
      sink,
    );
    const actual = tap.digest();
    if (actual !== digest) {
      throw new RampartError('RAMPART_BLOB_CORRUPT', `blob ${digest} does not match its digest`, {
        details: { digest, actual },
      });
    }
    return tap.size;
  }

  async #read(digest: Digest, sink: Writable, maxBytes: number): Promise<number> {
    const kek = await this.#openKey(digest);
    const file = this.#pathOf(digest);
    return this.#decrypt(digest, kek, sink, maxBytes).catch((error: unknown) => {
      throw fileError(error, file);
    });
  }

  /**
   * Encrypts the plaintext from `source()` under the blob key of `digest` into place, hashing it
   * again on the way; a no-op when the blob is already stored.
   */
  async #write(digest: Digest, size: number, source: () => Stage[]): Promise<StoredBlob> {
    if (await this.has(digest)) return { digest, size };
    const kek = await this.#kekOf(ensureBlobKey(this.#store, this.#provider, digest));
    const tmp = await this.#tempFile();
    try {
      const tap = new HashTap(Infinity);
      await this.#guard(async () => {
        await this.#pipeTo(tmp, [
          ...source(),
          tap.stream,
          encryptStream(kek, { context: blobContext(digest) }),
        ]);
        if (tap.digest() !== digest) {
          throw new RampartError(
            'RAMPART_BLOB_WRITE_FAILED',
            `the content changed while it was stored (expected ${digest}); nothing was kept`,
            { details: { digest } },
          );
        }
        await this.#moveIntoPlace(tmp, this.#pathOf(digest));
      });
      return { digest, size };
    } finally {
      await rm(tmp, { force: true });
    }
  }

  // The data key lives on only inside a Kek object (which never prints it); the raw copy is zeroed.
  async #kekOf(dataKey: Promise<Buffer>): Promise<Kek> {
    const bytes = await dataKey;
    try {
      return Kek.fromBytes(bytes);
    } finally {
      bytes.fill(0);
    }
  }

  async #pipeTo(file: string, stages: Stage[]): Promise<void> {
    const out = await open(file, 'w', 0o600);
    await pipeline([...stages, out.createWriteStream({ flush: true })]);
  }

  async #guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      throw wrapError(error, 'RAMPART_BLOB_WRITE_FAILED', `${this.#dir}: cannot store blob`);
    }
  }

  async #tempFile(): Promise<string> {
    const folder = path.join(this.#dir, 'tmp');
    await mkdir(folder, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw fileError(error, folder, 'RAMPART_BLOB_WRITE_FAILED');
    });
    return path.join(folder, `${randomUUID()}.part`);
  }

  #pathOf(digest: Digest): string {
    const hex = digest.slice('sha256:'.length);
    return path.join(this.#dir, 'sha256', hex.slice(0, 2), hex.slice(2));
  }

  async #fileExists(digest: Digest): Promise<boolean> {
    const file = this.#pathOf(digest);
    try {
      return (await stat(file)).isFile();
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') return false;
      throw fileError(error, file);
    }
  }

  // Any file already there is garbage or an equal blob under the same key: replacing it is safe.
  async #moveIntoPlace(tmp: string, final: string): Promise<void> {
    const shard = path.dirname(final);
    const created = await mkdir(shard, { recursive: true, mode: 0o700 });
    await rename(tmp, final);
    await syncFolder(shard);
    if (created !== undefined) {
      await syncFolder(path.dirname(shard));
      await syncFolder(this.#dir);
    }
  }
}
