/**
 * Profiles a table file on several threads: a Parquet file's row groups are split into
 * contiguous ranges, the first profiled here and each other one in a worker thread, and the
 * profiles merged in order (counts, moments, HyperLogLog and quantile sketches merge exactly).
 * Anything else — other formats, one row group, one thread — is profiled here in one pass.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ERRORS, RampartError, type ErrorCode } from '../../core/index.js';
import { openTable } from '../table/open.js';
import { checkRowCount, resolveTableOptions } from '../table/options.js';
import type { ReadTableOptions, RowGroupRange } from '../table/options.js';
import type { ColumnBatch } from '../table/batch.js';
import { ProfileBuilder } from './builder.js';
import { profileFromJson, type ProfileJson } from './json.js';
import { mergeProfiles } from './merge.js';
import type { DatasetProfile } from './types.js';

/** What a profile worker is given. */
export interface ProfileTask {
  readonly path: string;
  readonly options: ReadTableOptions;
}

/** What a profile worker answers. */
export type ProfileReply =
  | { readonly profile: ProfileJson }
  | {
      readonly error: {
        readonly code: string;
        readonly message: string;
        readonly hint?: string;
        readonly details?: Record<string, unknown>;
      };
    };

/** One pass over `batches`. */
export async function profileBatches(batches: AsyncIterable<ColumnBatch>): Promise<DatasetProfile> {
  const builder = new ProfileBuilder();
  for await (const batch of batches) builder.add(batch);
  return builder.finish();
}

/** Profiles the table at `path` (one pass per part; see the module comment). */
export async function profileTable(
  path: string,
  options: ReadTableOptions = {},
  threads = availableParallelism(),
): Promise<DatasetProfile> {
  if (!Number.isSafeInteger(threads) || threads < 1) {
    throw new RampartError(
      'RAMPART_TABLE_OPTIONS_INVALID',
      `threads must be a positive whole number, not ${threads}`,
    );
  }
  // One pass over each batch: the readers may refill the same arrays.
  const reuse: ReadTableOptions = { ...options, reuseBatches: true };
  const reader = await openTable(path, reuse);
  const groups = reader.rowGroups ?? 0;
  const parts = Math.min(threads, groups);
  if (parts < 2 || options.rowGroups !== undefined) return profileBatches(reader.batches());
  const [first, ...rest] = splitGroups(groups, parts);
  const mine = profileBatches(
    (await openTable(path, { ...reuse, rowGroups: first as RowGroupRange })).batches(),
  );
  const workers = rest.map((range) =>
    startWorker({ path, options: { ...reuse, rowGroups: range } }),
  );
  const profiles = await Promise.all([mine, ...workers.map((w) => w.profile)]);
  const merged = profiles.reduce((a, b) => mergeProfiles(a, b));
  checkRowCount(merged.rows, resolveTableOptions(path, options, false));
  return merged;
}

/** `groups` row groups in `parts` contiguous ranges of near-equal size. */
export function splitGroups(groups: number, parts: number): RowGroupRange[] {
  return Array.from({ length: parts }, (_, i) => ({
    from: Math.floor((i * groups) / parts),
    to: Math.floor(((i + 1) * groups) / parts),
  }));
}

// Workers stay alive between calls (unreferenced while idle, so they never keep the process
// running): a fresh worker runs its first part with cold JIT, about half again as slow.
const idle: Worker[] = [];

function startWorker(task: ProfileTask): { worker: Worker; profile: Promise<DatasetProfile> } {
  const worker = idle.pop() ?? new Worker(new URL('./profile-worker.js', import.meta.url));
  worker.ref();
  const profile = new Promise<DatasetProfile>((resolve, reject) => {
    const settle = (outcome: () => void): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      outcome();
    };
    const onMessage = (reply: ProfileReply): void => {
      settle(() => {
        worker.unref();
        if (idle.length < availableParallelism()) idle.push(worker);
        else void worker.terminate();
        if ('profile' in reply) resolve(profileFromJson(reply.profile));
        else reject(fromReply(reply.error));
      });
    };
    const onError = (error: Error): void => {
      settle(() => {
        reject(
          new RampartError('RAMPART_INTERNAL', `a profile worker failed on ${task.path}`, {
            cause: error,
          }),
        );
      });
    };
    const onExit = (code: number): void => {
      settle(() => {
        reject(
          new RampartError(
            'RAMPART_INTERNAL',
            `a profile worker exited with code ${code} before answering`,
          ),
        );
      });
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.postMessage(task);
  });
  // Handled here too: after another part failed, nobody awaits this one any more.
  profile.catch(() => undefined);
  return { worker, profile };
}

function fromReply(error: Extract<ProfileReply, { error: unknown }>['error']): RampartError {
  const code: ErrorCode = Object.hasOwn(ERRORS, error.code)
    ? (error.code as ErrorCode)
    : 'RAMPART_INTERNAL';
  return new RampartError(code, error.message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.details === undefined ? {} : { details: error.details }),
  });
}
