import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Rng } from '../../../testkit/fuzz-rng.js';
import { tempDir } from '../../../testkit/tmp.js';
import { MAX_INVALID_SAMPLES, MAX_INVALID_TEXT } from './columns.js';
import { csvRecords } from './csv-records.js';
import { openTable } from './open.js';
import { readAll, rowsOf } from './test-helpers.js';

const dir = tempDir('rampart-csv-');
let counter = 0;
function file(text: string, extension = '.csv'): string {
  const name = path.join(dir, `t${counter++}${extension}`);
  writeFileSync(name, text);
  return name;
}

async function records(name: string, careful: boolean): Promise<string[][]> {
  const out: string[][] = [];
  for await (const run of csvRecords({
    path: name,
    delimiter: ',',
    maxRecordBytes: 1 << 20,
    careful,
  })) {
    out.push(...run);
  }
  return out;
}

describe('CSV type inference', () => {
  it('infers integer, number (with nan and inf spellings), boolean and string', async () => {
    const reader = await openTable(
      file(
        'i,n,b,s,e,big\n1,1.5,TRUE,a,,9007199254740993\n-2,nan,false,1,NA,1\n+3,-Inf,True,x,null,2\n4,1e3,false,2.5,,3\n',
      ),
    );
    assert.deepEqual(
      reader.schema.map((c) => c.type),
      ['integer', 'number', 'boolean', 'string', 'string', 'number'],
    );
    const rows = rowsOf(await readAll(reader.path));
    assert.deepEqual(rows[1], { i: -2, n: NaN, b: false, s: '1', e: null, big: 1 });
    assert.deepEqual(rows[2]?.n, -Infinity);
    assert.deepEqual(rows[3]?.n, 1000);
  });

  it('reads every NA spelling as missing in every column type', async () => {
    const spellings = [
      '',
      'NA',
      'N/A',
      'n/a',
      '#N/A',
      '#N/A N/A',
      '#NA',
      '<NA>',
      'null',
      'NULL',
      'None',
    ];
    const body = spellings.map((s) => `1,1.5,true,x\n${s},${s},${s},${s}`).join('\n');
    const rows = rowsOf(await readAll(file(`i,n,b,s\n${body}\n`)));
    for (let r = 1; r < rows.length; r += 2) {
      assert.deepEqual(rows[r], { i: null, n: null, b: null, s: null }, spellings[(r - 1) / 2]);
    }
  });

  it('infers only from the first inferRows rows and marks later misfits invalid with their text', async () => {
    const name = file('n\n1\n2\nabc\n2.5\n');
    const reader = await openTable(name, { inferRows: 2 });
    assert.equal(reader.schema[0]?.type, 'integer');
    assert.deepEqual(
      rowsOf(await readAll(name, { inferRows: 2 })).map((r) => r.n),
      [1, 2, { invalid: 'abc' }, { invalid: '2.5' }],
    );
  });

  it('caps the invalid samples per column and batch and the text kept per cell', async () => {
    const lines = Array.from({ length: MAX_INVALID_SAMPLES + 10 }, (_, i) =>
      i === 0 ? 'x'.repeat(500) : `bad${i}`,
    );
    const name = file(`n\n${lines.join('\n')}\n`);
    const [batch] = await readAll(name, { columns: { n: 'number' } });
    const column = batch?.columns[0];
    assert.ok(column !== undefined && column.type === 'number');
    assert.equal(column.state.filter((s) => s === 2).length, MAX_INVALID_SAMPLES + 10);
    const invalid = column.invalid;
    assert.ok(invalid !== undefined);
    assert.equal(invalid.size, MAX_INVALID_SAMPLES);
    assert.equal(invalid.get(0)?.length, MAX_INVALID_TEXT);
  });

  it('applies declared types to CSV text strictly (no silent coercion)', async () => {
    const name = file('a,b,c\n3.0,yes,1\n7,true,0x10\n');
    const rows = rowsOf(
      await readAll(name, { columns: { a: 'integer', b: 'boolean', c: 'number' } }),
    );
    assert.deepEqual(rows, [
      { a: { invalid: '3.0' }, b: { invalid: 'yes' }, c: 1 },
      { a: 7, b: true, c: { invalid: '0x10' } },
    ]);
  });
});

