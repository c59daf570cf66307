/**
 * Our own zip reader (scanners.md §6.5). It reads the central directory the way CPython does
 * (prefixed bytes, zip64), checks each entry against its local header, also walks the local
 * headers on its own, and hands every member to the engine, which sniffs it whatever its name.
 * It is as tolerant as PyTorch's loader (CRCs and flag bits are ignored) and never extracts.
 */
import { LimitExceeded, type FormatScanner, type ScanContext } from '../context.js';
import { BufferSource, type ByteSource } from '../source.js';
import { checkNames, withoutOverlaps } from './zip-checks.js';
import { openMember, type Member } from './zip-members.js';
import { decodeName, isDirectory, pythonView } from './zip-names.js';
import {
  hasCentralHeader,
  hasLocalHeader,
  parseCentralDirectory,
  readEndRecord,
  readLocalHeader,
  type CentralEntry,
  type EndRecord,
  type LocalHeader,
} from './zip-records.js';

const DATA_DESCRIPTOR = 0x08;
// A data descriptor (12 to 24 bytes, with or without signature) may follow a member's data.
const DESCRIPTOR_SIZES = [0, 12, 16, 20, 24];

/** Scans a zip archive: structure findings, then every member as a nested item. */
export const scanZip: FormatScanner = async (source, context) => {
  const archive =
    !source.seekable && source.size <= context.limits.maxNestedBytes
      ? new BufferSource(await source.read(0, source.size))
      : source;
  try {
    await new ZipScan(archive, context).run();
  } catch (error) {
    if (error instanceof LimitExceeded) throw error;
    context.problem('zip-malformed', error instanceof Error ? error.message : String(error));
  }
};

class ZipScan {
  readonly #archive: ByteSource;
  readonly #context: ScanContext;
  #tooMany = false;

  constructor(archive: ByteSource, context: ScanContext) {
    this.#archive = archive;
    this.#context = context;
  }

