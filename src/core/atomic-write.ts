import { randomBytes } from 'node:crypto';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { RampartError, systemErrorCode, writeError } from './errors.js';

/** How {@link writeFileAtomic} writes. */
export interface AtomicWriteOptions {
  /** File mode, e.g. 0o600 for secrets. */
  readonly mode: number;
  /** Refuse (RAMPART_STORE_CONFLICT) when the file already exists, instead of replacing it. */
  readonly exclusive: boolean;
}

/**
 * Writes `data` to a temporary file beside `target`, fsyncs it, then moves it into place, so
 * readers see either nothing or the whole file. Nothing is left behind on failure.
 * @throws RAMPART_STORE_CONFLICT when exclusive and the target exists; file errors otherwise.
 */
export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
): Promise<void> {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temp, 'wx', options.mode);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // link() fails if the target exists, which makes the exclusive case race-free.
    if (options.exclusive) await link(temp, target);
    else await rename(temp, target);
    await syncFolder(path.dirname(target));
  } catch (error) {
    if (options.exclusive && systemErrorCode(error) === 'EEXIST') {
      throw new RampartError(
        'RAMPART_STORE_CONFLICT',
        `${target} already exists; refusing to overwrite it`,
        {
          hint: 'Move the existing file away first if you really mean to replace it.',
          details: { path: target },
        },
      );
    }
    throw writeError(error, target);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Flushes a folder's entries to disk so a rename inside it survives a crash. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
