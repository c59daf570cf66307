/**
 * A table to check: one file, or a folder of table files (e.g. Parquet parts) read in name order
 * as one table. Later files are read with the first file's column types, and a file with other
 * columns is refused, so a folder cannot smuggle a differently shaped part past the check.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, RampartError } from '../../core/index.js';
import type { ColumnBatch, ColumnType } from '../table/batch.js';
import { openTable } from '../table/open.js';
import type { ReadTableOptions, TableReader } from '../table/options.js';
import { profileBatches, profileTable } from '../profile/parallel.js';
import type { DatasetProfile } from '../profile/types.js';

/** A named, re-readable table. */
export interface TableSource {
  readonly label: string;
  readonly files: readonly string[];
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  /** Streams the whole table from the start (each call reads the files again). */
  batches(): AsyncIterable<ColumnBatch>;
  /** The table's profile; one Parquet file is profiled on every core (`profileTable`). */
  buildProfile(): Promise<DatasetProfile>;
}

const TABLE_EXTENSIONS = new Set([
  '.csv',
  '.tsv',
  '.jsonl',
  '.ndjson',
  '.parquet',
  '.arrow',
  '.feather',
  '.ipc',
]);
const MAX_PARTS = 10_000;

/**
 * Opens a file or a folder of table files.
 * @throws RAMPART_TABLE_* for unreadable or mismatched parts; file errors.
 */
export async function openTableSource(
  where: string,
  label: string,
  options: ReadTableOptions = {},
): Promise<TableSource> {
  const info = await stat(where).catch((error: unknown) => {
    throw fileError(error, where);
  });
  const files = info.isDirectory() ? await tableFiles(where) : [where];
  const first = await openTable(files[0] ?? where, options);
  const columns = first.schema.map((c) => ({ name: c.name, type: c.type }));
  const declared = Object.fromEntries(columns.map((c) => [c.name, c.type]));
  const readers: TableReader[] = [first];
  for (const file of files.slice(1)) {
    const reader = await openTable(file, { ...options, columns: declared });
    const names = reader.schema.map((c) => c.name).join('\0');
    if (names !== columns.map((c) => c.name).join('\0')) {
      throw new RampartError(
        'RAMPART_TABLE_SCHEMA_INVALID',
        `${file} has other columns than ${files[0] ?? where}`,
        { hint: 'Every part of a table folder must have the same columns in the same order.' },
      );
    }
    readers.push(reader);
  }
  const source: TableSource = {
    label,
    files,
    columns,
    buildProfile: () =>
      readers.length === 1 ? profileTable(first.path, options) : profileBatches(source.batches()),
    async *batches() {
      let offset = 0;
      for (const reader of readers) {
        let rows = 0;
        for await (const batch of reader.batches()) {
          rows += batch.rows;
          yield { ...batch, firstRow: offset + batch.firstRow };
        }
        offset += rows;
      }
    },
  };
  return source;
}

async function tableFiles(folder: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
      throw fileError(error, dir);
    });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && TABLE_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
        found.push(full);
      if (found.length > MAX_PARTS) {
        throw new RampartError(
          'RAMPART_LIMIT_EXCEEDED',
          `${folder}: more than ${MAX_PARTS} table files`,
        );
      }
    }
  };
  await walk(folder);
  if (found.length === 0) {
    throw new RampartError('RAMPART_TABLE_FORMAT_UNKNOWN', `${folder} holds no table files`, {
      hint: `Give a folder with ${[...TABLE_EXTENSIONS].join(', ')} files, or one file.`,
    });
  }
  return found;
}
