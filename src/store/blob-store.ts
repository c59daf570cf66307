import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import { RampartError, fileError, systemErrorCode, wrapError } from '../core/index.js';
import { parseDigest, type Digest } from '../core/index.js';
import { nodeBlobFs, type BlobFile, type BlobFs } from './blob-fs.js';
import {
  chunksOf,
  limitExceeded,
  readChunks,
  writeHashed,
  type BlobSource,
  type StoredBlob,
} from './blob-io.js';

export type { BlobSource, StoredBlob } from './blob-io.js';

/** Options for {@link BlobStore}. */
export interface BlobStoreOptions {
  /** File-system port; defaults to node:fs/promises. */
  readonly fs?: BlobFs;
}

/** A size limit for one call. */
export interface BlobLimit {
  /** Refuse content longer than this many bytes. */
  readonly maxBytes?: number;
}

/**
 * Content-addressed files under a folder (`<dir>/sha256/ab/cdef…`): written to a temp file,
 * fsynced and renamed into place; verified against their digest whenever read.
 */
export class BlobStore {
  readonly #dir: string;
  readonly #fs: BlobFs;

  /** A store rooted at `dir` (created on first write). */
  constructor(dir: string, options: BlobStoreOptions = {}) {
    this.#dir = dir;
    this.#fs = options.fs ?? nodeBlobFs;
  }

