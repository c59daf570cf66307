/**
 * The scan engine: walks paths, sniffs every file and archive member, runs the scanner for each
 * format found and collects findings and problems. It never throws for a hostile artefact:
 * whatever a scanner throws becomes a problem at that item, and findings made before it stay.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, isRampartError } from '../core/index.js';
import { DEFAULT_LIMITS, LimitExceeded, type ScanContext, type ScanLimits } from './context.js';
import { SCANNERS } from './dispatch.js';
import { RULES } from './rules.js';
import { isPolyglot, sniff } from './sniff.js';
import { FileSource, type ByteSource } from './source.js';
import type {
  Finding,
  FindingInput,
  Format,
  Location,
  Problem,
  ScannedItem,
  ScanReport,
} from './types.js';

/** Options for {@link scanPaths}. */
export interface ScanOptions {
  /** Overrides for individual limits. */
  readonly limits?: Partial<ScanLimits>;
  /** Folder that relative paths are resolved against and reported relative to. */
  readonly cwd?: string;
  /** Pickle globals (`module.qualname`) trusted beyond the built-in allowlist; never a denied one. */
  readonly allowGlobals?: readonly string[];
}

// Extensions that promise a model format: an unrecognised file with one of these is a problem.
const MODEL_EXTENSIONS = new Set(
  'pkl pickle pt pth bin ckpt joblib dill h5 hdf5 keras onnx pb safetensors gguf npy npz mar'.split(
    ' ',
  ),
);

/** Scans files and folders (recursively) and returns every finding and problem. */
export async function scanPaths(
  paths: readonly string[],
  options: ScanOptions = {},
): Promise<ScanReport> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const run = new ScanRun({ ...DEFAULT_LIMITS, ...options.limits }, options.allowGlobals);
  for (const given of paths) {
    const absolute = path.resolve(cwd, given);
    const info = await stat(absolute).catch((error: unknown) => {
      throw fileError(error, absolute);
    });
    if (info.isDirectory()) await run.folder(absolute, given);
    else await run.file(absolute, given);
  }
  return { ...run.result(), durationMs: performance.now() - started };
}

/** Scans one byte source as if it were a file named `name` (the registry's entry point). */
export async function scanSource(
  source: ByteSource,
  name: string,
  options: Pick<ScanOptions, 'limits' | 'allowGlobals'> = {},
): Promise<ScanReport> {
  const started = performance.now();
  const run = new ScanRun({ ...DEFAULT_LIMITS, ...options.limits }, options.allowGlobals);
  await run.item(source, { file: name, members: [] }, 0, undefined, new Budget(run.limits));
  return { ...run.result(), durationMs: performance.now() - started };
}

// Inflated bytes are budgeted per top-level file, so one archive cannot starve the rest.
class Budget {
  #inflated = 0;
  readonly #limits: ScanLimits;
  constructor(limits: ScanLimits) {
    this.#limits = limits;
  }
  add(bytes: number): void {
    this.#inflated += bytes;
    if (this.#inflated > this.#limits.maxInflatedBytes) {
      throw new LimitExceeded(
        'RS204',
        `more than ${this.#limits.maxInflatedBytes} bytes would be decompressed`,
      );
    }
  }
}

class ScanRun {
  readonly limits: ScanLimits;
  readonly #allowGlobals: ReadonlySet<string> | undefined;
  readonly #findings: Finding[] = [];
  readonly #problems: Problem[] = [];
  readonly #scanned: ScannedItem[] = [];
  #bytes = 0;

  constructor(limits: ScanLimits, allowGlobals: readonly string[] | undefined) {
    this.limits = limits;
    this.#allowGlobals = allowGlobals === undefined ? undefined : new Set(allowGlobals);
  }

  result(): Omit<ScanReport, 'durationMs'> {
    return {
      findings: this.#findings,
      problems: this.#problems,
      scanned: this.#scanned,
      bytes: this.#bytes,
    };
  }

