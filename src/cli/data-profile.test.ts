import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rampart } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

type Json = Record<string, unknown>;
const IRIS = fileURLToPath(new URL('../../../fixtures/demo/iris/iris.csv', import.meta.url));
const lines = readFileSync(IRIS, 'utf8').trim().split('\n');

/** iris with its four measurements scaled by 1.7 (a shift every column test sees). */
function shiftedIris(dir: string): string {
  const file = path.join(dir, 'shifted.csv');
  const scale = (row: string) =>
    row
      .split(',')
      .map((v, i) => (i < 4 ? String(Math.round(Number(v) * 17) / 10) : v))
      .join(',');
  writeFileSync(file, [lines[0], ...lines.slice(1).map(scale)].join('\n') + '\n');
  return file;
}

describe('rampart data profile, and data check against a profile', () => {
  const dir = tempDir();
  const profile = path.join(dir, 'iris.profile.json');

  it('writes a profile and passes the same table checked against it', async () => {
    const wrote = await rampart(['data', 'profile', IRIS, '--out', profile, '--json']);
    assert.equal(wrote.code, 0, wrote.stderr);
    assert.deepEqual(JSON.parse(wrote.stdout), { out: profile, rows: 150, columns: 5 });
    assert.equal((JSON.parse(readFileSync(profile, 'utf8')) as Json).format, 'rampart.profile/v1');
    const printed = await rampart(['data', 'profile', IRIS]);
    assert.equal(printed.code, 0);
    assert.deepEqual(JSON.parse(printed.stdout), JSON.parse(readFileSync(profile, 'utf8')));

    const run = await rampart(['data', 'check', IRIS, '--against', profile, '--json']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const body = JSON.parse(run.stdout) as { drift: Json; poisoning: Json; reference: Json };
    assert.deepEqual(body.reference, { label: profile, rows: 150 });
    assert.equal(body.drift.dataset_drifted, false);
    assert.deepEqual(body.poisoning.signals, []);
    assert.equal(body.poisoning.flagged, false);
    assert.match(String(body.poisoning.skipped), /profile/);

    // The drift document has the shape of a check against the table itself.
    const table = await rampart(['data', 'check', IRIS, '--against', IRIS, '--json']);
    const tableDrift = (JSON.parse(table.stdout) as { drift: Json }).drift;
    assert.deepEqual(Object.keys(body.drift).sort(), Object.keys(tableDrift).sort());
    const shape = (drift: Json) =>
      (drift.columns as Json[]).map((c) => [c.name, c.test, c.threshold, c.drifted]);
    assert.deepEqual(shape(body.drift), shape(tableDrift));
    const tableColumns = tableDrift.columns as Json[];
    (body.drift.columns as Json[]).forEach((column, i) => {
      assert.deepEqual(Object.keys(column).sort(), Object.keys(tableColumns[i] ?? {}).sort());
    });
  });

  it('fails a shifted table against the profile, and still validates a schema', async () => {
    const shifted = shiftedIris(dir);
    const run = await rampart(['data', 'check', shifted, '--against', profile, '--json']);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const drift = (JSON.parse(run.stdout) as { drift: Json }).drift;
    assert.equal(drift.dataset_drifted, true);
    const text = await rampart(['data', 'check', shifted, '--against', profile]);
    assert.match(text.stdout, /^FAILED/);
    assert.match(text.stdout, /poisoning signals: skipped/);

    const schema = path.join(dir, 'iris.schema.yaml');
    assert.equal((await rampart(['data', 'schema', 'infer', IRIS, '--out', schema])).code, 0);
    const checked = await rampart([
      'data',
      'check',
      IRIS,
      '--against',
      profile,
      '--schema',
      schema,
      '--json',
    ]);
    assert.equal(checked.code, 0, checked.stdout);
    assert.equal((JSON.parse(checked.stdout) as { validation: Json }).validation.passed, true);
  });

  it('refuses Evidently mode and malformed profiles as input errors (exit 2)', async () => {
    const evidently = await rampart([
      'data',
      'check',
      IRIS,
      '--against',
      profile,
      '--mode',
      'evidently',
    ]);
    assert.equal(evidently.code, 2);
    assert.match(evidently.stderr, /RAMPART_DATA_CHECK_PROFILE_MODE/);
    const bad = path.join(dir, 'bad.json');
    for (const text of ['{"format": "rampart.profile/v9"}', 'a,b\n1,2\n']) {
      writeFileSync(bad, text);
      const run = await rampart(['data', 'check', IRIS, '--against', bad]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /RAMPART_PROFILE_INVALID/);
    }
    assert.equal((await rampart(['data', 'profile'])).code, 2);
  });
});
