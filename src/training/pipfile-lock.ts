/**
 * Pipfile.lock (pipenv): JSON with `default` and `develop` sections mapping a package name to
 * `{version: "==X", hashes: [...]}`; git, path and editable entries have no version pin.
 */
import { RampartError } from '../core/index.js';
import type { ParsedDependency } from './lockfile.js';
import { isPackageName, normalisePackageName } from './names.js';

const SECTIONS = ['default', 'develop'] as const;

/**
 * Parses Pipfile.lock text.
 * @throws RAMPART_LOCKFILE_INVALID with the line of a JSON syntax error, or naming the entry
 */
export function parsePipfileLock(text: string, file: string): ParsedDependency[] {
  const fail = (why: string, line?: number): RampartError =>
    new RampartError(
      'RAMPART_LOCKFILE_INVALID',
      `${file}${line === undefined ? '' : `:${line}`}: ${why}`,
      {
        details: { path: file, ...(line === undefined ? {} : { line }) },
      },
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message)?.[1];
    const line = at === undefined ? undefined : text.slice(0, Number(at)).split('\n').length;
    throw fail(`not valid JSON (${message})`, line);
  }
  if (!isRecord(doc) || !SECTIONS.some((s) => doc[s] !== undefined)) {
    throw fail('not a Pipfile.lock: no "default" or "develop" section');
  }
  const dependencies: ParsedDependency[] = [];
  for (const section of SECTIONS) {
    const entries = doc[section];
    if (entries === undefined) continue;
    if (!isRecord(entries)) throw fail(`"${section}" is not an object`);
    for (const [name, entry] of Object.entries(entries)) {
      if (!isPackageName(name) || !isRecord(entry))
        throw fail(`"${section}" entry ${JSON.stringify(name.slice(0, 80))} is malformed`);
      const hashes = Array.isArray(entry.hashes) ? entry.hashes : [];
      if (!hashes.every((h): h is string => typeof h === 'string')) {
        throw fail(`"${section}.${name}.hashes" is not a list of strings`);
      }
      const version =
        typeof entry.version === 'string'
          ? /^===?\s*([^\s,*;]+)$/.exec(entry.version)?.[1]
          : undefined;
      const unpinned =
        version !== undefined
          ? undefined
          : typeof entry.version === 'string'
            ? `not an exact pin: ${entry.version}`
            : (['git', 'path', 'file', 'editable'].find((k) => entry[k] !== undefined) ??
              'no version');
      dependencies.push({
        name: normalisePackageName(name),
        ...(version === undefined ? {} : { version }),
        ...(unpinned === undefined
          ? {}
          : { unpinned: unpinned.includes(' ') ? unpinned : `${unpinned} source` }),
        hashes,
      });
    }
  }
  return dependencies;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
