import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RampartError } from './errors.js';

let found: { readonly root: string; readonly version: string } | undefined;

/**
 * The folder holding Rampart's own package.json, found by walking up from this module: the same
 * answer from the compiled tree (dist/src/core) and from the CLI bundle (dist/bundle/cli), whose
 * depths differ.
 * @throws RAMPART_INTERNAL when no such folder exists (a broken installation).
 */
export function packageRoot(): string {
  return ownPackage().root;
}

/** Rampart's version, from its package.json. */
export function packageVersion(): string {
  return ownPackage().version;
}

// Read once per process: the version is printed and recorded by several steps of one command.
function ownPackage(): { readonly root: string; readonly version: string } {
  if (found !== undefined) return found;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = readPackage(path.join(dir, 'package.json'));
    if (manifest?.name === 'rampart') {
      found = {
        root: dir,
        version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
      };
      return found;
    }
    if (path.dirname(dir) === dir) {
      throw new RampartError('RAMPART_INTERNAL', `no Rampart package.json above ${start}`, {
        hint: 'Reinstall Rampart (npm install) so that its package.json sits above dist/.',
      });
    }
  }
}

function readPackage(file: string): { name?: unknown; version?: unknown } | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
