import type { ColumnBatch } from './batch.js';
import { isNaText, TypeEvidence } from './cells.js';
import { BatchBuilder } from './columns.js';
import { csvRecords } from './csv-records.js';
import type { CsvSplitOptions } from './csv-records.js';
import { checkColumnNames, checkDeclaredPresent, checkRowCount, tableError } from './options.js';
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

async function* csvBatches(
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
  const width = names.length;
  let row = 0;
  let firstRow = 0;
  let header = true;
  for await (const run of csvRecords(splitOptions(options))) {
    let from = 0;
    if (header) {
      header = false;
      from = 1;
      // The file may have changed since it was opened.
      if (run[0]?.join('\u0000') !== names.join('\u0000')) {
        throw tableError(
          'RAMPART_TABLE_MALFORMED',
          options.path,
          'the header changed while reading',
        );
      }
    }
    checkRowCount(firstRow + row + run.length - from, options);
    for (let r = from; r < run.length; r++) {
      const fields = run[r] ?? [];
      for (let c = 0; c < width; c++) columns[c]?.setText(row, fields[c] ?? '');
      if (++row === options.batchRows) {
        yield builder.finish(row, firstRow);
        firstRow += row;
        row = 0;
      }
    }
  }
  if (row > 0) yield builder.finish(row, firstRow);
}
