import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, ParquetParsers, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { fileError, isRampartError } from '../../core/index.js';
import type { ColumnBatch, ColumnType } from './batch.js';
import { BatchBuilder } from './columns.js';
import { Rebatcher } from './copy.js';
import { chunkRange, columnDecoder, decodeChunk, groupRows } from './parquet-pages.js';
import type { ColumnRun } from './parquet-pages.js';
import { checkColumnNames, checkDeclaredPresent, checkRowCount, tableError } from './options.js';
import type { ResolvedTableOptions, TableColumn, TableReader } from './options.js';

const base64 = (bytes: Uint8Array | undefined): string | undefined =>
  bytes && Buffer.from(bytes).toString('base64');
const text = new TextDecoder();

// Dates and times become numbers (epoch milliseconds), JSON stays text, geometry stays bytes.
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => Number(millis),
  timestampFromMicroseconds: (micros: bigint) => Number(micros) / 1e3,
  timestampFromNanoseconds: (nanos: bigint) => Number(nanos) / 1e6,
  dateFromDays: (days: number) => days * 86_400_000,
  jsonFromBytes: (bytes: Uint8Array | undefined) => bytes && text.decode(bytes),
  geometryFromBytes: base64,
  geographyFromBytes: base64,
};

const NUMBER_CONVERTED = new Set([
  'DATE',
  'TIME_MILLIS',
  'TIME_MICROS',
  'TIMESTAMP_MILLIS',
  'TIMESTAMP_MICROS',
  'DECIMAL',
]);
const NUMBER_LOGICAL = new Set(['DATE', 'TIME', 'TIMESTAMP', 'DECIMAL', 'FLOAT16']);

/** Our type for a top-level Parquet column, or why it cannot be read. */
function parquetType(
  element: SchemaElement,
  leaf: boolean,
): { type: ColumnType } | { refused: string } {
  if (!leaf || element.repetition_type === 'REPEATED')
    return { refused: 'a nested or repeated type' };
  const converted = element.converted_type;
  const logical = element.logical_type?.type;
  if (converted === 'BSON' || converted === 'INTERVAL') return { refused: `type ${converted}` };
  if (logical === 'VARIANT') return { refused: 'type VARIANT' };
  if (
    (converted !== undefined && NUMBER_CONVERTED.has(converted)) ||
    (logical !== undefined && NUMBER_LOGICAL.has(logical))
  ) {
    return { type: 'number' };
  }
  if (element.type === 'BOOLEAN') return { type: 'boolean' };
  if (element.type === 'INT32' || element.type === 'INT64') return { type: 'integer' };
  if (element.type === 'INT96' || element.type === 'FLOAT' || element.type === 'DOUBLE') {
    return { type: 'number' };
  }
  return { type: 'string' };
}

function corrupt(path: string, error: unknown) {
  if (isRampartError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return tableError(
    'RAMPART_TABLE_MALFORMED',
    path,
    `not a readable Parquet file (${reason})`,
    {},
    error,
  );
}

interface ParquetFile {
  readonly buffer: AsyncBuffer;
  readonly handle: FileHandle;
  /** Bytes [start, end) of the file, refusing ranges outside it. */
  readonly read: (start: number, end: number) => Promise<Buffer>;
}

async function fileBuffer(path: string): Promise<ParquetFile> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileError(error, path);
  });
  const size = (await handle.stat()).size;
  const read = async (start: number, end: number): Promise<Buffer> => {
    if (!(start >= 0 && end <= size && start <= end)) {
      throw tableError('RAMPART_TABLE_MALFORMED', path, `a Parquet offset points outside the file`);
    }
    // Its own ArrayBuffer of exactly this length (never pooled), so `.buffer` needs no copy.
    const out = Buffer.allocUnsafeSlow(end - start);
    const { bytesRead } = await handle.read(out, 0, out.length, start);
    if (bytesRead !== out.length)
      throw tableError('RAMPART_TABLE_MALFORMED', path, 'the file shrank while reading');
    return out;
  };
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end = size) {
      return (await read(start, end)).buffer as ArrayBuffer;
    },
  };
  return { buffer, handle, read };
}

