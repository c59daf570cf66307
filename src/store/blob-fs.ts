import * as fsp from 'node:fs/promises';

/** The part of an open file the blob store uses. */
export interface BlobFile {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number | null,
  ): Promise<{ bytesRead: number }>;
  write(buffer: Uint8Array, offset: number, length: number): Promise<{ bytesWritten: number }>;
  stat(): Promise<{ size: number; isFile(): boolean }>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The file-system operations the blob store needs: a port, so tests can inject failures
 * (ENOSPC, EROFS) that a real disk will not produce on demand.
 */
export interface BlobFs {
  open(path: string, flags: string, mode?: number): Promise<BlobFile>;
  mkdir(path: string, options: { recursive: true }): Promise<string | undefined>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
}

/** The real file system. */
export const nodeBlobFs: BlobFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  mkdir: (path, options) => fsp.mkdir(path, options),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
};
