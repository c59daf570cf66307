/**
 * Record sinks: JSON lines on disk (append-only, owner-only, rotated by size) and memory.
 */
import { open, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { pathExists, RampartError } from '../core/index.js';
import type { RecordSink } from './queue.js';
import type { InferenceRecord } from './record.js';

/** Rotation settings for {@link JsonLinesSink}. */
export interface JsonLinesOptions {
  /** Rotate once the file reaches this many bytes (64 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept as `<path>.1` (newest) … `<path>.<keep>` (5). */
  readonly keep?: number;
}

/** Appends one JSON record per line to `path` (mode 0600), rotating by size. */
export class JsonLinesSink implements RecordSink {
  readonly #path: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  #file: FileHandle | undefined;
  #size = 0;

  /** @throws RAMPART_MONITOR_INVALID for maxBytes or keep out of range. */
  constructor(path: string, options: JsonLinesOptions = {}) {
    this.#path = path;
    this.#maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.#keep = options.keep ?? 5;
    if (!Number.isInteger(this.#maxBytes) || this.#maxBytes < 1024) {
      throw invalid('JSON lines maxBytes must be an integer of at least 1024');
    }
    if (!Number.isInteger(this.#keep) || this.#keep < 0 || this.#keep > 1000) {
      throw invalid('JSON lines keep must be 0 to 1000');
    }
  }

  async write(batch: readonly InferenceRecord[]): Promise<void> {
    const text = batch.map((r) => `${JSON.stringify(r)}\n`).join('');
    const bytes = Buffer.byteLength(text);
    if (this.#file !== undefined && this.#size > 0 && this.#size + bytes > this.#maxBytes) {
      await this.#rotate();
    }
    const file = await this.#open();
    await file.appendFile(text);
    this.#size += bytes;
  }

  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await file?.close();
  }

  async #open(): Promise<FileHandle> {
    if (this.#file !== undefined) return this.#file;
    const file = await open(this.#path, 'a', 0o600);
    // The mode applies only on creation; an existing log is narrowed too.
    await file.chmod(0o600);
    this.#size = (await file.stat()).size;
    this.#file = file;
    return file;
  }

  async #rotate(): Promise<void> {
    await this.close();
    if (this.#keep === 0) {
      await rm(this.#path, { force: true });
      return;
    }
    await rm(`${this.#path}.${this.#keep}`, { force: true });
    for (let i = this.#keep - 1; i >= 1; i--) {
      const from = `${this.#path}.${i}`;
      if (await pathExists(from)) await rename(from, `${this.#path}.${i + 1}`);
    }
    await rename(this.#path, `${this.#path}.1`);
  }
}

/** Keeps records in memory (tests, small demos); unbounded, so not for production traffic. */
export class MemorySink implements RecordSink {
  readonly records: InferenceRecord[] = [];

  write(batch: readonly InferenceRecord[]): void {
    this.records.push(...batch);
  }
}

function invalid(message: string): RampartError {
  return new RampartError('RAMPART_MONITOR_INVALID', message, {
    hint: 'See the inference log settings in docs/monitoring.md.',
  });
}
