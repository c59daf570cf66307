import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { fileError } from '../../core/index.js';
import type { ColumnBatch } from './batch.js';
import { isNaText, TypeEvidence } from './cells.js';
import { BatchBuilder } from './columns.js';
import { carefulRecords, csvRecords, recordTooLong } from './csv-records.js';
import { FALLBACK } from './csv-quoted.js';
import { CsvFiller } from './csv-scan.js';
import type { CsvSplitOptions } from './csv-records.js';
import { checkColumnNames, checkDeclaredPresent, tableError } from './options.js';
import type { ResolvedTableOptions, TableColumn, TableReader } from './options.js';

function splitOptions(options: ResolvedTableOptions): CsvSplitOptions {
  return {
    path: options.path,
    delimiter: options.delimiter,
    maxRecordBytes: options.limits.maxRecordBytes,
  };
}

/** Reads the header and the first `inferRows` rows, and opens the CSV file as a table. */
export async function openCsv(options: ResolvedTableOptions): Promise<TableReader> {
  let header: string[] | undefined;
  const sample: string[][] = [];
  const records = csvRecords(splitOptions(options));
  for await (const run of records) {
    let from = 0;
    if (header === undefined) {
      header = run[0];
      from = 1;
    }
    for (let i = from; i < run.length && sample.length < options.inferRows; i++) {
      sample.push(run[i] ?? []);
    }
    if (sample.length >= options.inferRows) break;
  }
  if (header === undefined) {
    throw tableError('RAMPART_TABLE_MALFORMED', options.path, 'the file has no header row', {});
  }
  checkColumnNames(header, options);
  checkDeclaredPresent(header, options);
  const schema = header.map((name, c): TableColumn => {
    const declared = options.columns.get(name);
    if (declared !== undefined) return { name, type: declared, declared: true };
    const evidence = new TypeEvidence();
    for (const row of sample) {
      const text = row[c] ?? '';
      if (!isNaText(text)) evidence.addText(text);
    }
    return { name, type: evidence.type(), declared: false };
  });
  return {
    path: options.path,
    format: 'csv',
    schema,
    batches: () => csvBatches(options, schema),
  };
}

/** Bytes read from the file at a time by the fast path. */
const CSV_READ_BYTES = 1024 * 1024;
const LF = 10;
const QUOTE = 0x22;

/**
 * The rows of the CSV file as batches. Records are scanned as bytes by {@link CsvFiller} up to
 * the first one outside strict RFC 4180; from there on (and throughout for a non-ASCII
 * delimiter) csv-parse splits them. `readBytes` is a parameter for tests that cross reads.
 */
export async function* csvBatches(
  options: ResolvedTableOptions,
  schema: readonly TableColumn[],
  readBytes = CSV_READ_BYTES,
): AsyncGenerator<ColumnBatch> {
  const builder = new BatchBuilder(
    schema.map((c) => c.name),
    schema.map((c) => c.type),
    schema.map((c) => c.declared),
    options.batchRows,
  );
  const filler = new CsvFiller(builder, options, { width: -1, line: 0 });
  const records =
    options.delimiter.charCodeAt(0) < 128
      ? scanFile(options, filler, readBytes)
      : csvRecords(splitOptions(options));
  for await (const run of records) {
    for (const fields of run) {
      filler.addRecord(fields);
      if (filler.full) yield filler.take();
    }
    if (filler.full) yield filler.take();
  }
  if (filler.row > 0) yield filler.take();
}

/**
 * Scans the file into `filler`, yielding an empty run whenever a batch fills up; from a record
 * the scanner leaves to csv-parse (or a quoted one that is still open at the end of the file
 * or longer than the record limit) on, yields csv-parse's records instead.
 */
async function* scanFile(
  options: ResolvedTableOptions,
  filler: CsvFiller,
  readBytes: number,
): AsyncGenerator<string[][]> {
  const { path } = options;
  const limit = options.limits.maxRecordBytes;
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileError(error, path);
  });
  try {
    let buf = Buffer.allocUnsafe(2 * readBytes);
    let filled = 0;
    let bom = true;
    for (;;) {
      if (buf.length - filled < readBytes + 1) {
        const grown = Buffer.allocUnsafe(2 * (filled + readBytes + 1));
        buf.copy(grown, 0, 0, filled);
        buf = grown;
      }
      const { bytesRead } = await handle
        .read(buf, filled, readBytes, null)
        .catch((error: unknown) => {
          throw fileError(error, path);
        });
      filled += bytesRead;
      const done = bytesRead === 0;
      if (bom) {
        if (filled < 3 && !done) continue;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
          buf.copyWithin(0, 3, filled);
          filled -= 3;
        }
        bom = false;
      }
      // The last line may lack its line feed.
      const added = done && filled > 0 && buf[filled - 1] !== LF ? filled : -1;
      if (added >= 0) buf[filled++] = LF;
      // (lastIndexOf counts a negative offset from the end of the buffer.)
      const end = filled === 0 ? 0 : buf.lastIndexOf(LF, filled - 1) + 1;
      let pos = 0;
      while (pos < end) {
        pos = filler.scanLines(buf, pos, end, added);
        if (filler.full) yield [];
        else if (filler.stopped !== 0) break;
      }
      const tooLong = filled - pos > limit && buf.subarray(pos, filled).includes(QUOTE);
      if (filler.stopped === FALLBACK || (done && pos < end) || tooLong) {
        const rest = buf.subarray(pos, added >= 0 ? filled - 1 : filled);
        yield* careful(options, filler, handle, rest, readBytes);
        return;
      }
      if (done) return;
      buf.copyWithin(0, pos, filled);
      filled -= pos;
      if (filled > limit && buf.toString('utf8', 0, filled).length > limit) {
        throw recordTooLong(path, filler.state.line + 1, limit);
      }
    }
  } finally {
    await handle.close();
  }
}

async function* careful(
  options: ResolvedTableOptions,
  filler: CsvFiller,
  handle: FileHandle,
  head: Buffer,
  readBytes: number,
): AsyncGenerator<string[][]> {
  // The byte path has dropped the BOM; a second one is text.
  const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
  async function* rest(): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = Buffer.allocUnsafe(readBytes);
      const { bytesRead } = await handle.read(chunk, 0, readBytes, null);
      if (bytesRead === 0) return;
      yield chunk.subarray(0, bytesRead);
    }
  }
  const text = decoder.decode(head, { stream: true });
  yield* carefulRecords(splitOptions(options), filler.state, text, rest(), decoder);
}
