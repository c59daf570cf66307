import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../../testkit/paths.js';
import { openTable } from './open.js';
import { readAll, rowsOf } from './test-helpers.js';

const fixtures = path.join(repoRoot, 'test/fixtures/table');
const fixture = (name: string) => path.join(fixtures, name);

const SPECIES = [
  'setosa',
  'versicolor',
  'virginica',
  'Ωmega ünïcode 🌸',
  'has, comma',
  'has "quote"',
];

// The logical table of scripts/table-fixtures/make.ts, row by row.
const EXPECTED = Array.from({ length: 20 }, (_, i) => ({
  id: i + 1,
  length: i === 3 ? null : Math.round((4.3 + i * 0.17) * 100) / 100,
  species: i === 5 ? null : (SPECIES[i % SPECIES.length] ?? ''),
  flag: i === 7 ? null : i % 3 === 0,
  score:
    i === 2 ? NaN : i === 9 ? Infinity : i === 10 ? -Infinity : i === 4 ? null : i * 1.5 - 7.25,
  count: i === 11 ? null : ((i * 37) % 11) - 5,
  note: i === 12 ? 'line one\nline two' : i % 4 === 1 ? null : `n${i}`,
}));

const SCHEMA = [
  { name: 'id', type: 'integer', declared: false },
  { name: 'length', type: 'number', declared: false },
  { name: 'species', type: 'string', declared: false },
  { name: 'flag', type: 'boolean', declared: false },
  { name: 'score', type: 'number', declared: false },
  { name: 'count', type: 'integer', declared: false },
  { name: 'note', type: 'string', declared: false },
];

const FILES = [
  ['table.csv', 'csv'],
  ['table-bom-crlf.csv', 'csv'],
  ['table.jsonl', 'jsonl'],
  ['table.parquet', 'parquet'],
  ['table.arrow', 'arrow'],
  ['table-stream.arrow', 'arrow'],
] as const;

describe('the same table in every format', () => {
  for (const [name, format] of FILES) {
    it(`reads ${name} as ${format} with the inferred or stored schema and every cell`, async () => {
      const reader = await openTable(fixture(name));
      assert.equal(reader.format, format);
      assert.deepEqual(reader.schema, SCHEMA);
      const batches = await readAll(fixture(name));
      assert.deepEqual(rowsOf(batches), EXPECTED);
    });
  }

  it('gives identical batches (values, states, names) in all formats', async () => {
    const reference = await readAll(fixture('table.parquet'), { batchRows: 7 });
    for (const [name] of FILES) {
      assert.deepEqual(await readAll(fixture(name), { batchRows: 7 }), reference, name);
    }
  });

  it('cuts 20 rows into batches of 7, 7 and 6 with the right first rows', async () => {
    for (const [name] of FILES) {
      const batches = await readAll(fixture(name), { batchRows: 7 });
      assert.deepEqual(
        batches.map((b) => [b.firstRow, b.rows]),
        [
          [0, 7],
          [7, 7],
          [14, 6],
        ],
        name,
      );
      for (const batch of batches) {
        for (const column of batch.columns) assert.equal(column.values.length, batch.rows);
      }
    }
  });

  it('can stream a table more than once', async () => {
    const reader = await openTable(fixture('table.csv'));
    const count = async () => {
      let rows = 0;
      for await (const batch of reader.batches()) rows += batch.rows;
      return rows;
    };
    assert.equal(await count(), 20);
    assert.equal(await count(), 20);
  });

  it('lets declared types win over inference and file types, keeping the other columns', async () => {
    for (const [name] of FILES) {
      const reader = await openTable(fixture(name), { columns: { id: 'string', count: 'number' } });
      assert.deepEqual(
        reader.schema.map((c) => [c.name, c.type, c.declared]),
        [
          ['id', 'string', true],
          ['length', 'number', false],
          ['species', 'string', false],
          ['flag', 'boolean', false],
          ['score', 'number', false],
          ['count', 'number', true],
          ['note', 'string', false],
        ],
        name,
      );
      const rows = rowsOf(await readAll(fixture(name), { columns: { id: 'string' } }));
      assert.equal(rows[9]?.id, '10', name);
    }
  });

  it('refuses a declared column the file does not have', async () => {
    for (const [name] of FILES) {
      await assert.rejects(openTable(fixture(name), { columns: { petal: 'number' } }), {
        code: 'RAMPART_TABLE_SCHEMA_INVALID',
      });
    }
  });
});

describe('Parquet and Arrow types', () => {
  it('maps INT64 beyond 2^53 to an invalid cell, timestamps and dates to epoch milliseconds', async () => {
    const parquet = await openTable(fixture('typed.parquet'));
    assert.deepEqual(
      parquet.schema.map((c) => [c.name, c.type]),
      [
        ['wide', 'integer'],
        ['at', 'number'],
        ['doc', 'string'],
      ],
    );
    assert.deepEqual(rowsOf(await readAll(fixture('typed.parquet'))), [
      { wide: 1, at: 0, doc: '{"a":1}' },
      { wide: -2, at: 1_700_000_000_123, doc: null },
      { wide: { invalid: '9007199254740993' }, at: null, doc: '[2]' },
    ]);
    const arrow = await openTable(fixture('typed.arrow'));
    assert.deepEqual(
      arrow.schema.map((c) => [c.name, c.type]),
      [
        ['wide', 'integer'],
        ['at', 'number'],
        ['day', 'number'],
        ['kind', 'string'],
        ['ok', 'boolean'],
      ],
    );
    assert.deepEqual(rowsOf(await readAll(fixture('typed.arrow'))), [
      { wide: 1, at: 0, day: 0, kind: 'a', ok: true },
      { wide: -2, at: 1_700_000_000_123, day: 86_400_000 * 19_000, kind: 'b', ok: null },
      { wide: { invalid: '9007199254740993' }, at: null, day: null, kind: 'a', ok: false },
    ]);
  });

  it('refuses an Arrow list column with a clear error', async () => {
    await assert.rejects(openTable(fixture('nested.arrow')), {
      code: 'RAMPART_TABLE_SCHEMA_INVALID',
      message: /items.*not supported/,
    });
  });
});
