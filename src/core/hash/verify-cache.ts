/**
 * The incremental verify cache: per root (a model or dataset folder), file name → (stat key,
 * algorithm, digests). A file whose device, inode, size, mtime and ctime are unchanged is not
 * read again.
 */
import { createHash } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { fileError } from '../errors.js';
import { readSmallFile } from '../files.js';

const VERSION = 1;
// Far above any real manifest (about 200 bytes a file): a bigger file is not ours, so ignored.
const MAX_CACHE_BYTES = 512 * 1024 * 1024;
const HEX = /^[0-9a-f]{64}$/;

/**
 * The cache key of a file's state: `dev:ino:size:mtimeNs:ctimeNs`. Equal keys mean unchanged
 * content: the ctime cannot be set back (`touch -d` and `utimes` set it to now).
 */
export function statKeyOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

interface Entry {
  readonly k: string;
  readonly a: string;
  readonly d: readonly string[];
}

/** Digests remembered for unchanged files. Corrupt cache files are ignored, never trusted. */
export class VerifyCache {
  readonly #file: string;
  readonly #old: Map<string, Entry>;
  readonly #next = new Map<string, Entry>();
  readonly #read: boolean;
  #hits = 0;
  #dirty = false;

  private constructor(file: string, old: Map<string, Entry>, read: boolean) {
    this.#file = file;
    this.#old = old;
    this.#read = read;
  }

  /**
   * Opens the cache of `root` (a resolved path) under `folder`. With `read` false (`--no-cache`)
   * nothing is looked up, but fresh digests are still saved.
   */
  static async open(folder: string, root: string, read: boolean): Promise<VerifyCache> {
    const name = createHash('sha256').update(root).digest('hex');
    const file = path.join(folder, `${name}.json`);
    return new VerifyCache(file, read ? await load(file, root) : new Map<string, Entry>(), read);
  }

  /** How many files were answered from the cache. */
  get hits(): number {
    return this.#hits;
  }

  /**
   * The digests of `name` when its stat key and algorithm are unchanged (and, given `count`,
   * there are that many: an entry of the wrong shape is a miss, not a hit).
   */
  get(
    name: string,
    statKey: string,
    algorithm: string,
    count?: number,
  ): readonly string[] | undefined {
    if (!this.#read) return undefined;
    const entry = this.#old.get(name);
    if (entry === undefined || entry.k !== statKey || entry.a !== algorithm) return undefined;
    if (count !== undefined && entry.d.length !== count) return undefined;
    this.#hits++;
    this.#next.set(name, entry);
    return entry.d;
  }

  /** Remembers fresh digests of `name`. */
  set(name: string, statKey: string, algorithm: string, digests: readonly string[]): void {
    this.#next.set(name, { k: statKey, a: algorithm, d: digests });
    this.#dirty = true;
  }

  /** Writes what this run saw (files gone since are dropped), atomically with mode 0600, if it changed. */
  async save(root: string): Promise<void> {
    // All hits and no file gone: the file on disk already says exactly this; skip the fsync.
    if (!this.#dirty && this.#next.size === this.#old.size) return;
    const folder = path.dirname(this.#file);
    await mkdir(folder, { recursive: true, mode: 0o700 }).catch((error: unknown) => {
      throw fileError(error, folder);
    });
    const entries = Object.fromEntries(this.#next);
    await writeFileAtomic(this.#file, JSON.stringify({ version: VERSION, root, entries }), {
      mode: 0o600,
      exclusive: false,
    });
  }
}

async function load(file: string, root: string): Promise<Map<string, Entry>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readSmallFile(file, MAX_CACHE_BYTES)).toString('utf8'));
  } catch {
    // Missing, unreadable or corrupt: start empty and rehash; the file is rewritten on save.
    return new Map();
  }
  const result = new Map<string, Entry>();
  if (typeof parsed !== 'object' || parsed === null) return result;
  const record = parsed as Record<string, unknown>;
  if (record.version !== VERSION || record.root !== root) return result;
  const entries = record.entries;
  if (typeof entries !== 'object' || entries === null) return result;
  for (const [name, value] of Object.entries(entries)) {
    if (!isEntry(value)) return new Map();
    result.set(name, value);
  }
  return result;
}

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const { k, a, d } = value as Record<string, unknown>;
  return (
    typeof k === 'string' &&
    typeof a === 'string' &&
    Array.isArray(d) &&
    d.every((digest) => typeof digest === 'string' && HEX.test(digest))
  );
}
