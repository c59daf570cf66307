/**
 * A pool of worker threads that hash byte ranges of files with SHA-256, so large inputs use
 * every core and the event loop stays free.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Digest } from '../digest.js';
import { RampartError, fileError } from '../errors.js';
import type { HashFailure, HashReply, HashRequest } from './hash-worker.js';

/** How to build a {@link HashPool}. */
export interface HashPoolOptions {
  /** Number of worker threads; defaults to `os.availableParallelism()`. */
  readonly size?: number;
  /** Read buffer per worker in bytes; default 128 KiB (measured fastest). */
  readonly bufferSize?: number;
  /** The worker script; defaults to the sibling hash-worker.js (override only in tests). */
  readonly workerUrl?: URL;
}

/** The digest of a byte range and the number of bytes hashed. */
export interface RangeDigest {
  readonly digest: Digest;
  readonly size: number;
}

interface Task {
  readonly request: HashRequest;
  readonly resolve: (result: RangeDigest) => void;
  readonly reject: (error: RampartError) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly inFlight: Map<number, Task>;
}

// Two jobs per worker hide the message round trip between jobs without hoarding work.
const JOBS_PER_WORKER = 2;

/** A worker-thread pool that hashes `[start, end)` of files; idle workers do not keep the process alive. */
export class HashPool {
  /** Number of worker threads. */
  readonly size: number;
  readonly #bufferSize: number | undefined;
  readonly #workerUrl: URL;
  readonly #slots: Slot[] = [];
  #queue: Task[] = [];
  #nextId = 0;
  #closed = false;

  /** @throws RAMPART_INTERNAL when `size` is not a positive integer. */
  constructor(options: HashPoolOptions = {}) {
    const size = options.size ?? availableParallelism();
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RampartError(
        'RAMPART_INTERNAL',
        `hash pool size must be a positive integer, got ${size}`,
      );
    }
    this.size = size;
    this.#bufferSize = options.bufferSize;
    this.#workerUrl = options.workerUrl ?? new URL('./hash-worker.js', import.meta.url);
  }

  /**
   * Hashes `[start, end)` of the regular file `path` (to the end of the file when `end` is
   * omitted). With `final` (the default when `end` is omitted) the file must end exactly where
   * the range ends, which catches files that grow while hashed. Symbolic links are refused, so
   * pass resolved paths.
   * @throws RAMPART_FILE_NOT_FOUND, RAMPART_FILE_UNREADABLE, RAMPART_FILE_TYPE_UNSUPPORTED,
   *   RAMPART_HASH_FAILED (worker crash or pool closed), RAMPART_INTERNAL (bad range).
   */
  hashRange(
    path: string,
    start = 0,
    end?: number,
    final = end === undefined,
  ): Promise<RangeDigest> {
    if (!validRange(start, end)) {
      const range = `[${start}, ${end ?? 'EOF'})`;
      return Promise.reject(
        new RampartError('RAMPART_INTERNAL', `${path}: invalid byte range ${range}`),
      );
    }
    if (this.#closed) return Promise.reject(closedError(path));
    const id = this.#nextId++;
    const request: HashRequest =
      end === undefined ? { id, path, start, final } : { id, path, start, end, final };
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#pump();
    });
  }

  /** Stops every worker; jobs not yet finished fail with RAMPART_HASH_FAILED. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    const queued = this.#queue;
    this.#queue = [];
    for (const task of queued) task.reject(closedError(task.request.path));
    const slots = this.#slots.splice(0);
    for (const slot of slots) rejectAll(slot, (path) => closedError(path));
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#freeSlot();
      if (slot === undefined) return;
      const task = this.#queue.shift() as Task;
      if (slot.inFlight.size === 0) slot.worker.ref();
      slot.inFlight.set(task.request.id, task);
      slot.worker.postMessage(task.request);
    }
  }

  #freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.#slots) {
      if (
        slot.inFlight.size < JOBS_PER_WORKER &&
        (best === undefined || slot.inFlight.size < best.inFlight.size)
      ) {
        best = slot;
      }
    }
    if (best !== undefined && best.inFlight.size === 0) return best;
    return this.#slots.length < this.size ? this.#spawn() : best;
  }

  #spawn(): Slot {
    const worker = new Worker(this.#workerUrl, { workerData: this.#bufferSize });
    const slot: Slot = { worker, inFlight: new Map() };
    worker.on('message', (reply: HashReply) => {
      this.#settle(slot, reply);
    });
    worker.on('error', (error) => {
      this.#crash(slot, error);
    });
    worker.on('exit', (code) => {
      this.#crash(
        slot,
        new RampartError('RAMPART_HASH_FAILED', `hash worker exited with code ${code}`),
      );
    });
    this.#slots.push(slot);
    return slot;
  }

  #settle(slot: Slot, reply: HashReply): void {
    const task = slot.inFlight.get(reply.id);
    if (task === undefined) return;
    slot.inFlight.delete(reply.id);
    if (slot.inFlight.size === 0) slot.worker.unref();
    if ('failure' in reply) task.reject(failureError(task.request, reply.failure));
    else task.resolve({ digest: `sha256:${reply.hex}`, size: reply.size });
    this.#pump();
  }

  #crash(slot: Slot, cause: unknown): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.#slots.splice(index, 1);
    rejectAll(
      slot,
      (path) =>
        new RampartError('RAMPART_HASH_FAILED', `hash worker failed while hashing ${path}`, {
          cause,
          details: { path },
        }),
    );
    void slot.worker.terminate();
    this.#pump();
  }
}

function validRange(start: number, end: number | undefined): boolean {
  if (!Number.isSafeInteger(start) || start < 0) return false;
  return end === undefined || (Number.isSafeInteger(end) && end >= start);
}

function rejectAll(slot: Slot, makeError: (path: string) => RampartError): void {
  for (const task of slot.inFlight.values()) task.reject(makeError(task.request.path));
  slot.inFlight.clear();
}

function closedError(path: string): RampartError {
  return new RampartError('RAMPART_HASH_FAILED', `hash pool closed before ${path} was hashed`, {
    details: { path },
  });
}

function failureError(request: HashRequest, failure: HashFailure): RampartError {
  const { path } = request;
  switch (failure.kind) {
    case 'type':
      return new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${path}: not a regular file`, {
        details: { path },
      });
    case 'changed':
      return new RampartError(
        'RAMPART_FILE_UNREADABLE',
        `${path}: file changed while hashing (expected ${failure.expected} bytes, found ${failure.actual})`,
        { hint: 'Hash the file again once nothing is writing to it.', details: { path } },
      );
    case 'system': {
      const cause = Object.assign(new Error(failure.message), { code: failure.errno });
      return fileError(cause, path);
    }
  }
}
