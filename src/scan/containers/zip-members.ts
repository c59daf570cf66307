/**
 * A zip member's bytes as a {@link ByteSource}: stored members are a zero-copy slice of the
 * archive, compressed ones a guarded decoding stream (deflate, bzip2, LZMA, xz). Encryption
 * flags are honoured only when the bytes really are encrypted, as PyTorch's loader does.
 */
import type { ScanContext } from '../context.js';
import { SliceSource, type ByteSource } from '../source.js';
import { decodeBzip2 } from './bzip2.js';
import { DecodeGuard, decodedSource, type Decode } from './decoded.js';
import { inflate } from './inflate.js';
import { InputWindow } from './input-window.js';
import { decodeXz, decodeZipLzma } from './xz.js';

/** Where a member's data is and how it is stored. */
export interface MemberData {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly dataStart: number;
  readonly compressedSize: number;
  readonly size: number;
}

/** A member as the zip scanner found it, in the central directory or by walking headers. */
export interface Member extends MemberData {
  /** Every name a reader may give it (central, local, Unicode Path), for the traversal check. */
  readonly names: readonly string[];
  readonly headerOffset: number;
  readonly origin: 'central' | 'local';
}

const STORED = 0;
const DEFLATE = 8;
const BZIP2 = 12;
const LZMA = 14;
const XZ = 95;
const AES = 99;
const ENCRYPTED = 0x01;
const STRONG_ENCRYPTION = 0x40;
// ZipCrypto puts a 12-byte header before the data.
const ZIPCRYPTO_HEADER = 12;
const PROBE = 64 * 1024;

/** Opens the member for scanning; undefined (with a problem reported) when it cannot be read. */
export async function openMember(
  archive: ByteSource,
  member: MemberData,
  context: ScanContext,
): Promise<ByteSource | undefined> {
  const { name, method, flags, dataStart, compressedSize, size } = member;
  const flaggedEncrypted = (flags & (ENCRYPTED | STRONG_ENCRYPTION)) !== 0;
  const raw = new SliceSource(archive, dataStart, compressedSize);
  if (
    method === AES ||
    (flaggedEncrypted && method === STORED && compressedSize === size + ZIPCRYPTO_HEADER)
  ) {
    context.problem(
      'zip-encrypted',
      `zip member "${name}" is encrypted, so its contents were not scanned`,
    );
    return undefined;
  }
  if (method === STORED) return new SliceSource(archive, dataStart, Math.min(compressedSize, size));
  const decoder = decoderFor(method, raw, size);
  if (decoder === undefined) {
    context.problem(
      'zip-unsupported-method',
      `zip member "${name}" uses compression method ${method}, which is not supported, so it was not scanned`,
    );
    return undefined;
  }
  const maxBytes = declaredBomb(member, context) ? context.limits.ratioFloorBytes : size;
  const guard = new DecodeGuard(context, {
    what: `zip member "${name}"`,
    compressedSize,
    maxBytes,
    corruptCode: flaggedEncrypted ? 'zip-encrypted' : 'zip-corrupt',
    unsupportedCode: 'zip-unsupported-method',
  });
  const source = await decodedSource(() => guard.run(decoder), maxBytes);
  // A member that fails at its first bytes (often because it is really encrypted) is not
  // scanned: there is nothing to scan, and the problem says why.
  const head = source.seekable ? source.size : (await source.read(0, PROBE)).length;
  return guard.failed && head === 0 ? undefined : source;
}

function decoderFor(method: number, raw: SliceSource, size: number): Decode | undefined {
  switch (method) {
    case DEFLATE:
      return () => inflate(raw.stream(0, PROBE), 'raw');
    case BZIP2:
      return () => decodeBzip2(new InputWindow(raw));
    case LZMA:
      return () => decodeZipLzma(new InputWindow(raw), size);
    case XZ:
      return () => decodeXz(new InputWindow(raw));
    default:
      return undefined;
  }
}

// A declared size over the ratio limit is reported at once; only its head is then inflated.
function declaredBomb(member: MemberData, context: ScanContext): boolean {
  const { limits } = context;
  const { size, compressedSize, name } = member;
  if (size < limits.ratioFloorBytes || size <= compressedSize * limits.maxCompressionRatio)
    return false;
  context.finding({
    rule: 'RS204',
    message: `zip member "${name}" declares ${size} bytes from ${compressedSize} compressed (over the ${limits.maxCompressionRatio}:1 ratio limit); only its first ${limits.ratioFloorBytes} bytes are scanned`,
    check: 'archive.declared-ratio',
  });
  return true;
}
