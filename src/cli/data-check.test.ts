import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { rampart, rampartAsAdmin } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

type Json = Record<string, unknown>;
const IRIS = fileURLToPath(new URL('../../../fixtures/demo/iris/iris.csv', import.meta.url));
const lines = readFileSync(IRIS, 'utf8').trim().split('\n');
const header = lines[0] ?? '';
const rows = lines.slice(1);

/** iris with column `index` (0 sepal_length … 3 petal_width) changed by `f`. */
function variant(dir: string, name: string, f: (cells: string[]) => string[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, [header, ...rows.map((r) => f(r.split(',')).join(','))].join('\n') + '\n');
  return file;
}

describe('rampart data check', () => {
  const dir = tempDir();
  const same = variant(dir, 'same.csv', (c) => c);
  const scaled = (cells: string[]) =>
    cells.map((v, i) => (i < 4 ? String(Math.round(Number(v) * 17) / 10) : v));
  const shifted = variant(dir, 'shifted.csv', scaled);

  it('passes an identical table and prints the documented JSON document', async () => {
    const run = await rampart([
      'data',
      'check',
      same,
      '--against',
      IRIS,
      '--label',
      'species',
      '--json',
    ]);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const body = JSON.parse(run.stdout) as { drift: Json; validation: unknown; poisoning: Json };
    const columns = body.drift.columns as Json[];
    assert.equal(columns.length, 5);
    for (const column of columns) {
      for (const key of ['name', 'test', 'score', 'threshold', 'drifted'])
        assert.ok(key in column, key);
    }
    assert.equal(body.drift.share_drifted, 0);
    assert.equal(body.drift.dataset_drifted, false);
    assert.equal(body.validation, null);
    assert.ok(Array.isArray(body.poisoning.signals));
  });

  it('exits 1 when the dataset drifts, in both modes, and writes an HTML report with charts', async () => {
    for (const mode of ['strict', 'evidently']) {
      const run = await rampart([
        'data',
        'check',
        shifted,
        '--against',
        IRIS,
        '--mode',
        mode,
        '--json',
      ]);
      assert.equal(run.code, 1, `${mode}: ${run.stdout}`);
      const drift = (JSON.parse(run.stdout) as { drift: Json }).drift;
      assert.equal(drift.dataset_drifted, true, mode);
    }
    const html = await rampart(['data', 'check', shifted, '--against', IRIS, '--format', 'html']);
    assert.equal(html.code, 1);
    assert.match(html.stdout, /^<!doctype html>/);
    assert.equal((html.stdout.match(/<svg role="img"/g) ?? []).length, 5);
    const bad = await rampart(['data', 'check', same, '--against', IRIS, '--mode', 'loose']);
    assert.equal(bad.code, 2);
  });

  it('infers a schema people can edit, and fails a table that breaks it', async () => {
    const schema = path.join(dir, 'iris.schema.yaml');
    const inferred = await rampart(['data', 'schema', 'infer', IRIS, '--out', schema]);
    assert.equal(inferred.code, 0, inferred.stderr);
    assert.match(readFileSync(schema, 'utf8'), /format: rampart.schema\/v1/);
    const ok = await rampart([
      'data',
      'check',
      same,
      '--against',
      IRIS,
      '--schema',
      schema,
      '--json',
    ]);
    assert.equal(ok.code, 0, ok.stdout);
    const newSpecies = variant(dir, 'new.csv', (c) =>
      c[4] === 'setosa' ? [...c.slice(0, 4), 'unicorn'] : c,
    );
    const broken = await rampart([
      'data',
      'check',
      newSpecies,
      '--against',
      IRIS,
      '--schema',
      schema,
      '--json',
    ]);
    assert.equal(broken.code, 1);
    const validation = (
      JSON.parse(broken.stdout) as { validation: { passed: boolean; failures: Json[] } }
    ).validation;
    assert.equal(validation.passed, false);
    assert.ok(validation.failures.some((f) => String(f.path).startsWith('columns.species')));
  });

  it('checks against a registered dataset version, verified first, and audits the check', async () => {
    const home = path.join(dir, 'home');
    const data = path.join(dir, 'ref');
    mkdirSync(data);
    writeFileSync(path.join(data, 'iris.csv'), readFileSync(IRIS));
    const added = await rampartAsAdmin(
      ['data', 'add', data, '--name', 'iris', '--home', home],
      home,
    );
    assert.equal(added.code, 0, added.stderr);
    const run = await rampartAsAdmin(
      ['data', 'check', same, '--against', 'iris@1', '--home', home, '--json'],
      home,
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((JSON.parse(run.stdout) as { reference: Json }).reference.label, 'iris@1');
    const tail = await rampartAsAdmin(
      ['audit', 'tail', '--count', '3', '--home', home, '--json'],
      home,
    );
    assert.ok(tail.stdout.includes('dataset.check'));
    // A tampered reference is never trusted.
    writeFileSync(path.join(data, 'iris.csv'), readFileSync(shifted));
    const refused = await rampartAsAdmin(
      ['data', 'check', same, '--against', 'iris@1', '--home', home, '--json'],
      home,
    );
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /RAMPART_DATA_REFERENCE_UNVERIFIED/);
  });

  it('enforces a dataset policy: a new version must pass the check against the latest one', async () => {
    const home = path.join(dir, 'policy-home');
    assert.equal((await rampartAsAdmin(['principal', 'list', '--home', home], home)).code, 0);
    const config = path.join(home, 'rampart.yaml');
    const policy = 'datasets:\n  policies:\n    flowers:\n      label: species\n';
    writeFileSync(
      config,
      readFileSync(config, 'utf8').replace(/^datasets:\n {2}policies: \{\}\n/m, policy),
    );
    assert.match(readFileSync(config, 'utf8'), /flowers/);
    const folder = (name: string, file: string) => {
      const where = path.join(dir, name);
      mkdirSync(where);
      writeFileSync(path.join(where, 'iris.csv'), readFileSync(file));
      return where;
    };
    const add = (where: string) =>
      rampartAsAdmin(['data', 'add', where, '--name', 'flowers', '--home', home, '--json'], home);
    assert.equal((await add(folder('v1', IRIS))).code, 0);
    const refused = await add(folder('v2-shifted', shifted));
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stdout, /RAMPART_DATASET_REFUSED/);
    const reordered = path.join(dir, 'reordered.csv');
    writeFileSync(reordered, [header, ...rows.slice().reverse()].join('\n') + '\n');
    const accepted = await add(folder('v2-reordered', reordered));
    assert.equal(accepted.code, 0, accepted.stdout);
    assert.equal((JSON.parse(accepted.stdout) as { version: number }).version, 2);
  });
});
