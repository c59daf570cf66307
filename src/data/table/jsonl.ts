import { createReadStream } from 'node:fs';
import { fileError } from '../../core/index.js';
import type { ColumnBatch } from './batch.js';
import { isNaText, isSpecialNumberText, TypeEvidence } from './cells.js';
import { BatchBuilder, NestedValueError } from './columns.js';
import { checkColumnNames, checkDeclaredPresent, checkRowCount, tableError } from './options.js';
import type { ResolvedTableOptions, TableColumn, TableReader } from './options.js';

const READ_CHUNK = 1024 * 1024;

/** A parsed JSON line and its 1-based line number. */
interface JsonRow {
  readonly line: number;
  readonly value: Record<string, unknown>;
}

/** The objects of a JSON-lines file, in runs; blank lines are skipped. */
async function* jsonRows(options: ResolvedTableOptions): AsyncGenerator<JsonRow[]> {
  const { path } = options;
  const limit = options.limits.maxRecordBytes;
  const source = createReadStream(path, { highWaterMark: READ_CHUNK });
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let line = 0;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const text = pending + decoder.decode(chunk, { stream: true });
      const end = text.lastIndexOf('\n') + 1;
      const lines = text.slice(0, end).split('\n');
      lines.pop();
      yield parseLines(lines, line, options);
      line += lines.length;
      pending = text.slice(end);
      if (pending.length > limit) throw lineTooLong(path, line + 1, limit);
    }
    const last = pending + decoder.decode();
    if (last.length > 0) yield parseLines([last], line, options);
  } catch (error) {
    throw fileError(error, path);
  } finally {
    source.destroy();
  }
}

function lineTooLong(path: string, line: number, limit: number) {
  return tableError(
    'RAMPART_TABLE_LIMIT_EXCEEDED',
    path,
    `line ${line} is longer than the limit of ${limit} characters`,
    { line, limit: 'maxRecordBytes' },
  );
}

function parseLines(lines: string[], before: number, options: ResolvedTableOptions): JsonRow[] {
  const rows: JsonRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = before + i + 1;
    const text = lines[i] ?? '';
    if (text.length > options.limits.maxRecordBytes) {
      throw lineTooLong(options.path, line, options.limits.maxRecordBytes);
    }
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw tableError(
        'RAMPART_TABLE_MALFORMED',
        options.path,
        `line ${line} is not valid JSON`,
        { line },
        error,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw tableError(
        'RAMPART_TABLE_MALFORMED',
        options.path,
        `line ${line} is not a JSON object`,
        { line },
      );
    }
    rows.push({ line, value: value as Record<string, unknown> });
  }
  return rows;
}

function nestedError(options: ResolvedTableOptions, line: number, column: string) {
  return tableError(
    'RAMPART_TABLE_SCHEMA_INVALID',
    options.path,
    `line ${line}: column ${JSON.stringify(column)} holds a nested object or array`,
    { line, column },
  );
}

function jsonKind(value: unknown): 'integer' | 'number' | 'boolean' | 'string' | null | 'nested' {
  if (value === null) return null;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value !== 'string') return 'nested';
  if (isNaText(value)) return null;
  return isSpecialNumberText(value) ? 'number' : 'string';
}

/** Reads the first `inferRows` lines and opens the JSON-lines file as a table. */
export async function openJsonl(options: ResolvedTableOptions): Promise<TableReader> {
  const evidence = new Map<string, TypeEvidence>();
  let sampled = 0;
  for await (const run of jsonRows(options)) {
    for (const { line, value } of run) {
      for (const key of Object.keys(value)) {
        let seen = evidence.get(key);
        if (seen === undefined) {
          seen = new TypeEvidence();
          evidence.set(key, seen);
          if (evidence.size > options.limits.maxColumns)
            checkColumnNames([...evidence.keys()], options);
        }
        if (options.columns.has(key)) continue;
        const kind = jsonKind(value[key]);
        if (kind === 'nested') throw nestedError(options, line, key);
        if (kind !== null) seen.addKind(kind);
      }
      if (++sampled >= options.inferRows) break;
    }
    if (sampled >= options.inferRows) break;
  }
  const names = [...evidence.keys()];
  checkColumnNames(names, options);
  checkDeclaredPresent(names, options);
  const schema = names.map((name): TableColumn => {
    const declared = options.columns.get(name);
    if (declared !== undefined) return { name, type: declared, declared: true };
    return { name, type: evidence.get(name)?.type() ?? 'string', declared: false };
  });
  return {
    path: options.path,
    format: 'jsonl',
    schema,
    batches: () => jsonlBatches(options, schema),
  };
}

async function* jsonlBatches(
  options: ResolvedTableOptions,
  schema: readonly TableColumn[],
): AsyncGenerator<ColumnBatch> {
  const names = schema.map((c) => c.name);
  const builder = new BatchBuilder(
    names,
    schema.map((c) => c.type),
    schema.map((c) => c.declared),
    options.batchRows,
  );
  const columns = builder.builders;
  let row = 0;
  let firstRow = 0;
  for await (const run of jsonRows(options)) {
    checkRowCount(firstRow + row + run.length, options);
    for (const { line, value } of run) {
      let matched = 0;
      for (let c = 0; c < names.length; c++) {
        const name = names[c] ?? '';
        const present = Object.hasOwn(value, name);
        if (present) matched++;
        try {
          columns[c]?.setValue(row, present ? value[name] : undefined);
        } catch (error) {
          if (error instanceof NestedValueError) throw nestedError(options, line, name);
          throw error;
        }
      }
      if (matched < Object.keys(value).length) throw unknownKey(options, line, value, names);
      if (++row === options.batchRows) {
        yield builder.finish(row, firstRow);
        firstRow += row;
        row = 0;
      }
    }
  }
  if (row > 0) yield builder.finish(row, firstRow);
}

function unknownKey(
  options: ResolvedTableOptions,
  line: number,
  value: Record<string, unknown>,
  names: readonly string[],
) {
  const known = new Set(names);
  const key = Object.keys(value).find((k) => !known.has(k)) ?? '';
  return tableError(
    'RAMPART_TABLE_SCHEMA_INVALID',
    options.path,
    `line ${line} has key ${JSON.stringify(key.slice(0, 100))}, not seen in the first ${options.inferRows} rows`,
    { line },
  );
}
