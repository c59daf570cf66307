import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { DataType, RecordBatchReader } from 'apache-arrow';
import type { Dictionary, Field, RecordBatch, Schema, Vector } from 'apache-arrow';
import { fileError, isRampartError } from '../../core/index.js';
import type { ColumnBatch, ColumnType } from './batch.js';
import { BatchBuilder } from './columns.js';
import { Rebatcher } from './copy.js';
import { checkColumnNames, checkDeclaredPresent, checkRowCount, tableError } from './options.js';
import type { ResolvedTableOptions, TableColumn, TableReader } from './options.js';
import { nestedColumn } from './parquet.js';

/** Our type for an Arrow type, or undefined when it is not supported. */
function arrowType(type: DataType): ColumnType | undefined {
  if (DataType.isBool(type)) return 'boolean';
  if (DataType.isInt(type)) return 'integer';
  if (
    DataType.isFloat(type) ||
    DataType.isDate(type) ||
    DataType.isTime(type) ||
    DataType.isTimestamp(type)
  ) {
    return 'number';
  }
  if (
    DataType.isUtf8(type) ||
    DataType.isLargeUtf8(type) ||
    DataType.isBinary(type) ||
    DataType.isLargeBinary(type) ||
    DataType.isFixedSizeBinary(type) ||
    DataType.isNull(type)
  ) {
    return 'string';
  }
  if (DataType.isDictionary(type)) return arrowType((type as Dictionary<DataType>).dictionary);
  return undefined;
}

function corrupt(path: string, error: unknown) {
  if (isRampartError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return tableError(
    'RAMPART_TABLE_MALFORMED',
    path,
    `not a readable Arrow IPC file (${reason})`,
    {},
    error,
  );
}

async function openReader(
  path: string,
): Promise<{ reader: RecordBatchReader; handle: FileHandle }> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileError(error, path);
  });
  try {
    const reader = await RecordBatchReader.from(handle);
    await reader.open();
    // An empty or cut stream opens without a schema.
    if ((reader.schema as Schema | undefined) === undefined) throw new Error('no schema message');
    return { reader, handle };
  } catch (error) {
    await handle.close();
    throw corrupt(path, error);
  }
}

function schemaOf(fields: readonly Field[], options: ResolvedTableOptions): TableColumn[] {
  const names = fields.map((field) => field.name);
  checkColumnNames(names, options);
  checkDeclaredPresent(names, options);
  return fields.map((field) => {
    const mapped = arrowType(field.type as DataType);
    if (mapped === undefined) {
      throw tableError(
        'RAMPART_TABLE_SCHEMA_INVALID',
        options.path,
        `column ${JSON.stringify(field.name)} has Arrow type ${String(field.type)}, which is not supported`,
        { column: field.name },
      );
    }
    const declared = options.columns.get(field.name);
    return declared === undefined
      ? { name: field.name, type: mapped, declared: false }
      : { name: field.name, type: declared, declared: true };
  });
}

/** Reads an Arrow IPC file's (or stream's) schema and opens it as a table. */
export async function openArrow(options: ResolvedTableOptions): Promise<TableReader> {
  const { reader, handle } = await openReader(options.path);
  try {
    const schema = schemaOf(reader.schema.fields, options);
    return {
      path: options.path,
      format: 'arrow',
      schema,
      batches: () => arrowBatches(options, schema),
    };
  } finally {
    await handle.close();
  }
}

/** The cells of one Arrow column: its typed array when it has no nulls, else values with nulls. */
function columnValues(vector: Vector<DataType> | null, length: number): ArrayLike<unknown> {
  if (vector === null) return new Array<null>(length).fill(null);
  // toArray() gives raw storage: right for ints, floats and strings, not for dates (days) or bits.
  const type = vector.type;
  if (
    vector.nullCount === 0 &&
    (DataType.isInt(type) || DataType.isFloat(type) || DataType.isUtf8(type))
  ) {
    return vector.toArray() as ArrayLike<unknown>;
  }
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++) out[i] = vector.isValid(i) ? vector.get(i) : null;
  return out;
}

async function* arrowBatches(
  options: ResolvedTableOptions,
  schema: readonly TableColumn[],
): AsyncGenerator<ColumnBatch> {
  const { reader, handle } = await openReader(options.path);
  const names = schema.map((c) => c.name);
  try {
    // The file may have changed since it was opened.
    if (schemaOf(reader.schema.fields, options).some((column, c) => column.name !== names[c])) {
      throw tableError('RAMPART_TABLE_MALFORMED', options.path, 'the schema changed while reading');
    }
    const builder = new BatchBuilder(
      names,
      schema.map((c) => c.type),
      schema.map((c) => c.declared),
      options.batchRows,
    );
    const batches = new Rebatcher(builder, (c) => nestedColumn(options, names[c] ?? ''));
    let rows = 0;
    const iterator = reader[Symbol.asyncIterator]();
    for (;;) {
      const next = await iterator.next().catch((error: unknown) => {
        throw corrupt(options.path, error);
      });
      if (next.done === true) break;
      const batch: RecordBatch = next.value;
      rows += batch.numRows;
      checkRowCount(rows, options);
      const data = names.map((_, c) => columnValues(batch.getChildAt(c), batch.numRows));
      yield* batches.push(data, batch.numRows);
    }
    if (batches.pending) yield batches.flush();
  } finally {
    await Promise.resolve(reader.cancel()).catch(() => undefined);
    await handle.close();
  }
}
