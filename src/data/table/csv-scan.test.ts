import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import { Rng } from '../../../testkit/fuzz-rng.js';
import { tempDir } from '../../../testkit/tmp.js';
import type { ColumnBatch, ColumnType } from './batch.js';
import { BatchBuilder } from './columns.js';
import { csvBatches } from './csv.js';
import { csvRecords } from './csv-records.js';
import { openTable } from './open.js';
import { resolveTableOptions } from './options.js';
import type { ReadTableOptions, ResolvedTableOptions, TableColumn } from './options.js';
import { rowsOf } from './test-helpers.js';

const dir = tempDir('rampart-csv-scan-');
let counter = 0;

// The reference reader: every record split by csv-parse, every cell through setText.
async function* referenceBatches(
  options: ResolvedTableOptions,
  schema: readonly TableColumn[],
): AsyncGenerator<ColumnBatch> {
  const builder = new BatchBuilder(
    schema.map((c) => c.name),
    schema.map((c) => c.type),
    schema.map((c) => c.declared),
    options.batchRows,
  );
  let row = 0;
  let firstRow = 0;
  let header = true;
  const split = { path: options.path, delimiter: options.delimiter, careful: true };
  for await (const run of csvRecords({ ...split, maxRecordBytes: options.limits.maxRecordBytes })) {
    for (const fields of run) {
      if (header) {
        header = false;
        continue;
      }
      builder.builders.forEach((b, c) => {
        b.setText(row, fields[c] ?? '');
      });
      if (++row === options.batchRows) {
        yield builder.finish(row, firstRow);
        firstRow += row;
        row = 0;
      }
    }
  }
  if (row > 0) yield builder.finish(row, firstRow);
}

type Outcome = { batches: [number, number][]; rows: unknown[] } | { error: string };

async function outcome(batches: () => AsyncIterable<ColumnBatch>): Promise<Outcome> {
  const all: ColumnBatch[] = [];
  try {
    for await (const batch of batches()) all.push(batch);
  } catch (error) {
    if (isRampartError(error)) return { error: `${error.code} ${error.message}` };
    throw error;
  }
  return { batches: all.map((b) => [b.firstRow, b.rows]), rows: rowsOf(all) };
}

const CELLS = [
  '1',
  '-2.5',
  '+3',
  '1e3',
  '.5',
  '5.',
  '-',
  '',
  'NA',
  'null',
  'nan',
  '-Inf',
  '1234567890123456',
  '123456789012345',
  '0.1',
  '00',
  '-0',
  '1.2.3',
  'abc',
  'true',
  'FALSE',
  'True ',
  'é',
  '🌸',
  'x y',
  '\u00ff\u00fe',
];
const QUOTED = [
  '"a,b"',
  '"he said ""hi"""',
  '"l1\nl2"',
  '"l1\r\nl2"',
  '"1.5"',
  '""',
  '"NA"',
  '"true"',
  '"é🌸"',
  '""""',
];
// Not RFC 4180: csv-parse refuses them, and the scanner must hand them to csv-parse.
const MALFORMED = ['x"y', '"a"b', '"a" ', ' "a"', '"unclosed'];
const TYPES: readonly ColumnType[] = ['number', 'integer', 'boolean', 'string'];

