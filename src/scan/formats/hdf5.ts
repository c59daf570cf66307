/**
 * HDF5 / Keras 2 `.h5`: the root attributes `model_config` and `training_config` hold the model
 * as JSON, walked like any Keras config. Read with h5wasm (the HDF5 C library in WebAssembly) on
 * a worker thread with a deadline (hdf5-client.ts): a file on disk is opened in place, bytes from
 * an archive are copied into h5wasm's in-memory file system when they are small enough. No
 * dataset (no weight) is ever read.
 */
import type { FormatScanner, ScanContext } from '../context.js';
import { FileSource } from '../source.js';
import { walkDocument, withoutTrusted } from './config-walk.js';
import { readAll } from './cursor.js';
import { readHdf5OnWorker } from './hdf5-client.js';
import type { Hdf5Request } from './hdf5-reader.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the HDF5 signature is at 0, 512, 1024, 2048, … (after a user block). */
export function looksLikeHdf5(head: Uint8Array): boolean {
  for (let at = 0; at + SIGNATURE.length <= head.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((byte, i) => head[at + i] === byte)) return true;
  }
  return false;
}

/** Walks the Keras configs stored in an HDF5 file's root attributes. */
export const scanHdf5: FormatScanner = async (source, context) => {
  const maxAttributeBytes = context.limits.maxHeaderBytes;
  let request: Hdf5Request;
  if (source instanceof FileSource) request = { path: source.path, maxAttributeBytes };
  else {
    const bytes = await readAll(source, context.limits.maxHeaderBytes);
    if (bytes === undefined) {
      context.problem(
        'hdf5-too-large',
        `the ${source.size}-byte HDF5 member is over the ${context.limits.maxHeaderBytes}-byte limit for in-memory reading`,
      );
      return;
    }
    request = { bytes, maxAttributeBytes };
  }
  const result = await readHdf5OnWorker(request, context.limits.hdf5TimeoutMs);
  if (result === 'timedOut') {
    context.problem(
      'hdf5-timeout',
      `HDF5 reading took longer than ${context.limits.hdf5TimeoutMs} ms and was stopped`,
    );
    return;
  }
  for (const name of result.tooLarge) {
    context.problem('hdf5-attribute-too-large', `the ${name} attribute is over the scan limit`);
  }
  for (const text of result.texts) scanConfig(text, context);
  if (result.error !== undefined) {
    context.problem('hdf5-unreadable', `HDF5 could not be read: ${result.error}`);
  }
};

function scanConfig(text: string, context: ScanContext): void {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    context.problem('hdf5-config-invalid', 'a Keras config attribute is not valid JSON');
    return;
  }
  for (const finding of withoutTrusted(walkDocument(config), context.allowGlobals)) {
    context.finding(finding);
  }
}
