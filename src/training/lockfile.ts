/**
 * Lockfiles: what each dependency is pinned to and with which hashes. Readers for
 * requirements.txt, poetry.lock, uv.lock, Pipfile.lock, conda-lock.yml and package-lock.json
 * share this shape; the format comes from the file name. Lockfiles are untrusted input: size,
 * line and count limits apply.
 */
import path from 'node:path';
import { readSmallFile, RampartError } from '../core/index.js';
import { parseCondaLock } from './conda-lock.js';
import type { Ecosystem } from './ecosystem.js';
import { parsePackageLock } from './package-lock.js';
import { parsePipfileLock } from './pipfile-lock.js';
import { parseRequirements } from './requirements.js';
import { parsePoetryLock, parseUvLock } from './toml-locks.js';

/** Largest lockfile read. */
export const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024;
/** Most dependencies one lockfile may list. */
export const MAX_DEPENDENCIES = 50_000;

/** The lockfile formats read. */
export type LockfileFormat = 'requirements' | 'poetry' | 'uv' | 'pipfile' | 'conda-lock' | 'npm';

/** One locked dependency. */
export interface LockedDependency {
  readonly ecosystem: Ecosystem;
  /** PEP 503 normalised for PyPI; exact for npm and conda. */
  readonly name: string;
  /** The exact version it is pinned to, as written; absent when not pinned. */
  readonly version?: string;
  /** Why it does not count as pinned (a range, a URL, an editable folder). */
  readonly unpinned?: string;
  /** Where it comes from when that is not a registry (npm git, file or remote tarball). */
  readonly notRegistry?: string;
  /** `algorithm:hex` hashes of its distributions (empty when none are given). */
  readonly hashes: readonly string[];
  /** 1-based line where it is declared; absent for JSON lockfiles. */
  readonly line?: number;
}

/** A dependency as a Python-only reader returns it (the ecosystem is added by the caller). */
export type ParsedDependency = Omit<LockedDependency, 'ecosystem'>;

/** What a reader returns. */
export interface ParsedLockfile {
  readonly dependencies: readonly LockedDependency[] | readonly ParsedDependency[];
  readonly notes: Lockfile['notes'];
}

/** A lockfile read into its dependencies. */
export interface Lockfile {
  readonly path: string;
  readonly format: LockfileFormat;
  readonly dependencies: readonly LockedDependency[];
  /** Lines the reader understood but could not follow (`-r other.txt`), with their line. */
  readonly notes: readonly { readonly line: number; readonly message: string }[];
}

/** The format of a lockfile named `file`, or undefined when its name is not one Rampart reads. */
export function lockfileFormat(file: string): LockfileFormat | undefined {
  const name = path.basename(file).toLowerCase();
  if (name === 'poetry.lock') return 'poetry';
  if (name === 'uv.lock') return 'uv';
  if (name === 'pipfile.lock') return 'pipfile';
  if (name === 'package-lock.json' || name === 'npm-shrinkwrap.json') return 'npm';
  if (/^conda-lock.*\.ya?ml$/.test(name)) return 'conda-lock';
  if (name.endsWith('.txt')) return 'requirements';
  return undefined;
}

/**
 * Parses the text of a lockfile; `file` names it in messages and picks the format.
 * @throws RAMPART_LOCKFILE_INVALID on an unknown name or malformed content
 */
export function parseLockfile(text: string, file: string): Lockfile {
  const format = lockfileFormat(file);
  if (format === undefined) {
    throw new RampartError('RAMPART_LOCKFILE_INVALID', `${file}: not a lockfile Rampart reads`, {
      hint: 'Name it requirements*.txt (or *.txt), poetry.lock, uv.lock, Pipfile.lock, conda-lock*.yml or package-lock.json.',
      details: { path: file },
    });
  }
  const parsed = parse(format, text, file);
  if (parsed.dependencies.length > MAX_DEPENDENCIES) {
    throw new RampartError(
      'RAMPART_LOCKFILE_INVALID',
      `${file}: more than ${MAX_DEPENDENCIES} dependencies`,
      {
        details: { path: file, limit: MAX_DEPENDENCIES },
      },
    );
  }
  const dependencies = parsed.dependencies.map((d) =>
    'ecosystem' in d ? d : { ecosystem: 'PyPI' as const, ...d },
  );
  return { path: file, format, dependencies, notes: parsed.notes };
}

/**
 * Reads and parses the lockfile at `file` (at most {@link MAX_LOCKFILE_BYTES}).
 * @throws RAMPART_LOCKFILE_INVALID, or a file error when it cannot be read
 */
export async function readLockfile(file: string): Promise<Lockfile> {
  const bytes = await readSmallFile(file, MAX_LOCKFILE_BYTES).catch((error: unknown) => {
    if (error instanceof RampartError && error.code === 'RAMPART_LIMIT_EXCEEDED') {
      throw new RampartError('RAMPART_LOCKFILE_INVALID', error.message, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new RampartError('RAMPART_LOCKFILE_INVALID', `${file}: not UTF-8 text`, {
      cause: error,
      details: { path: file },
    });
  }
  return parseLockfile(text.replace(/^\uFEFF/, ''), file);
}

function parse(format: LockfileFormat, text: string, file: string): ParsedLockfile {
  switch (format) {
    case 'requirements':
      return parseRequirements(text, file);
    case 'poetry':
      return { dependencies: parsePoetryLock(text, file), notes: [] };
    case 'uv':
      return { dependencies: parseUvLock(text, file), notes: [] };
    case 'pipfile':
      return { dependencies: parsePipfileLock(text, file), notes: [] };
    case 'conda-lock':
      return { dependencies: parseCondaLock(text, file), notes: [] };
    case 'npm':
      return { dependencies: parsePackageLock(text, file), notes: [] };
  }
}
