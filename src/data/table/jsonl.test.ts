import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../../testkit/tmp.js';
import { openTable } from './open.js';
import { readAll, rowsOf } from './test-helpers.js';

const dir = tempDir('rampart-jsonl-');
let counter = 0;
function file(text: string): string {
  const name = path.join(dir, `t${counter++}.jsonl`);
  writeFileSync(name, text);
  return name;
}

describe('JSON lines', () => {
  it('orders columns by first appearance, treats absent keys and null as missing', async () => {
    const name = file('{"a":1,"b":"x"}\n{"c":true}\n\n{"a":2.5,"b":null,"c":false}\n');
    const reader = await openTable(name);
    assert.deepEqual(
      reader.schema.map((c) => [c.name, c.type]),
      [
        ['a', 'number'],
        ['b', 'string'],
        ['c', 'boolean'],
      ],
    );
    assert.deepEqual(rowsOf(await readAll(name)), [
      { a: 1, b: 'x', c: null },
      { a: null, b: null, c: true },
      { a: 2.5, b: null, c: false },
    ]);
  });

  it('reads numbers in a string column as text, and NaN and NA strings in a number column', async () => {
    const name = file(
      '{"s":"a","n":1.5}\n{"s":2,"n":"NaN"}\n{"s":true,"n":"NA"}\n{"s":"b","n":"oops"}\n',
    );
    assert.deepEqual(rowsOf(await readAll(name, { inferRows: 3 })), [
      { s: 'a', n: 1.5 },
      { s: '2', n: NaN },
      { s: 'true', n: null },
      { s: 'b', n: { invalid: 'oops' } },
    ]);
  });

  it('refuses a line that is not an object or not JSON, naming the line', async () => {
    for (const bad of ['[1,2]', '3', 'null', '{"a":', 'NaN']) {
      await assert.rejects(
        readAll(file(`{"a":1}\n${bad}\n`)),
        { code: 'RAMPART_TABLE_MALFORMED', message: /line 2/ },
        bad,
      );
    }
  });

  it('refuses nested values in a typed column and stringifies them in a declared string column', async () => {
    const name = file('{"a":1,"o":{"x":[1,2]}}\n{"a":2,"o":[3]}\n');
    await assert.rejects(openTable(name), {
      code: 'RAMPART_TABLE_SCHEMA_INVALID',
      message: /line 1.*"o"/,
    });
    assert.deepEqual(rowsOf(await readAll(name, { columns: { o: 'string' } })), [
      { a: 1, o: '{"x":[1,2]}' },
      { a: 2, o: '[3]' },
    ]);
    const late = file('{"a":1}\n{"a":{"deep":1}}\n');
    await assert.rejects(readAll(late, { inferRows: 1 }), {
      code: 'RAMPART_TABLE_SCHEMA_INVALID',
      message: /line 2/,
    });
  });

  it('refuses a key not seen during inference, naming the line', async () => {
    const name = file('{"a":1}\n{"a":2,"b":3}\n');
    await assert.rejects(readAll(name, { inferRows: 1 }), {
      code: 'RAMPART_TABLE_SCHEMA_INVALID',
      message: /line 2.*"b"/,
    });
    assert.equal(rowsOf(await readAll(name)).length, 2);
  });

  it('keeps __proto__ as an ordinary column', async () => {
    const name = file('{"__proto__":1,"a":2}\n');
    assert.deepEqual(
      (await openTable(name)).schema.map((c) => c.name),
      ['__proto__', 'a'],
    );
  });

  it('enforces the line, column, name and row limits', async () => {
    const long = file(`{"a":"${'x'.repeat(500)}"}\n`);
    await assert.rejects(openTable(long, { limits: { maxRecordBytes: 100 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
      message: /line 1/,
    });
    const unterminated = file(`{"a":"${'x'.repeat(500)}"}`);
    await assert.rejects(openTable(unterminated, { limits: { maxRecordBytes: 100 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
    });
    const wide = file(
      `${JSON.stringify(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, i])))}\n`,
    );
    await assert.rejects(openTable(wide, { limits: { maxColumns: 5 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
    });
    await assert.rejects(openTable(file('{"abcdefghijk":1}\n'), { limits: { maxNameLength: 5 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
    });
    await assert.rejects(readAll(file('{"a":1}\n{"a":2}\n'), { limits: { maxRows: 1 } }), {
      code: 'RAMPART_TABLE_LIMIT_EXCEEDED',
    });
  });
});
