/**
 * Content sniffing: which formats an item's bytes are, whatever its name says. A file can be
 * more than one (a pickle with a zip appended); every format found is scanned.
 */
import { looksLikeNumpy, sniffCompression } from './containers/index.js';
import {
  looksLikeGguf,
  looksLikeHdf5,
  looksLikeSafetensors,
  sniffProtobuf,
  sniffText,
} from './formats/index.js';
import { isTorchLegacy, looksLikePickle } from './pickle/index.js';
import type { ByteSource } from './source.js';
import type { Format } from './types.js';

/** Bytes read from the start of an item for sniffing. */
export const HEAD_SIZE = 64 * 1024;
// End-of-central-directory record (22 bytes) plus the longest zip comment.
const ZIP_TAIL = 22 + 0xffff;
const SEVEN_ZIP = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];

/** The formats `source` holds; `name` (a file or member name) only breaks protobuf ties. */
export async function sniff(source: ByteSource, name: string): Promise<Format[]> {
  const head = await source.read(0, HEAD_SIZE);
  const formats: Format[] = [];
  const zipAtStart =
    startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]);
  if (isTorchLegacy(head)) formats.push('torch-legacy');
  else if (looksLikePickle(head)) formats.push('pickle');
  else if (looksLikeNumpy(head)) formats.push('numpy');
  else if (looksLikeHdf5(head)) formats.push('hdf5');
  else if (looksLikeGguf(head)) formats.push('gguf');
  else if (looksLikeSafetensors(head, source.size)) formats.push('safetensors');
  else if (startsWith(head, SEVEN_ZIP)) formats.push('sevenzip');
  else if (!zipAtStart && sniffCompression(head) !== undefined) formats.push('compressed');
  if (zipAtStart || (await hasZipDirectory(source))) formats.push('zip');
  if (formats.length > 0) return formats;
  const protobuf = await sniffProtobuf(source, name);
  if (protobuf !== undefined) return [protobuf];
  return [sniffText(head, name) ?? 'unknown'];
}

/** True when a polyglot mix of formats should be reported (two independent readings). */
export function isPolyglot(formats: readonly Format[]): boolean {
  return formats.length > 1;
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

// A zip is read from its end: look for an end-of-central-directory record whose central
// directory really starts with a central-header signature, so stray "PK\5\6" bytes in tensor
// data do not make every file a zip.
async function hasZipDirectory(source: ByteSource): Promise<boolean> {
  if (source.size < 22 || !source.seekable) return false;
  const start = Math.max(0, source.size - ZIP_TAIL);
  const tail = await source.read(start, source.size - start);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let at = tail.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x06054b50) continue;
    const entries = view.getUint16(at + 10, true);
    const directorySize = view.getUint32(at + 12, true);
    const eocd = start + at;
    if (entries === 0xffff || directorySize === 0xffffffff) return true; // zip64: the zip reader decides
    if (entries === 0) return directorySize === 0;
    const directoryStart = eocd - directorySize;
    if (directoryStart < 0) continue;
    const signature = await source.read(directoryStart, 4);
    if (
      signature.length === 4 &&
      new DataView(signature.buffer, signature.byteOffset).getUint32(0, true) === 0x02014b50
    ) {
      return true;
    }
  }
  return false;
}