function randomFile(rng: Rng): { name: string; options: ReadTableOptions } {
  const width = 1 + rng.int(5);
  const eol = rng.chance(0.5) ? '\r\n' : '\n';
  // No quotes, some quoted fields, every field quoted, or now and then a malformed one.
  const mode = rng.pick(['none', 'some', 'all', 'malformed'] as const);
  const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
  const parts: Buffer[] = [];
  if (rng.chance(0.2)) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  const names = Array.from({ length: width }, (_, c) => `c${c}`);
  const header = mode === 'all' && rng.chance(0.5) ? names.map(quote) : names;
  parts.push(Buffer.from(header.join(',') + eol));
  const lines = rng.int(40);
  for (let r = 0; r < lines; r++) {
    if (rng.chance(0.05)) parts.push(Buffer.from(eol));
    const fields = Array.from({ length: width }, () => {
      if (mode === 'all') return quote(rng.pick(CELLS));
      if (mode === 'malformed' && rng.chance(0.02)) return rng.pick(MALFORMED);
      return mode !== 'none' && rng.chance(0.1) ? rng.pick(QUOTED) : rng.pick(CELLS);
    });
    if (rng.chance(0.01)) fields.push('extra');
    if (fields.join('') === '') fields[0] = '1';
    const line = Buffer.from(fields.join(',') + (r < lines - 1 || rng.chance(0.5) ? eol : ''));
    // Invalid UTF-8 now and then.
    parts.push(rng.chance(0.03) ? Buffer.concat([line.subarray(0, 1), Buffer.from([0xff])]) : line);
    if (rng.chance(0.03)) parts.push(Buffer.from(eol));
  }
  const name = path.join(dir, `r${counter++}.csv`);
  writeFileSync(name, Buffer.concat(parts));
  const columns: Record<string, ColumnType> = {};
  for (const n of names) if (rng.chance(0.6)) columns[n] = rng.pick(TYPES);
  return { name, options: { columns, batchRows: 1 + rng.int(8) } };
}

describe('CSV byte scanner', () => {
  it('gives the same batches, cells and errors as csv-parse with setText (seeded random files with and without quotes, small reads)', async () => {
    const rng = new Rng('csv-scan-vs-csv-parse');
    for (let round = 0; round < 400; round++) {
      const { name, options } = randomFile(rng);
      const reader = await openTable(name, options).catch(() => undefined);
      if (reader === undefined) continue;
      const resolved = resolveTableOptions(name, options, false);
      const readBytes = 1 + rng.int(48);
      const expected = await outcome(() => referenceBatches(resolved, reader.schema));
      const scanned = await outcome(() => csvBatches(resolved, reader.schema, readBytes));
      assert.deepEqual(scanned, expected, `round ${round}, readBytes ${readBytes}`);
      assert.deepEqual(await outcome(() => reader.batches()), expected, `round ${round}`);
    }
  });

  it('reads a tab-separated and a non-ASCII-delimited file', async () => {
    for (const delimiter of ['\t', '§']) {
      const name = path.join(dir, `d${counter++}.csv`);
      writeFileSync(name, `a${delimiter}b\n1${delimiter}x\n2.5${delimiter}\n`);
      const batches: ColumnBatch[] = [];
      for await (const batch of (await openTable(name, { delimiter })).batches())
        batches.push(batch);
      assert.deepEqual(rowsOf(batches), [
        { a: 1, b: 'x' },
        { a: 2.5, b: null },
      ]);
    }
  });

  it('reads a line longer than the read size and refuses one longer than maxRecordBytes', async () => {
    const name = path.join(dir, `l${counter++}.csv`);
    const long = 'é'.repeat(600);
    writeFileSync(name, `a,b\n${long},1\n`);
    const options = resolveTableOptions(name, { limits: { maxRecordBytes: 700 } }, false);
    const schema: TableColumn[] = [
      { name: 'a', type: 'string', declared: true },
      { name: 'b', type: 'integer', declared: true },
    ];
    // 1,202 bytes but 602 characters: within the limit, which counts characters.
    const ok = await outcome(() => csvBatches(options, schema, 64));
    assert.deepEqual('rows' in ok ? ok.rows : ok, [{ a: long, b: 1 }]);
    const tight = resolveTableOptions(name, { limits: { maxRecordBytes: 500 } }, false);
    for (const readBytes of [64, 4096]) {
      const failed = await outcome(() => csvBatches(tight, schema, readBytes));
      assert.match('error' in failed ? failed.error : '', /RAMPART_TABLE_LIMIT_EXCEEDED.*line 2/);
    }
  });
});