describe('CSV syntax', () => {
  it('handles RFC 4180 quoting, embedded newlines, CRLF, BOM and a tab delimiter', async () => {
    const name = file('\uFEFFa\tb\r\n"x\ty"\t"he said ""hi"""\r\n"multi\r\nline"\t2\r\n', '.tsv');
    assert.deepEqual(rowsOf(await readAll(name)), [
      { a: 'x\ty', b: 'he said "hi"' },
      { a: 'multi\r\nline', b: '2' },
    ]);
  });

  it('skips blank lines and accepts a last line without a newline', async () => {
    assert.deepEqual(rowsOf(await readAll(file('a,b\n\n1,2\n\n3,4'))), [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ]);
  });

  it('refuses a ragged row, naming its line, in both the fast and the careful path', async () => {
    for (const text of [
      'a,b\n1,2\n3\n',
      'a,b\n1,2\n3,4,5\n',
      'a,b\n"1",2\n3\n',
      'a,b\n"1",2\n3,4,5\n',
    ]) {
      await assert.rejects(
        readAll(file(text)),
        { code: 'RAMPART_TABLE_MALFORMED', message: /line 3/ },
        text,
      );
    }
  });

  it('refuses bad quoting with the line', async () => {
    await assert.rejects(readAll(file('a,b\n1,2\n"open,3\n')), { code: 'RAMPART_TABLE_MALFORMED' });
    await assert.rejects(readAll(file('a,b\n1,x"y\n')), {
      code: 'RAMPART_TABLE_MALFORMED',
      message: /line 2/,
    });
  });

  it('refuses an empty file, a duplicate and an empty column name', async () => {
    await assert.rejects(openTable(file('')), { code: 'RAMPART_TABLE_MALFORMED' });
    await assert.rejects(openTable(file('a,b,a\n1,2,3\n')), {
      code: 'RAMPART_TABLE_SCHEMA_INVALID',
      message: /"a" appears twice/,
    });
    await assert.rejects(openTable(file('a,,b\n1,2,3\n')), {
      code: 'RAMPART_TABLE_SCHEMA_INVALID',
    });
  });

  it('gives the same records from the fast splitter and from csv-parse (seeded random files)', async () => {
    const rng = new Rng('csv-fast-vs-careful');
    const pieces = [
      'a',
      'b c',
      '1',
      '-2.5',
      '',
      'é',
      '🌸',
      'x,y',
      '"q"',
      'l1\nl2',
      'l1\r\nl2',
      'nan',
      ' ',
    ];
    for (let round = 0; round < 60; round++) {
      const width = 1 + rng.int(5);
      const quoteable = rng.chance(0.5);
      const eol = rng.chance(0.5) ? '\r\n' : '\n';
      const lines: string[] = [];
      for (let r = 0; r < 1 + rng.int(30); r++) {
        const fields = Array.from({ length: width }, () => {
          const piece = rng.pick(quoteable ? pieces : pieces.slice(0, 7));
          return /[",\r\n]/.test(piece) ? `"${piece.replaceAll('"', '""')}"` : piece;
        });
        lines.push(fields.join(','));
      }
      const name = file(lines.join(eol) + (rng.chance(0.5) ? eol : ''));
      assert.deepEqual(await records(name, false), await records(name, true), `round ${round}`);
    }
  });
});

describe('CSV limits', () => {
  it('refuses more columns than maxColumns', async () => {
    await assert.rejects(openTable(file('a,b,c\n1,2,3\n'), { limits: { maxColumns: 2 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
      message: /3 columns/,
    });
  });

  it('refuses a record longer than maxRecordBytes in the fast and careful paths, and a long unterminated line', async () => {
    const long = 'x'.repeat(300);
    for (const text of [`a\n${long}\n`, `a\n"${long}"\n`, `a\n${long}`]) {
      await assert.rejects(readAll(file(text), { limits: { maxRecordBytes: 100 } }), {
        code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
      });
    }
  });

  it('refuses a column name longer than maxNameLength', async () => {
    await assert.rejects(
      openTable(file(`${'n'.repeat(20)}\n1\n`), { limits: { maxNameLength: 10 } }),
      {
        code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
      },
    );
  });

  it('refuses more rows than maxRows instead of truncating', async () => {
    const name = file('a\n1\n2\n3\n');
    assert.equal(rowsOf(await readAll(name, { limits: { maxRows: 3 } })).length, 3);
    await assert.rejects(readAll(name, { limits: { maxRows: 2 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
    });
  });

  it('refuses bad options', async () => {
    const name = file('a\n1\n');
    for (const options of [
      { batchRows: 0 },
      { inferRows: 1.5 },
      { delimiter: ';;' },
      { limits: { maxRows: -1 } },
    ]) {
      await assert.rejects(openTable(name, options), { code: 'RAMPART_TABLE_OPTIONS_INVALID' });
    }
  });
});
