import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RampartError } from './errors.js';

let cached: string | undefined;

/**
 * The folder holding Rampart's own package.json, found by walking up from this module: the same
 * answer from the compiled tree (dist/src/core) and from the CLI bundle (dist/bundle/cli), whose
 * depths differ.
 * @throws RAMPART_INTERNAL when no such folder exists (a broken installation).
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (isRampartPackage(path.join(dir, 'package.json'))) {
      cached = dir;
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new RampartError('RAMPART_INTERNAL', `no Rampart package.json above ${start}`, {
        hint: 'Reinstall Rampart (npm install) so that its package.json sits above dist/.',
      });
    }
  }
}

/** Rampart's version, from its package.json. */
export function packageVersion(): string {
  const text = readFileSync(path.join(packageRoot(), 'package.json'), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

function isRampartPackage(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'rampart';
  } catch {
    return false;
  }
}
