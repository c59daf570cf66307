import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { fileError } from '../../core/index.js';
import { tableError } from './options.js';

/** How {@link csvRecords} splits a file. */
export interface CsvSplitOptions {
  readonly path: string;
  readonly delimiter: string;
  readonly maxRecordBytes: number;
  /** Parse everything with csv-parse instead of only what follows the first quote (tests, benchmarks). */
  readonly careful?: boolean;
}

const READ_CHUNK = 1024 * 1024;
const CAREFUL_CHUNK = 4096;

/**
 * The records of a CSV file, in runs, header first. Lines end in LF or CRLF, a leading BOM is
 * dropped, blank lines are skipped, and every record must have as many fields as the first.
 * Lines without a quote are split by a fast path of our own; from the first line holding a
 * quote on, csv-parse (RFC 4180) reads the rest, so both give the same records.
 */
export async function* csvRecords(options: CsvSplitOptions): AsyncGenerator<string[][]> {
  const { path, delimiter, maxRecordBytes } = options;
  const source = createReadStream(path, { highWaterMark: READ_CHUNK });
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const state = { width: -1, line: 0 };
  let pending = '';
  try {
    for (;;) {
      const next = await chunks.next().catch((error: unknown) => {
        throw fileError(error, path);
      });
      const text =
        next.done === true
          ? pending + decoder.decode()
          : pending + decoder.decode(next.value, { stream: true });
      if (options.careful === true || text.includes('"')) {
        yield* carefulRecords(options, state, text, next.done === true ? null : chunks, decoder);
        return;
      }
      const end = next.done === true ? text.length : text.lastIndexOf('\n') + 1;
      if (end > 0) yield splitLines(text.slice(0, end), delimiter, state, options);
      pending = text.slice(end);
      if (pending.length > maxRecordBytes)
        throw recordTooLong(path, state.line + 1, maxRecordBytes);
      if (next.done === true) return;
    }
  } finally {
    source.destroy();
  }
}

function splitLines(
  text: string,
  delimiter: string,
  state: CsvLineState,
  options: CsvSplitOptions,
): string[][] {
  const records: string[][] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    state.line++;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop - start > options.maxRecordBytes)
      throw recordTooLong(options.path, state.line, options.maxRecordBytes);
    if (stop > start) {
      const fields = text.slice(start, stop).split(delimiter);
      checkWidth(fields.length, state, options.path, state.line);
      records.push(fields);
    }
    start = end + 1;
  }
  return records;
}

interface CsvInfoRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Records parsed by csv-parse (RFC 4180) from `head` and then the rest of the file, in runs;
 * line numbers continue from `state.line` and widths are checked against `state.width`.
 */
export async function* carefulRecords(
  options: CsvSplitOptions,
  state: CsvLineState,
  head: string,
  rest: AsyncIterator<Buffer> | null,
  decoder: InstanceType<typeof TextDecoder>,
): AsyncGenerator<string[][]> {
  const lineOffset = state.line;
  async function* text(): AsyncGenerator<string> {
    yield head;
    if (rest === null) return;
    for (;;) {
      const next = await rest.next().catch((error: unknown) => {
        throw fileError(error, options.path);
      });
      if (next.done === true) break;
      yield decoder.decode(next.value, { stream: true });
    }
    yield decoder.decode();
  }
  const parser = parse({
    delimiter: options.delimiter,
    record_delimiter: ['\r\n', '\n'],
    skip_empty_lines: true,
    relax_column_count: true,
    max_record_size: options.maxRecordBytes,
    info: true,
  });
  pipeline(Readable.from(text()), parser, () => undefined);
  let run: string[][] = [];
  try {
    for await (const item of parser as AsyncIterable<CsvInfoRecord>) {
      const line = lineOffset + item.info.lines;
      checkWidth(item.record.length, state, options.path, line);
      run.push(item.record);
      if (run.length === CAREFUL_CHUNK) {
        yield run;
        run = [];
      }
    }
  } catch (error) {
    throw csvParseError(error, options, lineOffset);
  } finally {
    parser.destroy();
  }
  if (run.length > 0) yield run;
}

function csvParseError(error: unknown, options: CsvSplitOptions, lineOffset: number) {
  if (!(error instanceof CsvError)) return fileError(error, options.path);
  const lines = 'lines' in error && typeof error.lines === 'number' ? error.lines : 0;
  const line = lineOffset + lines;
  if (error.code === 'CSV_MAX_RECORD_SIZE')
    return recordTooLong(options.path, line, options.maxRecordBytes);
  return tableError('RAMPART_TABLE_MALFORMED', options.path, `line ${line}: ${error.message}`, {
    line,
    reason: error.code,
  });
}

/** Lines read so far and the record width (the header's, once seen); shared with csv-parse. */
export interface CsvLineState {
  width: number;
  line: number;
}

/** Refuses a record whose field count differs from the header's (the first record sets it). */
export function checkWidth(width: number, state: CsvLineState, path: string, line: number): void {
  if (state.width < 0) state.width = width;
  else if (width !== state.width) throw widthError(width, state, path, line);
}

/** The error for a record of `width` fields where the header has `state.width`. */
export function widthError(width: number, state: CsvLineState, path: string, line: number) {
  return tableError(
    'RAMPART_TABLE_MALFORMED',
    path,
    `line ${line} has ${width} fields, the header has ${state.width}`,
    { line },
  );
}

/** The error for a record longer than `limit` characters. */
export function recordTooLong(path: string, line: number, limit: number) {
  return tableError(
    'RAMPART_TABLE_LIMIT_EXCEEDED',
    path,
    `the record at line ${line} is longer than the limit of ${limit} characters`,
    { line, limit: 'maxRecordBytes' },
  );
}