function schemaOf(metadata: FileMetaData, options: ResolvedTableOptions): TableColumn[] {
  const children = parquetSchema(metadata).children;
  const names = children.map((child) => child.element.name);
  checkColumnNames(names, options);
  checkDeclaredPresent(names, options);
  return children.map((child) => {
    const name = child.element.name;
    const mapped = parquetType(child.element, child.children.length === 0);
    if ('refused' in mapped) {
      throw tableError(
        'RAMPART_TABLE_SCHEMA_INVALID',
        options.path,
        `column ${JSON.stringify(name)} has ${mapped.refused}, which is not supported`,
        { column: name },
      );
    }
    const declared = options.columns.get(name);
    return declared === undefined
      ? { name, type: mapped.type, declared: false }
      : { name, type: declared, declared: true };
  });
}

/** Reads a Parquet file's footer and opens it as a table. */
export async function openParquet(options: ResolvedTableOptions): Promise<TableReader> {
  const { buffer, handle } = await fileBuffer(options.path);
  try {
    const metadata = await parquetMetadataAsync(buffer, { parsers: PARSERS }).catch(
      (error: unknown) => {
        throw corrupt(options.path, error);
      },
    );
    const schema = schemaOf(metadata, options);
    return {
      path: options.path,
      format: 'parquet',
      schema,
      rowGroups: metadata.row_groups.length,
      batches: () => parquetBatches(options, schema),
    };
  } finally {
    await handle.close();
  }
}

async function* parquetBatches(
  options: ResolvedTableOptions,
  schema: readonly TableColumn[],
): AsyncGenerator<ColumnBatch> {
  const { path } = options;
  const { buffer, handle, read } = await fileBuffer(path);
  const names = schema.map((c) => c.name);
  try {
    const metadata = await parquetMetadataAsync(buffer, { parsers: PARSERS }).catch(
      (error: unknown) => {
        throw corrupt(path, error);
      },
    );
    // The file may have changed since it was opened.
    if (schemaOf(metadata, options).some((column, c) => column.name !== names[c])) {
      throw tableError('RAMPART_TABLE_MALFORMED', path, 'the schema changed while reading');
    }
    const builder = new BatchBuilder(
      names,
      schema.map((c) => c.type),
      schema.map((c) => c.declared),
      options.batchRows,
      options.reuseBatches,
    );
    const batches = new Rebatcher(builder, (c) => nestedColumn(options, names[c] ?? ''));
    let rowEnd = 0;
    // Row groups in order, one column chunk read and decoded at a time.
    for (const group of selectedGroups(metadata, options)) {
      const rows = groupRows(path, group);
      rowEnd += rows;
      checkRowCount(rowEnd, options);
      if (group.columns.length !== names.length) {
        throw tableError('RAMPART_TABLE_MALFORMED', path, 'a row group lacks columns');
      }
      const runs: ColumnRun[] = [];
      const readChunk = (c: number): Promise<Buffer> | undefined => {
        const chunk = group.columns[c];
        if (chunk === undefined) return undefined;
        const { start, end } = chunkRange(path, chunk);
        const pending = read(start, end);
        // Awaited below; handled here too, in case decoding the chunk before it fails first.
        pending.catch(() => undefined);
        return pending;
      };
      let next = readChunk(0);
      for (const [c, chunk] of group.columns.entries()) {
        const bytes = await (next as Promise<Buffer>);
        // The next chunk is read while this one decodes.
        next = readChunk(c + 1);
        try {
          const decoder = columnDecoder(
            path,
            metadata,
            chunk,
            names[c] ?? '',
            PARSERS,
            compressors,
          );
          runs.push(decodeChunk(path, bytes, decoder, rows));
        } catch (error) {
          throw corrupt(path, error);
        }
      }
      yield* batches.pushRuns(runs, rows);
    }
    if (batches.pending) yield batches.flush();
  } finally {
    await handle.close();
  }
}

// All row groups, or the range options.rowGroups selects (which must lie within the file).
function selectedGroups(metadata: FileMetaData, options: ResolvedTableOptions) {
  const range = options.rowGroups;
  if (range === null) return metadata.row_groups;
  if (range.to > metadata.row_groups.length) {
    throw tableError(
      'RAMPART_TABLE_OPTIONS_INVALID',
      options.path,
      `row groups [${range.from}, ${range.to}) were asked for, but the file has ${metadata.row_groups.length}`,
    );
  }
  return metadata.row_groups.slice(range.from, range.to);
}

/** The error for a nested value in a column not declared string. */
export function nestedColumn(options: ResolvedTableOptions, name: string) {
  return tableError(
    'RAMPART_TABLE_SCHEMA_INVALID',
    options.path,
    `column ${JSON.stringify(name)} holds nested values; declare it as string to read them as JSON text`,
    { column: name },
  );
}
