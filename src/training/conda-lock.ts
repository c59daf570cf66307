/**
 * conda-lock.yml (conda-lock 1.x/2.x, `version: 1`): a `package:` list with `name`, `version`,
 * `manager` (conda or pip), `platform`, `url` and `hash: {md5, sha256}`. conda packages are
 * ecosystem "conda" (pins and hashes only: OSV has no conda ecosystem); pip packages are PyPI.
 * The same package locked for several platforms is listed once per platform; it is reported
 * once per (manager, name, version).
 */
import { isMap, isSeq, LineCounter, parseDocument, visit, type YAMLMap } from 'yaml';
import { RampartError } from '../core/index.js';
import type { LockedDependency } from './lockfile.js';
import { isPackageName, normalisePackageName } from './names.js';

// conda package names: lower-case letters, digits, `.`, `_`, `-` (conda-build's rule).
const CONDA_NAME = /^[a-z0-9_][a-z0-9._-]{0,199}$/;
const VERSION = /^[^\s,*<>=!~|]{1,200}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Parses conda-lock.yml text. Only sha256 counts as a hash: an md5 alone does not protect
 * against a crafted package (md5 collisions are practical).
 * @throws RAMPART_LOCKFILE_INVALID with the line of a YAML error or of the malformed entry
 */
export function parseCondaLock(text: string, file: string): LockedDependency[] {
  const fail = (why: string, line?: number): RampartError =>
    new RampartError(
      'RAMPART_LOCKFILE_INVALID',
      `${file}${line === undefined ? '' : `:${line}`}: ${why}`,
      { details: { path: file, ...(line === undefined ? {} : { line }) } },
    );
  const lines = new LineCounter();
  // The failsafe schema keeps every scalar a string (`version: 1.10` stays "1.10").
  const doc = parseDocument(text, {
    schema: 'failsafe',
    uniqueKeys: true,
    lineCounter: lines,
    prettyErrors: false,
  });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    throw fail(
      `not valid YAML: ${syntax.message.split('\n')[0] ?? ''}`,
      lineAt(lines, syntax.pos[0]),
    );
  }
  // Aliases could expand one entry into many; a lockfile never needs them.
  const found = { alias: false };
  visit(doc, {
    Alias() {
      found.alias = true;
      return visit.BREAK;
    },
  });
  if (found.alias) throw fail('YAML aliases are not allowed in a lockfile');
  const root = doc.contents;
  if (!isMap(root)) throw fail('not a conda-lock file: not a mapping');
  if (String(root.get('version') ?? '') !== '1') {
    throw fail('not a conda-lock file of version 1 (conda-lock 1.x/2.x)');
  }
  const list = root.get('package');
  if (!isSeq(list)) throw fail('not a conda-lock file: no "package" list');
  const seen = new Set<string>();
  const dependencies: LockedDependency[] = [];
  for (const item of list.items) {
    const line = isMap(item) ? lineAt(lines, item.range[0]) : undefined;
    if (!isMap(item)) throw fail('a package entry is not a mapping', line);
    const dep = entry(item, line, fail);
    const key = `${dep.ecosystem}\0${dep.name}\0${dep.version ?? ''}\0${dep.hashes.length > 0}`;
    if (seen.has(key)) continue;
    seen.add(key);
    dependencies.push(dep);
  }
  return dependencies;
}

function entry(
  item: YAMLMap,
  line: number | undefined,
  fail: (why: string, line?: number) => RampartError,
): LockedDependency {
  const text = (key: string): string | undefined => {
    const value = item.get(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw fail(`package ${key} is not a string`, line);
    return value;
  };
  const manager = text('manager') ?? 'conda';
  const name = text('name') ?? '';
  if (manager !== 'conda' && manager !== 'pip') {
    throw fail(`package ${name}: manager ${JSON.stringify(manager)} is not conda or pip`, line);
  }
  const valid = manager === 'conda' ? CONDA_NAME.test(name) : isPackageName(name);
  if (!valid) throw fail(`package name ${JSON.stringify(name.slice(0, 80))} is not valid`, line);
  const hash = item.get('hash');
  const sha256 = isMap(hash) ? hash.get('sha256') : undefined;
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !SHA256.test(sha256))) {
    throw fail(`package ${name}: hash.sha256 is not 64 lowercase hex digits`, line);
  }
  const version = text('version');
  const url = text('url') ?? '';
  const unpinned =
    version === undefined || version === ''
      ? 'no version'
      : !VERSION.test(version)
        ? `not an exact version: ${version.slice(0, 80)}`
        : manager === 'pip' && url !== '' && !url.startsWith('https://')
          ? 'URL or path source'
          : undefined;
  return {
    ecosystem: manager === 'pip' ? 'PyPI' : 'conda',
    name: manager === 'pip' ? normalisePackageName(name) : name,
    ...(version === undefined || version === '' ? {} : { version }),
    ...(unpinned === undefined ? {} : { unpinned }),
    hashes: typeof sha256 === 'string' ? [`sha256:${sha256}`] : [],
    ...(line === undefined ? {} : { line }),
  };
}

function lineAt(lines: LineCounter, offset: number | undefined): number | undefined {
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
