/**
 * The fast CSV path: scans whole lines of UTF-8 bytes and writes every cell straight into its
 * column — numbers parsed from the bytes (Clinger's fast path, as parseNumberText), short ASCII
 * strings interned — so no string is made per row or per plain numeric cell. Any cell the fast
 * path does not recognise is decoded and handed to its builder's setText, so both paths give the
 * same values. Records with quotes are split here too when they are strict RFC 4180
 * (csv-quoted.ts); from any other record on, csv.ts hands the file to csv-parse.
 */
import { CELL_MISSING } from './batch.js';
import type { ColumnBatch } from './batch.js';
import { isNaText, POW10 } from './cells.js';
import { BooleanBuilder, NumericBuilder, StringBuilder } from './columns.js';
import type { BatchBuilder } from './columns.js';
import { checkWidth, recordTooLong, widthError } from './csv-records.js';
import { InternTable, INTERN_MAX_BYTES } from './csv-intern.js';
import { ESCAPED, FALLBACK, escapedText, PLAIN, splitQuotedRecord } from './csv-quoted.js';
import type { CsvLineState } from './csv-records.js';
import { checkRowCount, tableError } from './options.js';
import type { ResolvedTableOptions } from './options.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;
const KIND_NUMBER = 0;
const KIND_INTEGER = 1;
const KIND_BOOLEAN = 2;
const KIND_STRING = 3;
const NO_NUMBERS = new Float64Array(0);
const NO_FLAGS = new Uint8Array(0);
const NO_STRINGS: (string | null)[] = [];

/**
 * Fills batches from a CSV file's lines (bytes, by {@link scanLines}) or records (strings from
 * csv-parse, by {@link addRecord}); the first non-blank line is the header and must match the
 * schema's names.
 */
export class CsvFiller {
  /** Rows filled in the current batch; the batch is full when this reaches the capacity. */
  row = 0;
  /** Why {@link scanLines} stopped early: 0, or NEED_MORE (a quoted record goes on) or FALLBACK. */
  stopped = 0;
  private firstRow = 0;
  private header = true;
  private readonly kinds: Uint8Array;
  private readonly numbers: Float64Array[];
  private readonly flags: Uint8Array[];
  private readonly states: Uint8Array[];
  private readonly strings: (string | null)[][];
  private readonly interned = new InternTable();
  private readonly bounds: Int32Array;
  private readonly quoted: Uint8Array;

  constructor(
    private readonly builder: BatchBuilder,
    private readonly options: ResolvedTableOptions,
    readonly state: CsvLineState,
  ) {
    const kinds = builder.builders.map((b) =>
      b instanceof NumericBuilder
        ? b.type === 'integer'
          ? KIND_INTEGER
          : KIND_NUMBER
        : b instanceof BooleanBuilder
          ? KIND_BOOLEAN
          : KIND_STRING,
    );
    this.kinds = Uint8Array.from(kinds);
    this.numbers = kinds.map(() => NO_NUMBERS);
    this.flags = kinds.map(() => NO_FLAGS);
    this.states = kinds.map(() => NO_FLAGS);
    this.strings = kinds.map(() => NO_STRINGS);
    this.bounds = new Int32Array(2 * kinds.length);
    this.quoted = new Uint8Array(kinds.length);
    this.bind();
  }

  /** True when the current batch holds `capacity` rows. */
  get full(): boolean {
    return this.row === this.builder.capacity;
  }

  /** The rows filled since the last batch, as a batch; filling starts afresh. */
  take(): ColumnBatch {
    const batch = this.builder.finish(this.row, this.firstRow);
    this.firstRow += this.row;
    this.row = 0;
    this.bind();
    return batch;
  }

  /** Adds one record split by csv-parse (the header first). */
  addRecord(fields: readonly string[]): void {
    if (this.header) {
      this.checkHeader(fields);
      return;
    }
    this.countRow();
    const builders = this.builder.builders;
    for (let c = 0; c < builders.length; c++) builders[c]?.setText(this.row, fields[c] ?? '');
    this.row++;
  }