  async folder(absolute: string, shown: string): Promise<void> {
    const entries = await readdir(absolute, { withFileTypes: true }).catch((error: unknown) => {
      throw fileError(error, absolute);
    });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = path.join(absolute, entry.name);
      const childShown = path.join(shown, entry.name);
      if (entry.isDirectory()) await this.folder(child, childShown);
      else if (entry.isFile()) await this.file(child, childShown);
      else if (entry.isSymbolicLink()) await this.link(child, childShown);
      else
        this.problem(
          { file: childShown, members: [] },
          'not-a-file',
          'not a regular file; skipped',
        );
    }
  }

  // Links to files are scanned (model caches are built of them); links to folders are not
  // followed, so a link cycle cannot loop the walk, and the skip is reported.
  async link(absolute: string, shown: string): Promise<void> {
    const target = await stat(absolute).catch(() => undefined);
    if (target?.isFile() === true) return this.file(absolute, shown);
    const what = target === undefined ? 'a dangling symbolic link' : 'a link to a folder';
    this.problem({ file: shown, members: [] }, 'link-skipped', `${what}; not followed`);
  }

  async file(absolute: string, shown: string): Promise<void> {
    const info = await lstat(absolute).catch((error: unknown) => {
      throw fileError(error, absolute);
    });
    if (!info.isFile() && !info.isSymbolicLink()) {
      this.problem({ file: shown, members: [] }, 'not-a-file', 'not a regular file; skipped');
      return;
    }
    let source: FileSource;
    try {
      source = await FileSource.open(absolute);
    } catch (error) {
      this.problem({ file: shown, members: [] }, 'unreadable', fileError(error, absolute).message);
      return;
    }
    try {
      await this.item(source, { file: shown, members: [] }, 0, undefined, new Budget(this.limits));
    } finally {
      this.#bytes += source.bytesRead;
      await source.close();
    }
  }

  async item(
    source: ByteSource,
    location: Location,
    depth: number,
    hint: Format | undefined,
    budget: Budget,
  ): Promise<void> {
    const name = location.members.at(-1) ?? location.file;
    let formats: Format[];
    try {
      formats = hint === undefined ? await sniff(source, name) : [hint];
    } catch (error) {
      this.problem(location, 'unreadable', describe(error));
      return;
    }
    this.#scanned.push({ ...location, formats, size: source.size });
    const context = this.context(location, depth, formats, budget);
    if (isPolyglot(formats)) {
      context.finding({
        rule: 'RS206',
        message: `the bytes are valid as ${formats.join(' and ')}; each is scanned`,
        check: `polyglot.${formats.join('+')}`,
      });
    }
    if (formats[0] === 'unknown' && MODEL_EXTENSIONS.has(extension(name))) {
      context.problem(
        'format-unrecognised',
        `not a model format Rampart recognises, though named ${extension(name)}`,
      );
    }
    for (const format of formats) {
      const scanner = SCANNERS[format];
      if (scanner === undefined) continue;
      try {
        await scanner(source, context);
      } catch (error) {
        if (error instanceof LimitExceeded)
          context.finding({ rule: error.rule, message: error.message });
        else context.problem(`${format}-scan-failed`, describe(error));
      }
    }
  }

  context(
    location: Location,
    depth: number,
    formats: readonly Format[],
    budget: Budget,
  ): ScanContext {
    let count = 0;
    const limits = this.limits;
    return {
      location,
      limits,
      depth,
      formats,
      ...(this.#allowGlobals === undefined ? {} : { allowGlobals: this.#allowGlobals }),
      finding: (input: FindingInput) => {
        count++;
        if (count > limits.maxFindingsPerItem) {
          if (count === limits.maxFindingsPerItem + 1) {
            this.problem(
              location,
              'findings-truncated',
              `more than ${limits.maxFindingsPerItem} findings; the rest are not listed`,
            );
          }
          return;
        }
        this.#findings.push(toFinding(input, location));
      },
      problem: (code, message, offset) => {
        this.problem(location, code, message, offset);
      },
      scanNested: async (member, nested, nestedHint) => {
        const inner: Location = { file: location.file, members: [...location.members, member] };
        if (depth + 1 > limits.maxDepth) {
          this.#findings.push(
            toFinding(
              {
                rule: 'RS207',
                message: `nested deeper than ${limits.maxDepth} levels; not scanned`,
              },
              inner,
            ),
          );
          return;
        }
        await this.item(nested, inner, depth + 1, nestedHint, budget);
      },
      inflated: (bytes) => {
        budget.add(bytes);
      },
    };
  }

  problem(location: Location, code: string, message: string, offset?: number): void {
    this.#problems.push({
      ...location,
      code,
      message,
      ...(offset === undefined ? {} : { offset }),
    });
  }
}

function toFinding(input: FindingInput, location: Location): Finding {
  const { severity, ...rest } = input;
  return { ...location, ...rest, severity: severity ?? RULES[input.rule].severity };
}

function extension(name: string): string {
  const base = name.split('/').at(-1) ?? name;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

function describe(error: unknown): string {
  if (isRampartError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
