import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { fileError, RampartError, systemErrorCode } from './errors.js';

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

/**
 * True when something exists at `file`, false when nothing does (ENOENT, ENOTDIR).
 * @throws a file error when the answer cannot be known (permission denied, I/O error).
 */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw fileError(error, file);
  }
}

// O_NONBLOCK: a FIFO put where a small file belongs must not hang the open.
const OPEN_SMALL = constants.O_RDONLY | constants.O_NONBLOCK;

/**
 * Reads a small regular file whole, refusing anything else before reading: a FIFO, device or
 * folder (RAMPART_FILE_TYPE_UNSUPPORTED) or more than `maxBytes` (RAMPART_LIMIT_EXCEEDED).
 * A missing file is RAMPART_FILE_NOT_FOUND, so callers can give it their own code.
 */
export async function readSmallFile(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, OPEN_SMALL).catch((error: unknown) => {
    throw fileError(error, file);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${file} is not a regular file`, {
        details: { path: file },
      });
    }
    if (info.size > maxBytes) {
      throw new RampartError('RAMPART_LIMIT_EXCEEDED', `${file} is larger than ${maxBytes} bytes`, {
        details: { path: file, limit: maxBytes },
      });
    }
    const bytes = await handle.readFile();
    // The file may have grown between stat and read.
    if (bytes.length > maxBytes) {
      throw new RampartError('RAMPART_LIMIT_EXCEEDED', `${file} is larger than ${maxBytes} bytes`, {
        details: { path: file, limit: maxBytes },
      });
    }
    return bytes;
  } catch (error) {
    throw fileError(error, file);
  } finally {
    await handle.close();
  }
}
