import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileError, isRampartError, RampartError } from '../../core/index.js';
import type { ColumnBatch } from './batch.js';
import { openCsv } from './csv.js';
import { openJsonl } from './jsonl.js';
import { resolveTableOptions, tableError } from './options.js';
import type {
  ReadTableOptions,
  ResolvedTableOptions,
  TableFormat,
  TableReader,
} from './options.js';

const EXTENSIONS: Readonly<Record<string, TableFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
};
const FORMATS: ReadonlySet<string> = new Set(['csv', 'jsonl', 'parquet', 'arrow']);

/** The format the first bytes announce: Parquet (PAR1), Arrow IPC file (ARROW1) or stream. */
function sniff(head: Buffer): TableFormat | 'feather1' | undefined {
  if (head.subarray(0, 4).toString('latin1') === 'PAR1') return 'parquet';
  if (head.subarray(0, 6).toString('latin1') === 'ARROW1') return 'arrow';
  if (head.subarray(0, 4).toString('latin1') === 'FEA1') return 'feather1';
  // An IPC stream opens with a continuation marker before its first message.
  if (head.length >= 8 && head.readUInt32LE(0) === 0xffffffff) return 'arrow';
  return undefined;
}

async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r').catch((error: unknown) => {
    throw fileError(error, path);
  });
  try {
    if (!(await handle.stat()).isFile()) {
      throw new RampartError('RAMPART_FILE_TYPE_UNSUPPORTED', `${path} is not a regular file`, {
        details: { path },
      });
    }
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return head.subarray(0, bytesRead);
  } catch (error) {
    throw fileError(error, path);
  } finally {
    await handle.close();
  }
}

function chooseFormat(path: string, named: TableFormat | undefined, head: Buffer): TableFormat {
  const sniffed = sniff(head);
  if (sniffed === 'feather1') {
    throw tableError(
      'RAMPART_TABLE_FORMAT_UNKNOWN',
      path,
      'Feather version 1 is not supported',
      {},
      undefined,
    );
  }
  const binary = named === 'parquet' || named === 'arrow';
  if (named !== undefined && sniffed !== undefined && sniffed !== named) {
    throw tableError(
      'RAMPART_TABLE_FORMAT_UNKNOWN',
      path,
      `is named or declared ${named} but its content is ${sniffed}`,
      {
        expected: named,
        found: sniffed,
      },
    );
  }
  if (binary && sniffed === undefined) {
    throw tableError('RAMPART_TABLE_FORMAT_UNKNOWN', path, `does not start like a ${named} file`, {
      expected: named,
    });
  }
  const format = named ?? sniffed;
  if (format === undefined) {
    throw tableError(
      'RAMPART_TABLE_FORMAT_UNKNOWN',
      path,
      'the format cannot be told from the name or the content',
    );
  }
  return format;
}

/**
 * Opens a CSV, JSON-lines, Parquet or Arrow IPC table: resolves the format (option, else
 * extension, checked against the magic bytes), reads or infers the schema, and returns a reader
 * whose batches() streams the rows. See docs/data-formats.md for types, NA spellings and limits.
 * @throws RAMPART_TABLE_OPTIONS_INVALID, RAMPART_TABLE_FORMAT_UNKNOWN, RAMPART_TABLE_MALFORMED,
 *   RAMPART_TABLE_SCHEMA_INVALID, RAMPART_TABLE_LIMIT_EXCEEDED, or a file error.
 */
export async function openTable(
  path: string,
  options: ReadTableOptions = {},
): Promise<TableReader> {
  if (options.format !== undefined && !FORMATS.has(options.format)) {
    throw new RampartError(
      'RAMPART_TABLE_OPTIONS_INVALID',
      `unknown table format ${JSON.stringify(options.format)}`,
    );
  }
  const extension = extname(path).toLowerCase();
  const resolved = resolveTableOptions(path, options, extension === '.tsv');
  const format = chooseFormat(path, options.format ?? EXTENSIONS[extension], await readHead(path));
  if (resolved.rowGroups !== null && format !== 'parquet') {
    throw new RampartError(
      'RAMPART_TABLE_OPTIONS_INVALID',
      `rowGroups applies to Parquet files only; ${path} is ${format}`,
    );
  }
  const reader = await openFormat(format, resolved).catch((error: unknown) => {
    throw unreadable(error, path, format);
  });
  return {
    path: reader.path,
    format: reader.format,
    schema: reader.schema,
    ...(reader.rowGroups === undefined ? {} : { rowGroups: reader.rowGroups }),
    batches: () => guardBatches(reader, format),
  };
}

// The Parquet and Arrow decoders are large: they are loaded on the first file that needs them,
// not by every command that can read tables.
async function openFormat(
  format: TableFormat,
  options: ResolvedTableOptions,
): Promise<TableReader> {
  switch (format) {
    case 'csv':
      return openCsv(options);
    case 'jsonl':
      return openJsonl(options);
    case 'parquet':
      return (await import('./parquet.js')).openParquet(options);
    case 'arrow':
      return (await import('./arrow.js')).openArrow(options);
  }
}

// The decoders (hyparquet, apache-arrow) throw plain errors on corrupt input; whatever escapes
// a reader unexplained is reported as a malformed file, never as a crash.
function unreadable(error: unknown, path: string, format: TableFormat): RampartError {
  if (isRampartError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return tableError(
    'RAMPART_TABLE_MALFORMED',
    path,
    `not a readable ${format} file (${reason})`,
    {},
    error,
  );
}

async function* guardBatches(
  reader: TableReader,
  format: TableFormat,
): AsyncGenerator<ColumnBatch> {
  try {
    yield* reader.batches();
  } catch (error) {
    throw unreadable(error, reader.path, format);
  }
}
