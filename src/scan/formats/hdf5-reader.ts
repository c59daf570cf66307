/**
 * The h5wasm side of HDF5 scanning, run on a worker thread (see hdf5-client.ts): opens the file
 * (in place on disk, or from bytes in h5wasm's memory file system) and returns the text of the
 * root attributes that hold a Keras config. No dataset (no weight) is ever read.
 */
import type * as H5 from 'h5wasm';

const CONFIG_ATTRIBUTES = ['model_config', 'training_config'];

type H5Library = typeof H5;

/** What to read: a file on disk or the bytes of an archive member. */
export type Hdf5Request =
  | { readonly path: string; readonly maxAttributeBytes: number }
  | { readonly bytes: Uint8Array; readonly maxAttributeBytes: number };

/** Config texts found, attributes skipped as too large, or why the file could not be read. */
export interface Hdf5Result {
  readonly texts: readonly string[];
  readonly tooLarge: readonly string[];
  readonly error?: string;
}

let onDisk: Promise<H5Library> | undefined;
let inMemory: Promise<H5Library> | undefined;
let memoryFiles = 0;

/** Reads the config attributes; never throws (an unreadable file is `error`). */
export async function readHdf5(request: Hdf5Request): Promise<Hdf5Result> {
  let opened: { file: H5.File; release: () => void } | undefined;
  try {
    opened = await open(request);
    return configTexts(opened.file, request.maxAttributeBytes);
  } catch (error) {
    return { texts: [], tooLarge: [], error: describe(error) };
  } finally {
    opened?.release();
  }
}

async function open(request: Hdf5Request): Promise<{ file: H5.File; release: () => void }> {
  if ('path' in request) {
    const h5 = await library('disk');
    const file = new h5.File(request.path, 'r');
    return { file, release: () => void file.close() };
  }
  const h5 = await library('memory');
  const fs = (await h5.ready).FS;
  const path = `/rampart-scan-${++memoryFiles}.h5`;
  fs.writeFile(path, request.bytes);
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

function configTexts(file: H5.File, maxBytes: number): Hdf5Result {
  const attributes = file.attrs;
  const texts: string[] = [];
  const tooLarge: string[] = [];
  for (const name of CONFIG_ATTRIBUTES) {
    const attribute = attributes[name];
    if (attribute === undefined) continue;
    const { size, total_size: total } = attribute.metadata;
    if (Math.max(size, total) > maxBytes) {
      tooLarge.push(name);
      continue;
    }
    const text = asText(attribute.value);
    if (text !== undefined) texts.push(text);
  }
  return { texts, tooLarge };
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) return asText(value[0]);
  return undefined;
}

// HDF5 errors are a stack, outermost first; the innermost entry says what was wrong.
function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const causes = [...text.matchAll(/ in (\w+\(\): .+)$/gm)].map((m) => m[1]);
  return causes.at(-1) ?? text.split('\n')[0] ?? 'unknown error';
}
