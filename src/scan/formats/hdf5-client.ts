/**
 * Runs HDF5 reads on a worker thread with a deadline. A file that makes the HDF5 library hang
 * costs at most the deadline: the worker is terminated and a fresh one serves the next file. Workers are also replaced after {@link READS_PER_WORKER} reads, so memory the
 * library leaks on malformed files cannot pile up in a long-running scanner.
 */
import { Worker } from 'node:worker_threads';
import type { Hdf5Request, Hdf5Result } from './hdf5-reader.js';

const READS_PER_WORKER = 500;

let worker: Worker | undefined;
let reads = 0;
let nextId = 0;
// One read at a time: the worker is replaced between reads, never under one.
let queue: Promise<unknown> = Promise.resolve();

/** Reads an HDF5 file's config attributes; `timedOut` when the deadline passed. */
export function readHdf5OnWorker(
  request: Hdf5Request,
  timeoutMs: number,
): Promise<Hdf5Result | 'timedOut'> {
  const run = queue.then(() => readOnce(request, timeoutMs));
  queue = run.catch(() => undefined);
  return run;
}

function readOnce(request: Hdf5Request, timeoutMs: number): Promise<Hdf5Result | 'timedOut'> {
  if (worker === undefined || reads >= READS_PER_WORKER) replace();
  const current = worker as Worker;
  reads++;
  const id = nextId++;
  return new Promise((resolve, reject) => {
    // A ref'd timer keeps the process alive while the (unref'd) worker works.
    const timer = setTimeout(() => {
      cleanup();
      retire(current);
      resolve('timedOut');
    }, timeoutMs);
    const onMessage = (reply: { id: number; result: Hdf5Result }): void => {
      if (reply.id !== id) return;
      cleanup();
      resolve(reply.result);
    };
    const onExit = (code: number): void => {
      cleanup();
      retire(current);
      reject(new Error(`the HDF5 reader stopped (exit ${code})`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      current.off('message', onMessage);
      current.off('exit', onExit);
      current.off('error', onExit);
    }
    current.on('message', onMessage);
    current.on('exit', onExit);
    current.on('error', onExit);
    current.postMessage({ id, request });
  });
}

function replace(): void {
  if (worker !== undefined) retire(worker);
  worker = new Worker(new URL('./hdf5-worker.js', import.meta.url));
  worker.unref();
  reads = 0;
}

function retire(old: Worker): void {
  if (worker === old) worker = undefined;
  void old.terminate();
}
