import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { isRampartError } from '../../core/index.js';
import { Rng } from '../../../testkit/fuzz-rng.js';
import { tempDir } from '../../../testkit/tmp.js';
import { openTable } from '../table/open.js';
import { hashNumber } from './hash.js';
import { HyperLogLog } from './hll.js';
import { profileToJson } from './json.js';
import { NumericAccumulator } from './numeric.js';
import { profileTable, splitGroups } from './parallel.js';

const dir = tempDir('rampart-profile-parallel-');

// 9 row groups of 1,000 rows: numbers with nulls, NaN and infinities, integers, strings, booleans.
function writeTable(): string {
  const rng = new Rng('profile-parallel');
  const rows = 9000;
  const special = [Number.NaN, Infinity, -Infinity, 0, -0];
  const file = path.join(dir, 'groups.parquet');
  const columnData = [
    {
      name: 'x',
      type: 'DOUBLE' as const,
      data: Array.from({ length: rows }, () =>
        rng.chance(0.05)
          ? null
          : rng.chance(0.01)
            ? rng.pick(special)
            : (rng.next() - 0.5) * 10 ** rng.int(12),
      ),
    },
    {
      name: 'n',
      type: 'INT32' as const,
      nullable: false,
      data: Int32Array.from({ length: rows }, () => rng.int(100_000) - 50_000),
    },
    {
      name: 's',
      type: 'STRING' as const,
      data: Array.from({ length: rows }, () => (rng.chance(0.02) ? null : `v${rng.int(300)}`)),
    },
    {
      name: 'b',
      type: 'BOOLEAN' as const,
      nullable: false,
      data: Array.from({ length: rows }, () => rng.chance(0.3)),
    },
  ];
  writeFileSync(file, Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 1000 })));
  return file;
}

// Means and squared deviations are merged in another order, so they may differ in the last bits.
function withoutMoments(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (key, value: unknown) =>
    key === 'mean' || key === 'm2' ? undefined : value,
  );
}

function moments(json: ReturnType<typeof profileToJson>): number[] {
  return json.columns.flatMap((c) =>
    c.numeric === undefined ? [] : [c.numeric.mean, c.numeric.m2],
  );
}

describe('profileTable', () => {
  const file = writeTable();

  it('gives the one-thread profile when a Parquet file is split across threads', async () => {
    assert.equal((await openTable(file)).rowGroups, 9);
    const one = profileToJson(await profileTable(file, {}, 1));
    for (const threads of [2, 3, 9, 20]) {
      const split = profileToJson(await profileTable(file, {}, threads));
      assert.equal(split.rows, 9000);
      assert.deepEqual(withoutMoments(split), withoutMoments(one), `${threads} threads`);
      const [a, b] = [moments(split), moments(one)];
      a.forEach((value, i) => {
        const expected = b[i] ?? Number.NaN;
        assert.ok(
          Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
          `${threads} threads: ${value} vs ${expected}`,
        );
      });
    }
  });

  it('splits row groups into contiguous, near-equal ranges covering them all', () => {
    assert.deepEqual(splitGroups(9, 2), [
      { from: 0, to: 4 },
      { from: 4, to: 9 },
    ]);
    assert.deepEqual(
      splitGroups(3, 3).map((r) => r.to - r.from),
      [1, 1, 1],
    );
  });

  it('reports a worker’s refusal with its own code, and the row limit over all parts', async () => {
    // On two threads this thread reads 4 row groups (4,000 rows), the worker 5 (5,000).
    const limited = (maxRows: number) => profileTable(file, { limits: { maxRows } }, 2);
    const overLimit = (e: unknown) => isRampartError(e, 'RAMPART_TABLE_LIMIT_EXCEEDED');
    await assert.rejects(limited(4500), overLimit, 'refused in the worker');
    await assert.rejects(limited(6000), overLimit, 'each part is within, the whole is not');
    assert.equal((await limited(9000)).rows, 9000);
  });

  it('refuses row-group ranges outside the file or on other formats, and a bad thread count', async () => {
    const invalid = (e: unknown) => isRampartError(e, 'RAMPART_TABLE_OPTIONS_INVALID');
    const read = async (options: Parameters<typeof openTable>[1], where = file) => {
      let rows = 0;
      for await (const batch of (await openTable(where, options)).batches()) rows += batch.rows;
      return rows;
    };
    for (const threads of [0, -1, 1.5, Number.NaN]) {
      await assert.rejects(profileTable(file, {}, threads), invalid, `${threads} threads`);
    }
    await assert.rejects(read({ rowGroups: { from: 3, to: 10 } }), invalid);
    await assert.rejects(read({ rowGroups: { from: 4, to: 2 } }), invalid);
    await assert.rejects(read({ rowGroups: { from: -1, to: 2 } }), invalid);
    const csv = path.join(dir, 't.csv');
    writeFileSync(csv, 'a\n1\n');
    await assert.rejects(read({ rowGroups: { from: 0, to: 1 } }, csv), invalid);
    let rows = 0;
    for await (const batch of (await openTable(file, { rowGroups: { from: 2, to: 5 } })).batches())
      rows += batch.rows;
    assert.equal(rows, 3000);
  });
});

describe('NumericAccumulator', () => {
  it('fills the same HyperLogLog registers as hashNumber and HyperLogLog.add', () => {
    const rng = new Rng('numeric-hll');
    const values = Float64Array.from({ length: 5000 }, (_, i) =>
      i % 97 === 0 ? -0 : (rng.next() - 0.5) * 10 ** rng.int(30),
    );
    const accumulator = new NumericAccumulator('x', 'number');
    accumulator.add(
      { type: 'number', values, state: new Uint8Array(values.length) },
      values.length,
    );
    const reference = new HyperLogLog();
    const hash = new Uint32Array(2);
    for (const value of values) {
      hashNumber(value, hash);
      reference.add(hash[0] ?? 0, hash[1] ?? 0);
    }
    assert.deepEqual(accumulator.distinct.registers, reference.registers);
  });
});
