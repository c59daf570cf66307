/**
 * package-lock.json / npm-shrinkwrap.json, lockfileVersion 2 and 3: the `packages` map from an
 * install path (`node_modules/a/node_modules/@s/b`) to `{version, resolved, integrity, link}`.
 * The root project (`""`), workspace folders and `link` entries are the project itself, not
 * dependencies. A dependency resolved from git, a file or a tarball URL outside a registry is
 * reported as not pinned to a registry version (`notRegistry`).
 */
import { RampartError } from '../core/index.js';
import type { LockedDependency } from './lockfile.js';
import { parseSemver } from './semver.js';

const NPM_NAME = /^(?:@[a-z0-9~][a-z0-9._~-]*\/)?[a-zA-Z0-9~][a-zA-Z0-9._~-]*$/;
const MAX_NAME = 214;
const INTEGRITY = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})$/;
const HEX_LENGTH: Record<string, number> = { sha1: 40, sha256: 64, sha384: 96, sha512: 128 };
// A registry tarball: `<registry>/<name>/-/<base>-<version>.tgz`.
const REGISTRY_TARBALL = /^https?:\/\/[^/]+\/.+\/-\/[^/]+\.tgz$/;

/**
 * Parses package-lock.json text. `sha1` integrity is not counted as a hash (it is broken).
 * @throws RAMPART_LOCKFILE_INVALID for malformed JSON, lockfileVersion 1, or a malformed entry
 */
export function parsePackageLock(text: string, file: string): LockedDependency[] {
  const fail = (why: string, line?: number): RampartError =>
    new RampartError(
      'RAMPART_LOCKFILE_INVALID',
      `${file}${line === undefined ? '' : `:${line}`}: ${why}`,
      {
        hint: 'Regenerate it with `npm install --package-lock-only` (npm 7 or later writes lockfileVersion 3).',
        details: { path: file, ...(line === undefined ? {} : { line }) },
      },
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message)?.[1];
    throw fail(
      `not valid JSON (${message})`,
      at === undefined ? undefined : text.slice(0, Number(at)).split('\n').length,
    );
  }
  if (!isRecord(doc)) throw fail('not a package-lock.json: not an object');
  const version = doc.lockfileVersion;
  if (version !== 2 && version !== 3) {
    throw fail(`lockfileVersion ${JSON.stringify(version)} is not read (only 2 and 3)`);
  }
  const packages = doc.packages;
  if (!isRecord(packages)) throw fail('no "packages" map');
  const lines = keyLines(text);
  const dependencies: LockedDependency[] = [];
  for (const [key, entry] of Object.entries(packages)) {
    const line = lines.get(key);
    // "" is the project; paths without node_modules/ are workspace folders.
    if (key === '' || !key.includes('node_modules/')) continue;
    if (!isRecord(entry)) throw fail(`"${key.slice(0, 120)}" is not an object`, line);
    if (entry.link === true) continue;
    dependencies.push(dependency(key, entry, line, fail));
  }
  return dependencies;
}

function dependency(
  key: string,
  entry: Record<string, unknown>,
  line: number | undefined,
  fail: (why: string, line?: number) => RampartError,
): LockedDependency {
  const name =
    typeof entry.name === 'string' ? entry.name : key.slice(key.lastIndexOf('node_modules/') + 13);
  if (name.length > MAX_NAME || !NPM_NAME.test(name)) {
    throw fail(`package name ${JSON.stringify(name.slice(0, 80))} is not valid`, line);
  }
  const { version, resolved, integrity } = entry;
  for (const [field, value] of Object.entries({ version, resolved, integrity })) {
    if (value !== undefined && typeof value !== 'string') {
      throw fail(`${name}: ${field} is not a string`, line);
    }
  }
  const hashes = typeof integrity === 'string' ? integrityHashes(integrity, name, line, fail) : [];
  const text = typeof version === 'string' ? version : undefined;
  const exact = text !== undefined && parseSemver(text) !== undefined ? text : undefined;
  const source = typeof resolved === 'string' ? resolved : undefined;
  const notRegistry =
    source !== undefined && !REGISTRY_TARBALL.test(source)
      ? sourceKind(source)
      : exact === undefined && text !== undefined
        ? sourceKind(text)
        : undefined;
  return {
    ecosystem: 'npm',
    name,
    ...(exact === undefined ? {} : { version: exact }),
    ...(exact !== undefined
      ? {}
      : {
          unpinned:
            text === undefined ? 'no version' : `not a semver version: ${text.slice(0, 80)}`,
        }),
    ...(notRegistry === undefined ? {} : { notRegistry }),
    hashes,
    ...(line === undefined ? {} : { line }),
  };
}

function sourceKind(source: string): string {
  if (/^git(\+|:)|^github:|^gitlab:|^bitbucket:/.test(source)) return `git source ${clip(source)}`;
  if (source.startsWith('file:')) return `file source ${clip(source)}`;
  if (/^https?:\/\//.test(source)) return `tarball URL ${clip(source)}`;
  return `source ${clip(source)}`;
}

// `sha512-<base64>` (several, space separated) → `sha512:<hex>`; sha1 is dropped as too weak.
function integrityHashes(
  integrity: string,
  name: string,
  line: number | undefined,
  fail: (why: string, line?: number) => RampartError,
): string[] {
  return integrity
    .split(/\s+/)
    .filter((part) => part !== '')
    .flatMap((part) => {
      const match = INTEGRITY.exec(part);
      const algorithm = match?.[1] ?? '';
      const hex = match === null ? '' : Buffer.from(match[2] ?? '', 'base64').toString('hex');
      if (match === null || hex.length !== HEX_LENGTH[algorithm]) {
        throw fail(
          `${name}: integrity ${clip(part)} is not <sha512|sha384|sha256|sha1>-<base64>`,
          line,
        );
      }
      return algorithm === 'sha1' ? [] : [`${algorithm}:${hex}`];
    });
}

// Line of each `"node_modules/…": {` key, without a second JSON parser.
function keyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const split = text.split('\n');
  for (let i = 0; i < split.length; i++) {
    const match = /^\s*"((?:[^"\\]|\\.)*)"\s*:\s*\{/.exec(split[i] ?? '');
    const key = match?.[1];
    if (key !== undefined && key.includes('node_modules/') && !lines.has(key))
      lines.set(key, i + 1);
  }
  return lines;
}

function clip(text: string): string {
  return text.length > 100 ? `${text.slice(0, 99)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
