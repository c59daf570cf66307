import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { RampartError } from '../core/index.js';
import type { Digest } from '../core/index.js';
import type { BlobFile } from './blob-fs.js';

const CHUNK_BYTES = 1 << 20;

/** Bytes to store: a buffer, an async iterable of chunks, or a byte stream. */
export type BlobSource = Uint8Array | AsyncIterable<Uint8Array> | Readable;

/** A stored blob's name and length. */
export interface StoredBlob {
  readonly digest: Digest;
  readonly size: number;
}

/** The chunks of a source, refusing non-binary ones. */
export async function* chunksOf(source: BlobSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (!(chunk instanceof Uint8Array)) {
      throw new RampartError(
        'RAMPART_BLOB_WRITE_FAILED',
        'a blob source yielded a non-binary chunk',
        {
          hint: 'Pass bytes: a Buffer, or a stream without setEncoding().',
        },
      );
    }
    yield chunk;
  }
}

/** Reads an open file from its current position to the end, in 1 MiB chunks. */
export async function* readChunks(file: BlobFile): AsyncIterable<Buffer> {
  for (;;) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) return;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Writes every chunk to `file` while hashing it. @throws RAMPART_LIMIT_EXCEEDED */
export async function writeHashed(
  file: BlobFile,
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<StoredBlob> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    size += chunk.byteLength;
    if (size > maxBytes) throw limitExceeded(maxBytes);
    hash.update(chunk);
    let offset = 0;
    while (offset < chunk.byteLength) {
      const { bytesWritten } = await file.write(chunk, offset, chunk.byteLength - offset);
      if (bytesWritten <= 0)
        throw new RampartError('RAMPART_BLOB_WRITE_FAILED', 'a write made no progress');
      offset += bytesWritten;
    }
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** The error for content over a size limit. */
export function limitExceeded(maxBytes: number, digest?: Digest): RampartError {
  const what = digest === undefined ? 'blob content' : `blob ${digest}`;
  return new RampartError(
    'RAMPART_LIMIT_EXCEEDED',
    `${what} is larger than the limit of ${maxBytes} bytes`,
    {
      details: { maxBytes, ...(digest === undefined ? {} : { digest }) },
    },
  );
}
