/**
 * SHA-256 of one file: small files are streamed in-process, large ones go to a worker so the
 * event loop stays free. Whole files are never held in memory.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { RampartError, fileError } from '../errors.js';
import { HashPool } from './hash-pool.js';
import type { RangeDigest } from './hash-pool.js';

/** Options for {@link hashFile}. */
export interface HashFileOptions {
  /** Files of at least this many bytes are hashed in a worker; default 16 MiB. */
  readonly threshold?: number;
  /** The pool for large files; without one, a one-worker pool is started and stopped. */
  readonly pool?: HashPool;
  /** In-process read buffer in bytes; default 1 MiB. */
  readonly bufferSize?: number;
}

/** Default size from which {@link hashFile} hands a file to a worker thread. */
export const DEFAULT_WORKER_THRESHOLD = 16 * 1024 * 1024;
const DEFAULT_BUFFER = 1024 * 1024;

// O_NONBLOCK keeps a FIFO from blocking the open; fstat then rejects it.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * The SHA-256 digest and size of the regular file at `path` (symbolic links are followed:
 * the caller named this path).
 * @throws RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED
 *   (folder, socket, FIFO, device), RAMPART_HASH_FAILED (worker crash).
 */
export async function hashFile(path: string, options: HashFileOptions = {}): Promise<RangeDigest> {
  let handle: FileHandle | undefined;
  let size: number;
  try {
    handle = await open(path, OPEN_FLAGS);
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${path}: not a regular file`, {
        details: { path },
      });
    }
    size = info.size;
    if (size < (options.threshold ?? DEFAULT_WORKER_THRESHOLD)) {
      return await streamHash(handle, Math.min(options.bufferSize ?? DEFAULT_BUFFER, size + 1));
    }
  } catch (error) {
    throw fileError(error, path);
  } finally {
    await handle?.close();
  }
  return hashInWorker(path, options.pool);
}

async function streamHash(handle: FileHandle, bufferSize: number): Promise<RangeDigest> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(bufferSize);
  let position = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size: position };
}

async function hashInWorker(path: string, pool: HashPool | undefined): Promise<RangeDigest> {
  let resolved: string;
  try {
    // The pool refuses symbolic links, so hand it the file the link points to.
    resolved = await realpath(path);
  } catch (error) {
    throw fileError(error, path);
  }
  if (pool !== undefined) return pool.hashRange(resolved);
  const own = new HashPool({ size: 1 });
  try {
    return await own.hashRange(resolved);
  } finally {
    await own.close();
  }
}