  /**
   * Scans the records of `buf` from `pos` up to `end`, which must follow a line feed, until the
   * batch is full; returns where it stopped. A record that is not in the strict quoted subset,
   * or goes on past `end`, stops the scan at its start ({@link stopped} says which). `added` is
   * the index of a line feed added after the file's last line, or -1.
   */
  scanLines(buf: Buffer, pos: number, end: number, added = -1): number {
    const capacity = this.builder.capacity;
    const limit = this.options.limits.maxRecordBytes;
    this.stopped = 0;
    let quote = nextQuote(buf, pos, end);
    while (pos < end && this.row < capacity) {
      const lf = buf.indexOf(LF, pos);
      if (quote < lf) {
        const next = this.quotedRow(buf, pos, end, added);
        if (next < 0) {
          this.stopped = next;
          return pos;
        }
        pos = next;
        quote = nextQuote(buf, pos, end);
        continue;
      }
      this.state.line++;
      const stop = lf > pos && buf[lf - 1] === CR ? lf - 1 : lf;
      if (stop - pos > limit && buf.toString('utf8', pos, stop).length > limit) {
        throw recordTooLong(this.options.path, this.state.line, limit);
      }
      if (stop > pos) {
        if (this.header) this.checkHeader(buf.toString('utf8', pos, stop).split(this.delimiter));
        else this.scanRow(buf, pos, stop);
      }
      pos = lf + 1;
    }
    return pos;
  }

  // A record holding a quote: split strictly, then each field as in an unquoted line.
  private quotedRow(buf: Buffer, pos: number, end: number, added: number): number {
    const { bounds, quoted } = this;
    const delimiter = this.delimiter.charCodeAt(0);
    const next = splitQuotedRecord(buf, pos, end, delimiter, bounds, quoted);
    // csv-parse sees the file as it is, without the added line feed, and limits record size.
    if (next < 0) return next;
    if (next - 1 === added || next - pos > this.options.limits.maxRecordBytes) return FALLBACK;
    for (let i = pos; i < next; i++) if (buf[i] === LF) this.state.line++;
    if (this.header) {
      const fields = Array.from(quoted, (kind, c) => {
        const start = bounds[2 * c] as number;
        const stop = bounds[2 * c + 1] as number;
        return kind === ESCAPED ? escapedText(buf, start, stop) : buf.toString('utf8', start, stop);
      });
      this.checkHeader(fields);
      return next;
    }
    this.countRow();
    for (let c = 0; c < quoted.length; c++) {
      const start = bounds[2 * c] as number;
      const stop = bounds[2 * c + 1] as number;
      if (quoted[c] === ESCAPED)
        this.builder.builders[c]?.setText(this.row, escapedText(buf, start, stop));
      // A quoted field may hold the delimiter: it ends only at `stop`.
      else this.cell(buf, start, stop, quoted[c] === PLAIN ? delimiter : -1, c, this.row);
    }
    this.row++;
    return next;
  }

  private get delimiter(): string {
    return this.options.delimiter;
  }

  private bind(): void {
    this.builder.builders.forEach((b, c) => {
      if (b instanceof NumericBuilder) {
        this.numbers[c] = b.numbers;
        this.states[c] = b.state;
      } else if (b instanceof BooleanBuilder) {
        this.flags[c] = b.flags;
        this.states[c] = b.state;
      } else if (b instanceof StringBuilder) {
        this.strings[c] = b.strings;
      }
    });
  }

  private checkHeader(fields: readonly string[]): void {
    checkWidth(fields.length, this.state, this.options.path, this.state.line);
    this.header = false;
    // The file may have changed since it was opened.
    if (fields.join('\u0000') !== this.builder.names.join('\u0000')) {
      throw tableError(
        'RAMPART_TABLE_MALFORMED',
        this.options.path,
        'the header changed while reading',
      );
    }
  }

  private countRow(): void {
    const total = this.firstRow + this.row + 1;
    if (total > this.options.limits.maxRows) checkRowCount(total, this.options);
  }

  private scanRow(buf: Buffer, pos: number, stop: number): void {
    this.countRow();
    const delimiter = this.delimiter.charCodeAt(0);
    const kinds = this.kinds;
    const width = kinds.length;
    const row = this.row;
    let p = pos;
    for (let c = 0; c < width; c++) {
      if (c > 0) {
        if (p === stop) throw this.wrongWidth(c, buf, p, stop, delimiter);
        p++;
      }
      p = this.cell(buf, p, stop, delimiter, c, row);
    }
    if (p !== stop) throw this.wrongWidth(width, buf, p, stop, delimiter);
    this.row = row + 1;
  }