  async run(): Promise<void> {
    const end = await readEndRecord(this.#archive);
    let listed: Member[] = [];
    if (end === undefined) {
      this.#context.problem(
        'zip-no-central-directory',
        'no end-of-central-directory record; members were found by walking local headers',
      );
    } else {
      const { entries, shift } = await this.#centralDirectory(end);
      listed = await this.#resolve(entries, shift);
    }
    listed.sort((a, b) => a.headerOffset - b.headerOffset);
    // The walk also starts at 0: an end record that lists nothing gives no useful shift.
    const starts = [
      0,
      Math.max(0, end?.shift ?? 0),
      ...listed.map((m) => m.dataStart + m.compressedSize),
    ];
    const hidden = await this.#walk(starts, listed);
    checkNames([...listed, ...hidden], this.#context);
    const scanned = [
      ...withoutOverlaps(
        listed.filter((m) => m.origin === 'central'),
        this.#context,
      ),
      ...listed.filter((m) => m.origin === 'local'),
      ...hidden,
    ];
    await this.#scanMembers(scanned.sort((a, b) => a.dataStart - b.dataStart));
  }

  async #centralDirectory(end: EndRecord): Promise<{ entries: CentralEntry[]; shift: number }> {
    const { limits } = this.#context;
    if (end.directorySize === 0) return { entries: [], shift: end.shift };
    let start: number | undefined;
    for (const candidate of new Set([end.directoryOffset + end.shift, end.directoryOffset])) {
      if (await hasCentralHeader(this.#archive, candidate)) {
        start = candidate;
        break;
      }
    }
    if (start === undefined) {
      this.#context.problem(
        'zip-bad-central-directory',
        'no central directory where the end record places it; members were found by walking local headers',
      );
      return { entries: [], shift: end.shift };
    }
    if (end.directorySize > limits.maxHeaderBytes) {
      this.#context.problem(
        'zip-central-directory-too-large',
        `the central directory is ${end.directorySize} bytes, over the header limit; members were found by walking local headers`,
      );
      return { entries: [], shift: end.shift };
    }
    const bytes = await this.#archive.read(start, end.directorySize);
    const { entries, error } = parseCentralDirectory(bytes, limits.maxArchiveEntries + 1);
    if (error !== undefined)
      this.#context.problem('zip-bad-central-directory', `${error}; later entries were not read`);
    if (entries.length > limits.maxArchiveEntries) {
      entries.length = limits.maxArchiveEntries;
      this.#tooManyEntries();
    } else if (error === undefined && entries.length !== end.entries && end.entries !== 0xffff) {
      this.#mismatch(
        'zip.entry-count',
        `the end record counts ${end.entries} members but the central directory lists ${entries.length}; readers that trust the count see a different archive`,
      );
    }
    return { entries, shift: start - end.directoryOffset };
  }

  async #resolve(entries: readonly CentralEntry[], shift: number): Promise<Member[]> {
    const members: Member[] = [];
    for (const entry of entries) {
      const name = decodeName(entry.nameBytes, entry.flags);
      let local: LocalHeader | undefined;
      for (const offset of new Set([entry.localOffset + shift, entry.localOffset])) {
        local ??= await readLocalHeader(this.#archive, offset);
      }
      if (local === undefined) {
        this.#mismatch(
          'zip.local-offset',
          `the central directory places zip member "${pythonView(name)}" at byte ${entry.localOffset + shift}, where there is no local header`,
        );
        continue;
      }
      const localName = decodeName(local.nameBytes, local.flags);
      const unicode =
        entry.unicodePath === undefined ? undefined : decodeName(entry.unicodePath, 0x800);
      const shown = pythonView(unicode ?? name);
      if (!sameBytes(entry.nameBytes, local.nameBytes)) {
        this.#mismatch(
          'zip.local-name',
          `zip member "${shown}" is named "${pythonView(localName)}" in its local header; readers disagree on its name (both are the same bytes)`,
        );
      }
      const names = [
        ...new Set([shown, name, localName, ...(unicode === undefined ? [] : [unicode])]),
      ];
      const common = { names, headerOffset: local.offset, dataStart: local.dataStart };
      members.push({
        ...common,
        name: shown,
        method: entry.method,
        flags: entry.flags,
        compressedSize: entry.compressedSize,
        size: entry.size,
        origin: 'central',
      });
      const deferred =
        (local.flags & DATA_DESCRIPTOR) !== 0 && local.compressedSize === 0 && local.size === 0;
      if (deferred) continue;
      if (
        local.compressedSize !== entry.compressedSize ||
        local.size !== entry.size ||
        local.method !== entry.method
      ) {
        this.#mismatch(
          'zip.local-size',
          `zip member "${shown}" has different sizes or compression method in its local header; both readings are scanned`,
        );
        members.push({
          ...common,
          name: pythonView(localName),
          method: local.method,
          flags: local.flags,
          compressedSize: local.compressedSize,
          size: local.size,
          origin: 'local',
        });
      }
    }
    return members;
  }

  // Walks local headers from each start; entries the central directory does not list are
  // what streaming readers see and others miss.
  async #walk(starts: readonly number[], listed: readonly Member[]): Promise<Member[]> {
    const known = new Map(
      listed.filter((m) => m.origin === 'central').map((m) => [m.headerOffset, m]),
    );
    const hidden: Member[] = [];
    const visited = new Set<number>();
    let budget = this.#context.limits.maxArchiveEntries - known.size;
    for (const start of starts) {
      let at: number | undefined = start;
      while (at !== undefined && !visited.has(at)) {
        visited.add(at);
        const local = await readLocalHeader(this.#archive, at);
        if (local === undefined) break;
        let size = known.get(at)?.compressedSize;
        if (size === undefined) {
          const name = pythonView(decodeName(local.nameBytes, local.flags));
          if ((local.flags & DATA_DESCRIPTOR) !== 0 && local.compressedSize === 0) {
            this.#context.problem(
              'zip-local-unknown-size',
              `a local header at byte ${at} ("${name}") is not in the central directory and gives no size; the walk stopped there`,
            );
            break;
          }
          if (--budget < 0) {
            this.#tooManyEntries();
            return hidden;
          }
          this.#mismatch(
            'zip.local-only',
            `zip member "${name}" has a local header but is not in the central directory; streaming readers see it, others do not`,
          );
          size = local.compressedSize;
          hidden.push({
            name,
            names: [name],
            method: local.method,
            flags: local.flags,
            dataStart: local.dataStart,
            compressedSize: size,
            size: local.size,
            headerOffset: at,
            origin: 'local',
          });
        }
        at = await this.#nextHeader(local.dataStart + size);
      }
    }
    return hidden;
  }

  async #nextHeader(at: number): Promise<number | undefined> {
    for (const skip of DESCRIPTOR_SIZES) {
      if (await hasLocalHeader(this.#archive, at + skip)) return at + skip;
    }
    return undefined;
  }

  async #scanMembers(members: readonly Member[]): Promise<void> {
    const seen = new Set<string>();
    for (const member of members) {
      const key = `${member.dataStart}:${member.compressedSize}:${member.size}:${member.method}`;
      if (seen.has(key) || (isDirectory(member.name) && member.compressedSize === 0)) continue;
      seen.add(key);
      try {
        const source = await openMember(this.#archive, member, this.#context);
        if (source !== undefined) await this.#context.scanNested(member.name, source);
      } catch (error) {
        if (error instanceof LimitExceeded) throw error;
        this.#context.problem(
          'zip-member-unreadable',
          `zip member "${member.name}": ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }

  #mismatch(check: string, message: string): void {
    this.#context.finding({ rule: 'RS202', message, check });
  }

  #tooManyEntries(): void {
    if (this.#tooMany) return;
    this.#tooMany = true;
    const { maxArchiveEntries } = this.#context.limits;
    this.#context.finding({
      rule: 'RS204',
      message: `the archive has more than ${maxArchiveEntries} members; only the first ${maxArchiveEntries} were scanned`,
      check: 'archive.entries',
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
