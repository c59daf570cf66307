import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ByteWriter, parquetWriteBuffer } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import type { SchemaElement } from 'hyparquet';
import { decodeChunk } from './parquet-pages.js';
import { openTable } from './open.js';
import { Rng } from '../../../testkit/fuzz-rng.js';
import { repoRoot } from '../../../testkit/paths.js';
import { tempDir } from '../../../testkit/tmp.js';
import { readAll, rowsOf } from './test-helpers.js';

const dir = tempDir('rampart-parquet-');

// hyparquet's own row reader is the oracle for our page-level column decoding.
async function oracle(file: string): Promise<Record<string, unknown>[]> {
  const bytes = readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return parquetReadObjects({ file: buffer, compressors, utf8: true });
}

// A table with nulls in every nullable column, dictionary-friendly strings, many small pages
// per column chunk and several row groups.
function writeTable(rng: Rng, rows: number): string {
  const maybe = <T>(value: T): T | null => (rng.chance(0.1) ? null : value);
  const words = ['a', 'bb', 'ccc', 'Ωmega', '🌸', ''];
  const columnData = [
    {
      name: 'x',
      type: 'DOUBLE' as const,
      data: Array.from({ length: rows }, () => maybe(rng.next() * 100 - 50)),
    },
    {
      name: 'n',
      type: 'INT32' as const,
      nullable: false,
      data: Int32Array.from({ length: rows }, () => rng.int(1000) - 500),
    },
    {
      name: 'm',
      type: 'INT32' as const,
      data: Array.from({ length: rows }, () => maybe(rng.int(10))),
    },
    {
      name: 's',
      type: 'STRING' as const,
      data: Array.from({ length: rows }, () => maybe(rng.pick(words))),
    },
    {
      name: 'b',
      type: 'BOOLEAN' as const,
      data: Array.from({ length: rows }, () => maybe(rng.chance(0.5))),
    },
  ];
  const file = path.join(dir, `t${rng.int(1e9)}.parquet`);
  writeFileSync(
    file,
    Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 700, pageSize: 256 })),
  );
  return file;
}

describe('Parquet page decoding', () => {
  it('gives hyparquet’s rows for multi-page, multi-group columns with nulls, at any batch size', async () => {
    const rng = new Rng('parquet-pages');
    for (const rows of [1, 699, 2500]) {
      const file = writeTable(rng, rows);
      const expected = await oracle(file);
      for (const batchRows of [1, 7, 700, 65_536]) {
        const batches = await readAll(file, { batchRows });
        assert.deepEqual(rowsOf(batches), expected, `${rows} rows, batches of ${batchRows}`);
        assert.deepEqual(
          batches.map((b) => b.firstRow),
          Array.from({ length: Math.ceil(rows / batchRows) }, (_, i) => i * batchRows),
        );
      }
    }
  });

  it('gives the same rows when batches reuse their arrays and each is read before the next', async () => {
    const rng = new Rng('parquet-reuse');
    const file = writeTable(rng, 2500);
    const expected = await oracle(file);
    for (const batchRows of [7, 700, 65_536]) {
      const rows: ReturnType<typeof rowsOf> = [];
      const reader = await openTable(file, { batchRows, reuseBatches: true });
      for await (const batch of reader.batches()) rows.push(...rowsOf([batch]));
      assert.deepEqual(rows, expected, `batches of ${batchRows}`);
    }
  });

  it('reads the committed fixture as hyparquet does, across its three row groups', async () => {
    const file = path.join(repoRoot, 'test/fixtures/table/table.parquet');
    assert.deepEqual(rowsOf(await readAll(file, { batchRows: 3 })), await oracle(file));
  });
});

// A DATA_PAGE (version 1, as pyarrow writes by default) of an optional DOUBLE column, uncompressed:
// 4-byte length and RLE runs of definition levels, then the present values PLAIN.
function v1Page(writer: ByteWriter, levels: readonly number[], values: readonly number[]): void {
  const body = new ByteWriter();
  const runs: number[] = [];
  for (const level of levels) runs.push(2, level); // RLE runs of one: header (1 << 1), value
  body.appendUint32(runs.length);
  body.appendBytes(Uint8Array.from(runs));
  for (const value of values) body.appendFloat64(value);
  const bytes = new Uint8Array(body.getBuffer());
  writePageHeader(writer, {
    type: 'DATA_PAGE',
    uncompressed_page_size: bytes.length,
    compressed_page_size: bytes.length,
    data_page_header: {
      num_values: levels.length,
      encoding: 'PLAIN',
      definition_level_encoding: 'RLE',
      repetition_level_encoding: 'RLE',
    },
  });
  writer.appendBytes(bytes);
}

describe('Parquet version 1 data pages', () => {
  it('decodes definition levels and values of DATA_PAGE pages', () => {
    const writer = new ByteWriter();
    v1Page(writer, [1, 1, 0, 1, 1], [1.5, -2, 3, 4e10]);
    v1Page(writer, [1, 1, 1], [5, 6, 7]);
    const element: SchemaElement = { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' };
    const root: SchemaElement = { name: 'root', num_children: 1 };
    const leaf = { children: [], count: 1, element, path: ['x'] };
    const decoder = {
      pathInSchema: ['x'],
      type: 'DOUBLE' as const,
      element,
      schemaPath: [{ children: [leaf], count: 2, element: root, path: [] }, leaf],
      codec: 'UNCOMPRESSED' as const,
      parsers: DEFAULT_PARSERS,
      compressors: {},
      utf8: true,
    };
    const run = decodeChunk('x.parquet', new Uint8Array(writer.getBuffer()), decoder, 8);
    assert.deepEqual(Array.from(run.dense), [1.5, -2, 3, 4e10, 5, 6, 7]);
    assert.deepEqual(Array.from(run.present ?? []), [1, 1, 0, 1, 1, 1, 1, 1]);
    assert.throws(() => decodeChunk('x.parquet', new Uint8Array(writer.getBuffer()), decoder, 9), {
      code: 'RAMPART_TABLE_MALFORMED',
    });
  });
});
