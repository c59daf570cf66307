/**
 * requirements.txt as pip reads it: `\` continuations, `#` comments, global option lines, and
 * requirements `name[extras] <specifier> [; marker] [--hash=alg:hex]...`. Only `==`/`===` with
 * one exact version counts as pinned; anything else is reported, not refused. Included files
 * (`-r`, `-c`) are not followed: they are noted so the caller can audit them too.
 */
import { RampartError } from '../core/index.js';
import type { ParsedDependency, ParsedLockfile } from './lockfile.js';
import { isPackageName, normalisePackageName } from './names.js';

const MAX_LINE = 100_000;
const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/s;
const URL_OR_PATH = /^([a-z][a-z0-9+.-]*:\/\/|\.{0,2}[/\\]|[a-z]:\\)/i;
const PIN = /^===?\s*([^\s,*;]+)$/;
const HASH = /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;
// Global options pip accepts on a line of their own; they do not change what is pinned.
const GLOBAL_OPTIONS = new Set([
  '-i',
  '--index-url',
  '--extra-index-url',
  '--no-index',
  '-f',
  '--find-links',
  '--pre',
  '--prefer-binary',
  '--require-hashes',
  '--only-binary',
  '--no-binary',
  '--trusted-host',
  '--use-feature',
]);
const INCLUDES = new Set(['-r', '--requirement', '-c', '--constraint']);
const EDITABLE = new Set(['-e', '--editable']);
// Per-requirement options besides --hash that pip accepts.
const REQUIREMENT_OPTIONS = new Set(['--global-option', '--install-option', '--config-settings']);

/**
 * Parses requirements.txt text.
 * @throws RAMPART_LOCKFILE_INVALID naming the line of a malformed requirement or option
 */
export function parseRequirements(text: string, file: string): ParsedLockfile {
  const dependencies: ParsedDependency[] = [];
  const notes: { line: number; message: string }[] = [];
  for (const { line, content } of logicalLines(text, file)) {
    const fail = (why: string): RampartError =>
      new RampartError('RAMPART_LOCKFILE_INVALID', `${file}:${line}: ${why}`, {
        details: { path: file, line },
      });
    if (content.startsWith('-')) {
      const [, option = '', argument = ''] = /^(-[^\s=]*)[\s=]*(.*)$/s.exec(content) ?? [];
      if (INCLUDES.has(option)) {
        notes.push({ line, message: `${content} is not followed: audit that file as well` });
      } else if (EDITABLE.has(option)) {
        const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(argument)?.[1];
        dependencies.push({
          name: egg === undefined ? argument : normalisePackageName(egg),
          unpinned: 'editable install',
          hashes: [],
          line,
        });
      } else if (!GLOBAL_OPTIONS.has(option)) {
        throw fail(`unknown option ${option}`);
      }
      continue;
    }
    dependencies.push(requirement(content, line, fail));
  }
  return { dependencies, notes };
}

function requirement(
  content: string,
  line: number,
  fail: (why: string) => RampartError,
): ParsedDependency {
  // A bare URL or path installs whatever it points at: a dependency that is not pinned.
  if (URL_OR_PATH.test(content)) {
    return { name: content.split(/\s/)[0] ?? content, unpinned: 'URL or path', hashes: [], line };
  }
  const match = REQUIREMENT.exec(content);
  const name = match?.[1];
  if (match === null || name === undefined || !isPackageName(name)) {
    throw fail(`not a requirement: ${JSON.stringify(content.slice(0, 80))}`);
  }
  const rest = match[3] ?? '';
  const optionAt = rest.search(/(^|\s)--/);
  const spec = (optionAt < 0 ? rest : rest.slice(0, optionAt)).split(';')[0]?.trim() ?? '';
  const hashes = hashOptions(optionAt < 0 ? '' : rest.slice(optionAt), fail);
  const base = { name: normalisePackageName(name), hashes, line };
  if (spec.startsWith('@')) return { ...base, unpinned: 'direct URL' };
  const pin = PIN.exec(spec);
  if (pin?.[1] !== undefined) return { ...base, version: pin[1] };
  return { ...base, unpinned: spec === '' ? 'no version given' : `not an exact pin: ${spec}` };
}

function hashOptions(options: string, fail: (why: string) => RampartError): string[] {
  const hashes: string[] = [];
  const tokens = options
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const [option = '', inline] = token.split(/=(.*)/s);
    const value = inline ?? tokens[++i];
    if (option === '--hash') {
      if (value === undefined || !HASH.test(value)) {
        throw fail(`--hash ${value ?? ''} is not <sha256|sha384|sha512>:<lowercase hex>`);
      }
      hashes.push(value);
    } else if (!REQUIREMENT_OPTIONS.has(option)) {
      throw fail(`unknown requirement option ${option}`);
    }
  }
  return hashes;
}

// Joins `\` continuations and drops comments and blank lines; keeps each first line number.
function* logicalLines(text: string, file: string): Generator<{ line: number; content: string }> {
  const lines = text.split(/\r?\n/);
  let start = 0;
  let buffer = '';
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    if (buffer === '') start = i + 1;
    if (raw.length > MAX_LINE || buffer.length > MAX_LINE) {
      throw new RampartError(
        'RAMPART_LOCKFILE_INVALID',
        `${file}:${i + 1}: line longer than ${MAX_LINE} characters`,
        {
          details: { path: file, line: i + 1, limit: MAX_LINE },
        },
      );
    }
    if (raw.endsWith('\\') && i + 1 < lines.length) {
      buffer += `${raw.slice(0, -1)} `;
      continue;
    }
    const content = `${buffer}${raw}`.replace(/(^|\s)#.*$/s, '').trim();
    buffer = '';
    if (content !== '') yield { line: start, content };
  }
}