  private cell(buf: Buffer, p: number, stop: number, delimiter: number, c: number, row: number) {
    const kind = this.kinds[c];
    if (kind === KIND_STRING) return this.stringCell(buf, p, stop, delimiter, c, row);
    if (kind === KIND_BOOLEAN) return this.booleanCell(buf, p, stop, delimiter, c, row);
    return this.numberCell(buf, p, stop, delimiter, c, row, kind === KIND_INTEGER);
  }

  private numberCell(
    buf: Buffer,
    p: number,
    stop: number,
    delimiter: number,
    c: number,
    row: number,
    integer: boolean,
  ): number {
    let i = p;
    let ch = i < stop ? (buf[i] as number) : delimiter;
    const negative = ch === MINUS;
    if (negative || ch === PLUS) i++;
    let mantissa = 0;
    let digits = 0;
    let fraction = 0;
    let dot = false;
    for (; i < stop; i++) {
      ch = buf[i] as number;
      if (ch >= 48 && ch <= 57) {
        mantissa = mantissa * 10 + (ch - 48);
        digits++;
        if (dot) fraction++;
      } else if (ch === DOT && !dot) {
        dot = true;
      } else {
        break;
      }
    }
    if (i === stop || ch === delimiter) {
      if (i === p) {
        (this.states[c] as Uint8Array)[row] = CELL_MISSING;
        return i;
      }
      if (digits > 0 && digits <= 15 && !(integer && dot)) {
        const value = fraction === 0 ? mantissa : mantissa / (POW10[fraction] as number);
        (this.numbers[c] as Float64Array)[row] = negative ? -value : value;
        return i;
      }
    }
    return this.slowCell(buf, p, cellEnd(buf, i, stop, delimiter), c, row);
  }

  private booleanCell(
    buf: Buffer,
    p: number,
    stop: number,
    delimiter: number,
    c: number,
    row: number,
  ): number {
    const end = cellEnd(buf, p, stop, delimiter);
    const length = end - p;
    if (length === 0) {
      (this.states[c] as Uint8Array)[row] = CELL_MISSING;
    } else if (
      length === 4 &&
      ((buf[p] as number) | 32) === 116 &&
      ((buf[p + 1] as number) | 32) === 114 &&
      ((buf[p + 2] as number) | 32) === 117 &&
      ((buf[p + 3] as number) | 32) === 101
    ) {
      (this.flags[c] as Uint8Array)[row] = 1;
    } else if (
      length === 5 &&
      ((buf[p] as number) | 32) === 102 &&
      ((buf[p + 1] as number) | 32) === 97 &&
      ((buf[p + 2] as number) | 32) === 108 &&
      ((buf[p + 3] as number) | 32) === 115 &&
      ((buf[p + 4] as number) | 32) === 101
    ) {
      (this.flags[c] as Uint8Array)[row] = 0;
    } else {
      return this.slowCell(buf, p, end, c, row);
    }
    return end;
  }

  private stringCell(
    buf: Buffer,
    p: number,
    stop: number,
    delimiter: number,
    c: number,
    row: number,
  ): number {
    let hash = 0;
    let bits = 0;
    let i = p;
    for (; i < stop; i++) {
      const ch = buf[i] as number;
      if (ch === delimiter) break;
      hash = (Math.imul(hash, 31) + ch) | 0;
      bits |= ch;
    }
    const values = this.strings[c] as (string | null)[];
    const length = i - p;
    if (length === 0) {
      values[row] = null;
    } else if (bits < 128 && length <= INTERN_MAX_BYTES) {
      values[row] = this.interned.value(buf, p, length, hash);
    } else {
      const text = buf.toString('utf8', p, i);
      values[row] = isNaText(text) ? null : text;
    }
    return i;
  }

  private slowCell(buf: Buffer, p: number, end: number, c: number, row: number): number {
    this.builder.builders[c]?.setText(row, buf.toString('utf8', p, end));
    return end;
  }

  private wrongWidth(fields: number, buf: Buffer, p: number, stop: number, delimiter: number) {
    let found = fields;
    for (let i = p; i < stop; i++) if (buf[i] === delimiter) found++;
    return widthError(found, this.state, this.options.path, this.state.line);
  }
}

// The index of the next quote in [from, end), or Infinity.
function nextQuote(buf: Buffer, from: number, end: number): number {
  const at = buf.indexOf(QUOTE, from);
  return at < 0 || at >= end ? Number.POSITIVE_INFINITY : at;
}

function cellEnd(buf: Buffer, from: number, stop: number, delimiter: number): number {
  let i = from;
  while (i < stop && buf[i] !== delimiter) i++;
  return i;
}
