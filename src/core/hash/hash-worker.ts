/**
 * Worker thread of the hash pool: hashes byte ranges of files with SHA-256 and replies with
 * the hex digest. Loaded by hash-pool.ts; never imported.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** One job: hash `[start, end)` of `path`, or `[start, EOF)` when `end` is absent. */
export interface HashRequest {
  readonly id: number;
  readonly path: string;
  readonly start: number;
  readonly end?: number;
  /** The range must end exactly at the end of the file (detects files that grew). */
  readonly final: boolean;
}

/** Why a job failed: a system call error, a path that is not a regular file, or a file that changed. */
export type HashFailure =
  | { readonly kind: 'system'; readonly errno: string | undefined; readonly message: string }
  | { readonly kind: 'type' }
  | { readonly kind: 'changed'; readonly expected: number; readonly actual: number };

/** The answer to one job. */
export type HashReply =
  | { readonly id: number; readonly hex: string; readonly size: number }
  | { readonly id: number; readonly failure: HashFailure };

// O_NOFOLLOW refuses a symbolic link swapped in after the walk; O_NONBLOCK keeps a FIFO
// swapped in from blocking the open (fstat then rejects it).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
// Measured on the 2-vCPU EPYC VM: 128 KiB reads hash ~1.4x faster in a worker than 1-4 MiB
// reads (presumably because the buffer stays in L2 between read() and SHA-256).
const DEFAULT_BUFFER = 128 * 1024;

function bufferSize(): number {
  const size: unknown = workerData;
  return typeof size === 'number' && Number.isSafeInteger(size) && size > 0 ? size : DEFAULT_BUFFER;
}

// One buffer per worker, reused by every job so hashing never allocates per chunk.
const buffer = Buffer.allocUnsafe(bufferSize());

function hashOpen(fd: number, request: HashRequest): HashReply {
  const hash = createHash('sha256');
  let position = request.start;
  const limit = request.end ?? Number.MAX_SAFE_INTEGER;
  while (position < limit) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, limit - position), position);
    if (read === 0) break;
    hash.update(buffer.subarray(0, read));
    position += read;
  }
  if (request.end !== undefined && position < request.end) {
    return {
      id: request.id,
      failure: { kind: 'changed', expected: request.end, actual: position },
    };
  }
  if (request.final) {
    const actual = fstatSync(fd).size;
    if (actual !== position) {
      return { id: request.id, failure: { kind: 'changed', expected: position, actual } };
    }
  }
  return { id: request.id, hex: hash.digest('hex'), size: position - request.start };
}

function handle(request: HashRequest): HashReply {
  let fd: number | undefined;
  try {
    fd = openSync(request.path, OPEN_FLAGS);
    if (!fstatSync(fd).isFile()) return { id: request.id, failure: { kind: 'type' } };
    return hashOpen(fd, request);
  } catch (error) {
    const errno =
      typeof error === 'object' &&
      error !== null &&
      'code' in error &&
      typeof error.code === 'string'
        ? error.code
        : undefined;
    const message = error instanceof Error ? error.message : String(error);
    return { id: request.id, failure: { kind: 'system', errno, message } };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

parentPort?.on('message', (request: HashRequest) => {
  parentPort?.postMessage(handle(request));
});
