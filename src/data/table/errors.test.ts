import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import { Rng } from '../../../testkit/fuzz-rng.js';
import { repoRoot } from '../../../testkit/paths.js';
import { tempDir } from '../../../testkit/tmp.js';
import { openTable } from './open.js';
import { readAll } from './test-helpers.js';

const fixtures = path.join(repoRoot, 'test/fixtures/table');
const dir = tempDir('rampart-table-errors-');
let counter = 0;
function file(bytes: Uint8Array | string, extension: string): string {
  const name = path.join(dir, `t${counter++}${extension}`);
  writeFileSync(name, bytes);
  return name;
}
const parquet = readFileSync(path.join(fixtures, 'table.parquet'));
const arrowFile = readFileSync(path.join(fixtures, 'table.arrow'));
const arrowStream = readFileSync(path.join(fixtures, 'table-stream.arrow'));

describe('format detection', () => {
  it('sniffs Parquet and Arrow by magic bytes when the extension says nothing', async () => {
    assert.equal((await openTable(file(parquet, '.bin'))).format, 'parquet');
    assert.equal((await openTable(file(arrowFile, ''))).format, 'arrow');
    assert.equal((await openTable(file(arrowStream, '.ipc'))).format, 'arrow');
  });

  it('refuses content that does not match the name or the declared format', async () => {
    await assert.rejects(openTable(file(parquet, '.csv')), {
      code: 'RAMPART_TABLE_FORMAT_UNKNOWN',
      message: /csv.*parquet/,
    });
    await assert.rejects(openTable(file('a,b\n1,2\n', '.parquet')), {
      code: 'RAMPART_TABLE_FORMAT_UNKNOWN',
    });
    await assert.rejects(openTable(file(parquet, '.arrow')), {
      code: 'RAMPART_TABLE_FORMAT_UNKNOWN',
    });
    await assert.rejects(openTable(file(arrowFile, '.parquet')), {
      code: 'RAMPART_TABLE_FORMAT_UNKNOWN',
    });
    await assert.rejects(openTable(file('a\n1\n', '.txt')), {
      code: 'RAMPART_TABLE_FORMAT_UNKNOWN',
    });
    await assert.rejects(openTable(file('FEA1xxxxxxxx', '.feather')), {
      code: 'RAMPART_TABLE_FORMAT_UNKNOWN',
      message: /Feather version 1/,
    });
    assert.equal((await openTable(file('a\n1\n', '.txt'), { format: 'csv' })).format, 'csv');
    await assert.rejects(openTable(file('a\n1\n', '.csv'), { format: 'xlsx' as 'csv' }), {
      code: 'RAMPART_TABLE_OPTIONS_INVALID',
    });
  });

  it('reports a missing file and a folder as file errors', async () => {
    await assert.rejects(openTable(path.join(dir, 'none.csv')), { code: 'RAMPART_FILE_NOT_FOUND' });
    await assert.rejects(openTable(dir, { format: 'csv' }), {
      code: 'RAMPART_FILE_TYPE_UNSUPPORTED',
    });
  });
});

describe('truncated and corrupt binary files', () => {
  it('refuses truncated Parquet and Arrow files with RAMPART_TABLE_MALFORMED', async () => {
    for (const [bytes, extension] of [
      [parquet, '.parquet'],
      [arrowFile, '.arrow'],
      [arrowStream, '.arrow'],
    ] as const) {
      // A stream cut inside its end-of-stream marker still holds every batch: not an error.
      const cuts =
        bytes === arrowStream ? [8, bytes.length / 2] : [8, bytes.length / 2, bytes.length - 3];
      for (const keep of cuts.map(Math.floor)) {
        await assert.rejects(
          readAll(file(bytes.subarray(0, keep), extension)),
          { code: 'RAMPART_TABLE_MALFORMED' },
          `${extension} ${keep}`,
        );
      }
    }
  });
});

/** Runs `run`, failing the test if it throws anything but a RampartError. */
async function onlyRampartErrors(run: () => Promise<unknown>, label: string): Promise<void> {
  try {
    await run();
  } catch (error) {
    assert.ok(isRampartError(error), `${label}: ${String(error)}`);
  }
}

describe('fuzz: random and mutated bytes', () => {
  it('never throws anything but a RampartError (seeded, a few hundred inputs)', async () => {
    const rng = new Rng('table-readers');
    const seeds: [Buffer, string][] = [
      [readFileSync(path.join(fixtures, 'table.csv')), '.csv'],
      [readFileSync(path.join(fixtures, 'table.jsonl')), '.jsonl'],
      [parquet, '.parquet'],
      [arrowFile, '.arrow'],
      [arrowStream, '.arrow'],
    ];
    for (let round = 0; round < 300; round++) {
      const [seed, extension] = rng.pick(seeds);
      let bytes: Buffer;
      if (rng.chance(0.2)) {
        bytes = rng.bytes(rng.int(200));
      } else {
        bytes = Buffer.from(seed);
        for (let flips = 1 + rng.int(8); flips > 0; flips--) {
          const at = rng.int(bytes.length);
          bytes[at] = rng.chance(0.5) ? rng.int(256) : (bytes[at] ?? 0) ^ (1 << rng.int(8));
        }
        if (rng.chance(0.2)) bytes = bytes.subarray(0, rng.int(bytes.length));
      }
      const name = file(bytes, extension);
      await onlyRampartErrors(
        () => readAll(name, { batchRows: 1 + rng.int(9) }),
        `round ${round} ${extension}`,
      );
    }
  });
});
