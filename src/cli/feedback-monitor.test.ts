import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RecordBuilder } from '../monitor/index.js';
import { rampartAsAdmin } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

type Json = Record<string, unknown>;
const IRIS = fileURLToPath(new URL('../../../fixtures/demo/iris/iris.csv', import.meta.url));

describe('rampart feedback add', () => {
  it('accepts clean feedback as a child dataset version and refuses a label-flip injection', async () => {
    const root = tempDir();
    const home = path.join(root, 'home');
    const ref = path.join(root, 'ref');
    mkdirSync(ref);
    writeFileSync(path.join(ref, 'iris.csv'), readFileSync(IRIS));
    assert.equal(
      (await rampartAsAdmin(['data', 'add', ref, '--name', 'iris', '--home', home], home)).code,
      0,
    );
    const [header = '', ...rows] = readFileSync(IRIS, 'utf8').trim().split('\n');
    const clean = path.join(root, 'clean.csv');
    writeFileSync(clean, [header, ...rows.filter((_, i) => i % 2 === 0)].join('\n') + '\n');
    const add = (file: string) =>
      rampartAsAdmin(
        [
          'feedback',
          'add',
          file,
          '--model',
          'demo',
          '--against',
          'iris@1',
          '--label',
          'species',
          '--home',
          home,
          '--json',
        ],
        home,
      );
    const accepted = await add(clean);
    assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
    const body = JSON.parse(accepted.stdout) as { accepted: boolean; version: Json };
    assert.equal(body.version.label, 'iris-feedback@1');
    const lineage = await rampartAsAdmin(
      ['data', 'lineage', 'iris-feedback@1', '--home', home, '--json'],
      home,
    );
    assert.match(lineage.stdout, /iris@1/);

    // The attack: copies of reference rows with the label changed (label flipping).
    const flipped = rows
      .slice(0, 40)
      .map((r) => r.replace(/setosa$/, 'virginica').replace(/versicolor$/, 'setosa'));
    const poisoned = path.join(root, 'poisoned.csv');
    writeFileSync(
      poisoned,
      [header, ...rows.filter((_, i) => i % 2 === 1), ...flipped].join('\n') + '\n',
    );
    const refused = await add(poisoned);
    assert.equal(refused.code, 1, refused.stdout);
    const check = (JSON.parse(refused.stdout) as { check: { poisoning: { signals: Json[] } } })
      .check;
    assert.ok(check.poisoning.signals.some((s) => s.name === 'label_flips' && s.flagged === true));
    const list = await rampartAsAdmin(
      ['data', 'show', 'iris-feedback', '--home', home, '--json'],
      home,
    );
    assert.equal(
      (JSON.parse(list.stdout) as { sequence: number }).sequence,
      1,
      'no second version',
    );
    const tail = await rampartAsAdmin(
      ['audit', 'tail', '--count', '5', '--home', home, '--json'],
      home,
    );
    assert.match(tail.stdout, /feedback\.add/);
  });
});

describe('rampart monitor labels', () => {
  it('joins delayed labels with the inference log and fails under --min-accuracy', async () => {
    const root = tempDir();
    const home = path.join(root, 'home');
    const builder = new RecordBuilder('rampart://test', { mode: 'none' });
    const records = path.join(root, 'inference.jsonl');
    writeFileSync(
      records,
      [0, 1, 2]
        .map((predicted, i) =>
          JSON.stringify(
            builder.build({
              requestId: `r${i}`,
              model: 'demo',
              version: '1',
              principal: 'c',
              latencyMs: 1,
              status: 200,
              predicted,
            }),
          ),
        )
        .join('\n') + '\n',
    );
    const labels = path.join(root, 'labels.csv');
    writeFileSync(labels, 'request_id,label\nr0,0\nr1,1\nr2,1\nr9,0\n');
    const run = (extra: string[]) =>
      rampartAsAdmin(
        ['monitor', 'labels', labels, '--records', records, '--home', home, '--json', ...extra],
        home,
      );
    const ok = await run([]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const report = JSON.parse(ok.stdout) as {
      matched: number;
      unmatched: number;
      accuracy: number;
    };
    assert.deepEqual([report.matched, report.unmatched], [3, 1]);
    assert.ok(Math.abs(report.accuracy - 2 / 3) < 1e-9);
    const low = await run(['--min-accuracy', '0.9']);
    assert.equal(low.code, 1);
  });
});
