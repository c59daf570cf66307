/**
 * Writes the small table-reader fixtures in test/fixtures/table/: one logical 20-row table in
 * CSV (LF, and BOM + CRLF), JSON lines, Parquet and Arrow IPC (file and stream), plus Parquet
 * and Arrow files with wide integers, timestamps, dates and unsupported types.
 * Run: npx tsc -p tsconfig.json && node dist/scripts/table-fixtures/make.js
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bool,
  DateDay,
  Float64,
  Int32,
  Int64,
  List,
  Field,
  TimestampMillisecond,
  Utf8,
  tableToIPC,
  vectorFromArray,
  Table,
} from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';

const OUT = join(process.cwd(), 'test/fixtures/table');

type Cell = number | string | boolean | null;

const species = [
  'setosa',
  'versicolor',
  'virginica',
  'Ωmega ünïcode 🌸',
  'has, comma',
  'has "quote"',
];

/** The logical table: column name → 20 cells (null is missing). */
export const TABLE: Record<string, Cell[]> = {
  id: Array.from({ length: 20 }, (_, i) => i + 1),
  length: Array.from({ length: 20 }, (_, i) =>
    i === 3 ? null : Math.round((4.3 + i * 0.17) * 100) / 100,
  ),
  species: Array.from({ length: 20 }, (_, i) =>
    i === 5 ? null : (species[i % species.length] ?? ''),
  ),
  flag: Array.from({ length: 20 }, (_, i) => (i === 7 ? null : i % 3 === 0)),
  score: Array.from({ length: 20 }, (_, i) =>
    i === 2
      ? Number.NaN
      : i === 9
        ? Infinity
        : i === 10
          ? -Infinity
          : i === 4
            ? null
            : i * 1.5 - 7.25,
  ),
  count: Array.from({ length: 20 }, (_, i) => (i === 11 ? null : ((i * 37) % 11) - 5)),
  note: Array.from({ length: 20 }, (_, i) =>
    i === 12 ? 'line one\nline two' : i % 4 === 1 ? null : `n${i}`,
  ),
};
const NAMES = Object.keys(TABLE);
const ROWS = 20;

function csvCell(value: Cell, row: number): string {
  if (value === null) return row % 2 === 0 ? '' : 'NA';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(eol: string): string {
  const lines = [NAMES.join(',')];
  for (let r = 0; r < ROWS; r++)
    lines.push(NAMES.map((n) => csvCell(TABLE[n]?.[r] ?? null, r)).join(','));
  return lines.join(eol) + eol;
}

function jsonl(): string {
  const lines: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    const row: Record<string, Cell> = {};
    for (const name of NAMES) {
      const value = TABLE[name]?.[r] ?? null;
      if (value === null && r % 2 === 1) continue; // absent key and null are both missing
      row[name] =
        typeof value === 'number' && !Number.isFinite(value)
          ? Number.isNaN(value)
            ? 'NaN'
            : value > 0
              ? 'inf'
              : '-Infinity'
          : value;
    }
    lines.push(JSON.stringify(row));
  }
  return lines.join('\n') + '\n';
}

const column = (name: string): Cell[] => TABLE[name] ?? [];

function parquet(): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      {
        name: 'id',
        data: Int32Array.from(column('id') as number[]),
        type: 'INT32',
        nullable: false,
      },
      { name: 'length', data: column('length'), type: 'DOUBLE' },
      { name: 'species', data: column('species'), type: 'STRING' },
      { name: 'flag', data: column('flag'), type: 'BOOLEAN' },
      { name: 'score', data: column('score'), type: 'DOUBLE' },
      { name: 'count', data: column('count'), type: 'INT32' },
      { name: 'note', data: column('note'), type: 'STRING' },
    ],
    rowGroupSize: 8,
  });
}

function arrowTable(): Table {
  return new Table({
    id: vectorFromArray(column('id'), new Int32()),
    length: vectorFromArray(column('length'), new Float64()),
    species: vectorFromArray(column('species'), new Utf8()),
    flag: vectorFromArray(column('flag'), new Bool()),
    score: vectorFromArray(column('score'), new Float64()),
    count: vectorFromArray(column('count'), new Int32()),
    note: vectorFromArray(column('note'), new Utf8()),
  });
}

const BIG = 2n ** 53n + 1n;

function typedParquet(): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'wide', data: BigInt64Array.from([1n, -2n, BIG]), type: 'INT64', nullable: false },
      { name: 'at', data: [new Date(0), new Date(1_700_000_000_123), null], type: 'TIMESTAMP' },
      { name: 'doc', data: [{ a: 1 }, null, [2]], type: 'JSON' },
    ],
  });
}

function typedArrow(): Uint8Array {
  const table = new Table({
    wide: vectorFromArray([1n, -2n, BIG], new Int64()),
    at: vectorFromArray([0, 1_700_000_000_123, null], new TimestampMillisecond()),
    day: vectorFromArray([0, 86_400_000 * 19_000, null], new DateDay()),
    kind: vectorFromArray(['a', 'b', 'a']),
    ok: vectorFromArray([true, null, false], new Bool()),
  });
  return tableToIPC(table, 'file');
}

function nestedArrow(): Uint8Array {
  const list = vectorFromArray([[1], [2, 3]], new List(new Field('item', new Int32(), true)));
  return tableToIPC(new Table({ items: list }), 'file');
}

mkdirSync(OUT, { recursive: true });
writeFileSync(join(OUT, 'table.csv'), csv('\n'));
writeFileSync(join(OUT, 'table-bom-crlf.csv'), '\uFEFF' + csv('\r\n'));
writeFileSync(join(OUT, 'table.jsonl'), jsonl());
writeFileSync(join(OUT, 'table.parquet'), Buffer.from(parquet()));
writeFileSync(join(OUT, 'table.arrow'), tableToIPC(arrowTable(), 'file'));
writeFileSync(join(OUT, 'table-stream.arrow'), tableToIPC(arrowTable(), 'stream'));
writeFileSync(join(OUT, 'typed.parquet'), Buffer.from(typedParquet()));
writeFileSync(join(OUT, 'typed.arrow'), typedArrow());
writeFileSync(join(OUT, 'nested.arrow'), nestedArrow());