  /**
   * Stores bytes and returns their digest; storing the same bytes again is harmless.
   * @throws RAMPART_BLOB_WRITE_FAILED (nothing is kept), RAMPART_LIMIT_EXCEEDED
   */
  async put(source: BlobSource, options: BlobLimit = {}): Promise<StoredBlob> {
    const tmp = path.join(this.#dir, 'tmp', `${randomUUID()}.part`);
    let file: BlobFile | undefined;
    try {
      await this.#fs.mkdir(path.dirname(tmp), { recursive: true });
      file = await this.#fs.open(tmp, 'wx', 0o600);
      const stored = await writeHashed(file, chunksOf(source), options.maxBytes ?? Infinity);
      await file.sync();
      await file.close();
      file = undefined;
      await this.#moveIntoPlace(tmp, this.#pathOf(stored.digest));
      return stored;
    } catch (error) {
      await file?.close().catch(() => undefined);
      await this.#fs.unlink(tmp).catch(() => undefined);
      throw wrapError(
        error,
        'RAMPART_BLOB_WRITE_FAILED',
        `${this.#dir}: cannot store blob: ${reasonOf(error)}`,
      );
    }
  }

  /**
   * Stores the content of a regular file.
   * @throws RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED,
   *   RAMPART_BLOB_WRITE_FAILED, RAMPART_LIMIT_EXCEEDED
   */
  async putFile(file: string, options: BlobLimit = {}): Promise<StoredBlob> {
    const handle = await this.#fs.open(file, 'r').catch((error: unknown) => {
      throw fileError(error, file);
    });
    try {
      if (!(await handle.stat()).isFile()) {
        throw new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${file} is not a regular file`, {
          details: { path: file },
        });
      }
      return await this.put(readChunks(handle), options);
    } finally {
      await handle.close();
    }
  }

  /**
   * Reads a whole blob, returned only once its content matches the digest.
   * @throws RAMPART_DIGEST_INVALID, RAMPART_BLOB_NOT_FOUND, RAMPART_BLOB_CORRUPT,
   *   RAMPART_LIMIT_EXCEEDED
   */
  async get(digest: string, options: BlobLimit = {}): Promise<Buffer> {
    const valid = parseDigest(digest);
    const file = await this.#openBlob(valid);
    try {
      const { size } = await file.stat();
      const maxBytes = options.maxBytes ?? Infinity;
      if (size > maxBytes) throw limitExceeded(maxBytes, valid);
      const parts: Buffer[] = [];
      for await (const chunk of readChunks(file)) parts.push(chunk);
      const content = Buffer.concat(parts);
      checkDigest(valid, createHash('sha256').update(content).digest('hex'));
      return content;
    } finally {
      await file.close();
    }
  }

  /** True when a blob with this digest is stored (its content is not checked). */
  async has(digest: string): Promise<boolean> {
    try {
      await (await this.#openBlob(parseDigest(digest))).close();
      return true;
    } catch (error) {
      if (error instanceof RampartError && error.code === 'RAMPART_BLOB_NOT_FOUND') return false;
      throw error;
    }
  }

  /**
   * Re-hashes a stored blob.
   * @throws RAMPART_DIGEST_INVALID, RAMPART_BLOB_NOT_FOUND, RAMPART_BLOB_CORRUPT
   */
  async verify(digest: string): Promise<StoredBlob> {
    const valid = parseDigest(digest);
    const file = await this.#openBlob(valid);
    try {
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of readChunks(file)) {
        hash.update(chunk);
        size += chunk.length;
      }
      checkDigest(valid, hash.digest('hex'));
      return { digest: valid, size };
    } finally {
      await file.close();
    }
  }

  /**
   * Copies a blob to `destPath` through a temp file beside it, renamed only after the content
   * verified, so a corrupt blob never reaches `destPath`.
   * @throws RAMPART_DIGEST_INVALID, RAMPART_BLOB_NOT_FOUND, RAMPART_BLOB_CORRUPT,
   *   RAMPART_FILE_NOT_FOUND (destination folder), RAMPART_BLOB_WRITE_FAILED
   */
  async exportTo(digest: string, destPath: string): Promise<StoredBlob> {
    const valid = parseDigest(digest);
    const source = await this.#openBlob(valid);
    const folder = path.dirname(destPath);
    const tmp = path.join(folder, `.${path.basename(destPath)}.${randomUUID()}.part`);
    let out: BlobFile | undefined;
    try {
      out = await this.#fs.open(tmp, 'wx', 0o644);
      const stored = await writeHashed(out, readChunks(source), Infinity);
      checkDigest(valid, stored.digest.slice('sha256:'.length));
      await out.sync();
      await out.close();
      out = undefined;
      await this.#fs.rename(tmp, destPath);
      await this.#syncFolder(folder);
      return stored;
    } catch (error) {
      await out?.close().catch(() => undefined);
      await this.#fs.unlink(tmp).catch(() => undefined);
      throw fileError(error, destPath, 'RAMPART_BLOB_WRITE_FAILED');
    } finally {
      await source.close();
    }
  }

  #pathOf(digest: Digest): string {
    const hex = digest.slice('sha256:'.length);
    return path.join(this.#dir, 'sha256', hex.slice(0, 2), hex.slice(2));
  }

  async #openBlob(digest: Digest): Promise<BlobFile> {
    const file = this.#pathOf(digest);
    try {
      return await this.#fs.open(file, 'r');
    } catch (error) {
      if (systemErrorCode(error) === 'ENOENT') {
        throw new RampartError('RAMPART_BLOB_NOT_FOUND', `no blob ${digest} in ${this.#dir}`, {
          details: { digest },
        });
      }
      throw fileError(error, file);
    }
  }

  // Identical content may be renamed over an existing blob: rename is atomic, bytes are equal.
  async #moveIntoPlace(tmp: string, final: string): Promise<void> {
    const shard = path.dirname(final);
    const created = await this.#fs.mkdir(shard, { recursive: true });
    await this.#fs.rename(tmp, final);
    await this.#syncFolder(shard);
    if (created !== undefined) {
      await this.#syncFolder(path.dirname(shard));
      await this.#syncFolder(this.#dir);
    }
  }

  async #syncFolder(folder: string): Promise<void> {
    const handle = await this.#fs.open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function checkDigest(expected: Digest, actualHex: string): void {
  if (expected !== `sha256:${actualHex}`) {
    throw new RampartError('RAMPART_BLOB_CORRUPT', `blob ${expected} does not match its digest`, {
      details: { digest: expected, actual: `sha256:${actualHex}` },
    });
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
