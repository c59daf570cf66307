import { readFile, stat } from 'node:fs/promises';
import { fileError, systemErrorCode } from './errors.js';

/**
 * The text of `file`, or null when it does not exist.
 * @throws RAMPART_FILE_UNREADABLE (or another file error) when it exists but cannot be read.
 */
export async function readTextIfExists(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (systemErrorCode(error) === 'ENOENT') return null;
    throw fileError(error, file);
  }
}

/** True when something exists at `file` (any kind of entry). */
export async function pathExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
