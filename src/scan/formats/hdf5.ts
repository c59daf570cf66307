/**
 * HDF5 / Keras 2 `.h5`: the root attributes `model_config` and `training_config` hold the model
 * as JSON, walked like any Keras config. Read with h5wasm (the HDF5 C library in WebAssembly):
 * a file on disk is opened in place, bytes from an archive are copied into h5wasm's in-memory
 * file system when they are small enough. No dataset (no weight) is ever read.
 */
import type * as H5 from 'h5wasm';
import type { FormatScanner, ScanContext } from '../context.js';
import { FileSource, type ByteSource } from '../source.js';
import { walkDocument } from './config-walk.js';
import { readAll } from './cursor.js';

const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const CONFIG_ATTRIBUTES = ['model_config', 'training_config'];

type H5Library = typeof H5;

let onDisk: Promise<H5Library> | undefined;
let inMemory: Promise<H5Library> | undefined;
let memoryFiles = 0;

/** True when the HDF5 signature is at 0, 512, 1024, 2048, … (after a user block). */
export function looksLikeHdf5(head: Uint8Array): boolean {
  for (let at = 0; at + SIGNATURE.length <= head.length; at = at === 0 ? 512 : at * 2) {
    if (SIGNATURE.every((byte, i) => head[at + i] === byte)) return true;
  }
  return false;
}

/** Walks the Keras configs stored in an HDF5 file's root attributes. */
export const scanHdf5: FormatScanner = async (source, context) => {
  let opened: { file: H5.File; release: () => void } | undefined;
  try {
    opened = await open(source, context);
    if (opened === undefined) return;
    for (const text of configTexts(opened.file, context)) scanConfig(text, context);
  } catch (error) {
    context.problem('hdf5-unreadable', `HDF5 could not be read: ${describe(error)}`);
  } finally {
    opened?.release();
  }
};

async function open(
  source: ByteSource,
  context: ScanContext,
): Promise<{ file: H5.File; release: () => void } | undefined> {
  if (source instanceof FileSource) {
    const h5 = await library('disk');
    const file = new h5.File(source.path, 'r');
    return { file, release: () => void file.close() };
  }
  const bytes = await readAll(source, context.limits.maxHeaderBytes);
  if (bytes === undefined) {
    context.problem(
      'hdf5-too-large',
      `the ${source.size}-byte HDF5 member is over the ${context.limits.maxHeaderBytes}-byte limit for in-memory reading`,
    );
    return undefined;
  }
  const h5 = await library('memory');
  const fs = (await h5.ready).FS;
  const path = `/rampart-scan-${++memoryFiles}.h5`;
  fs.writeFile(path, bytes);
  try {
    const file = new h5.File(path, 'r');
    return {
      file,
      release: () => {
        file.close();
        fs.unlink(path);
      },
    };
  } catch (error) {
    fs.unlink(path);
    throw error;
  }
}

// The node build reads the host file system in place; the default build has its own memory FS.
function library(kind: 'disk' | 'memory'): Promise<H5Library> {
  const load = async (build: Promise<H5Library>): Promise<H5Library> => {
    const h5 = await build;
    const module = await h5.ready;
    module.activate_throwing_error_handler();
    return h5;
  };
  if (kind === 'disk') return (onDisk ??= load(import('h5wasm/node')));
  return (inMemory ??= load(import('h5wasm')));
}

function configTexts(file: H5.File, context: ScanContext): string[] {
  const attributes = file.attrs;
  const texts: string[] = [];
  for (const name of CONFIG_ATTRIBUTES) {
    const attribute = attributes[name];
    if (attribute === undefined) continue;
    const { size, total_size: total } = attribute.metadata;
    if (Math.max(size, total) > context.limits.maxHeaderBytes) {
      context.problem('hdf5-attribute-too-large', `the ${name} attribute is over the scan limit`);
      continue;
    }
    const text = asText(attribute.value);
    if (text !== undefined) texts.push(text);
  }
  return texts;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) return asText(value[0]);
  return undefined;
}

function scanConfig(text: string, context: ScanContext): void {
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    context.problem('hdf5-config-invalid', 'a Keras config attribute is not valid JSON');
    return;
  }
  for (const finding of walkDocument(config)) context.finding(finding);
}

// HDF5 errors are a stack, outermost first; the innermost entry says what was wrong.
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const causes = [...text.matchAll(/ in (\w+\(\): .+)$/gm)].map((m) => m[1]);
  return causes.at(-1) ?? text.split('\n')[0] ?? 'unknown error';
}
