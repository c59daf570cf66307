import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetScan, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData, ParquetParsers, SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { fileError, isRampartError } from '../../core/index.js';
import type { ColumnBatch, ColumnType } from './batch.js';
import { BatchBuilder } from './columns.js';
import { Rebatcher } from './copy.js';
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

async function fileBuffer(path: string): Promise<{ buffer: AsyncBuffer; handle: FileHandle }> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileError(error, path);
  });
  const size = (await handle.stat()).size;
  const buffer: AsyncBuffer = {
    byteLength: size,
    async slice(start: number, end = size) {
      if (!(start >= 0 && end <= size && start <= end)) {
        throw tableError(
          'RAMPART_TABLE_MALFORMED',
          path,
          `a Parquet offset points outside the file`,
        );
      }
      const out = Buffer.alloc(end - start);
      const { bytesRead } = await handle.read(out, 0, out.length, start);
      if (bytesRead !== out.length)
        throw tableError('RAMPART_TABLE_MALFORMED', path, 'the file shrank while reading');
      return out.buffer.slice(out.byteOffset, out.byteOffset + out.length);
    },
  };
  return { buffer, handle };
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
  const { buffer, handle } = await fileBuffer(options.path);
  const names = schema.map((c) => c.name);
  try {
    const scan = await parquetScan({
      file: buffer,
      compressors,
      parsers: PARSERS,
      utf8: true,
    }).catch((error: unknown) => {
      throw corrupt(options.path, error);
    });
    // The file may have changed since it was opened.
    if (schemaOf(scan.metadata, options).some((column, c) => column.name !== names[c])) {
      throw tableError('RAMPART_TABLE_MALFORMED', options.path, 'the schema changed while reading');
    }
    const builder = new BatchBuilder(
      names,
      schema.map((c) => c.type),
      schema.map((c) => c.declared),
      options.batchRows,
    );
    const batches = new Rebatcher(builder, (c) => nestedColumn(options, names[c] ?? ''));
    for (const range of scan.ranges) {
      checkRowCount(range.rowEnd, options);
      const data = await Promise.all(
        names.map((column) =>
          scan.readColumn({ column, rowStart: range.rowStart, rowEnd: range.rowEnd }),
        ),
      ).catch((error: unknown) => {
        throw corrupt(options.path, error);
      });
      const length = range.rowEnd - range.rowStart;
      for (const [c, column] of data.entries()) {
        if (column.length !== length) {
          throw tableError(
            'RAMPART_TABLE_MALFORMED',
            options.path,
            `column ${JSON.stringify(names[c])} has ${column.length} values where ${length} were expected`,
          );
        }
      }
      yield* batches.push(data, length);
    }
    if (batches.pending) yield batches.flush();
  } finally {
    await handle.close();
  }
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
