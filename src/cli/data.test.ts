import assert from 'node:assert/strict';
import {
  chmodSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rampartAsAdmin, type CliRun } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

const MIB = 1024 * 1024;

/** `rampart data ... --home <home> --json`, parsed. */
async function data(
  home: string,
  args: string[],
): Promise<CliRun & { body: Record<string, unknown> }> {
  const run = await rampartAsAdmin(['data', ...args, '--home', home, '--json'], home);
  return { ...run, body: JSON.parse(run.stdout) as Record<string, unknown> };
}

const text = (home: string, args: string[]) =>
  rampartAsAdmin(['data', ...args, '--home', home], home);
const errorCode = (run: { body: Record<string, unknown> }) =>
  (run.body.error as { code: string }).code;

/** A dataset folder with two small files. */
function smallDataset(root: string, name = 'raw'): string {
  const folder = path.join(root, name);
  mkdirSync(path.join(folder, 'part'), { recursive: true });
  writeFileSync(path.join(folder, 'a.csv'), 'id,x\n1,2\n');
  writeFileSync(path.join(folder, 'part', 'b.csv'), 'id,x\n3,4\n');
  return folder;
}

async function versionCount(home: string): Promise<number> {
  const run = await data(home, ['list']);
  return (run.body.datasets as { versions: unknown[] }[]).reduce(
    (n, d) => n + d.versions.length,
    0,
  );
}

describe('rampart data', () => {
  it('adds a version with provenance, refuses to duplicate it, lists and shows it', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const folder = smallDataset(root);
    const args = [
      'add',
      folder,
      '--name',
      'raw',
      '--source',
      's3://corp/raw',
      '--collected-at',
      '2026-03-01',
    ];
    const added = await data(home, [...args, '--transform', 'dedupe', '--transform', 'drop PII']);
    assert.equal(added.code, 0, added.stdout);
    assert.deepEqual(
      [added.body.label, added.body.created, added.body.fileCount],
      ['raw@1', true, 2],
    );
    const again = await text(home, ['add', folder, '--name', 'raw']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /raw@1 already has this content .*no new version/);
    assert.equal(await versionCount(home), 1);

    const shown = await data(home, ['show', 'raw']);
    assert.equal(shown.code, 0);
    const provenance = shown.body.provenance as Record<string, unknown>;
    assert.equal(provenance.source, 's3://corp/raw');
    assert.equal(provenance.collectedAt, '2026-03-01T00:00:00.000Z');
    assert.deepEqual(provenance.transforms, ['dedupe', 'drop PII']);
    assert.deepEqual(provenance.registeredBy, { subject: 'admin', type: 'human' });
    assert.deepEqual(shown.body.signature, { verified: true });
    const receipts = shown.body.auditReceipts as { action: string; index: number }[];
    assert.deepEqual(
      receipts.map((r) => r.action),
      ['dataset.add', 'dataset.add'],
      'the add and the repeated add each keep their audit receipt',
    );
    assert.equal(receipts[0]?.index, (added.body.audit as { index: number }).index);
    const byDigest = await data(home, ['show', `raw@${String(added.body.digest)}`]);
    assert.equal(byDigest.body.label, 'raw@1');
    const listed = await text(home, ['list']);
    assert.match(listed.stdout, /^raw\n {2}@1 {2}sha256:[0-9a-f]{64} {2}2 files/);

    const tail = await rampartAsAdmin(['audit', 'tail', '--home', home, '--json'], home);
    const entries = (
      JSON.parse(tail.stdout) as {
        entries: {
          event: { action: string; actor: { subject: string }; resource: { id: string } };
        }[];
      }
    ).entries;
    // Both adds are audited, and so is every read (list, show) as a dataset.read decision.
    const digest = String(added.body.digest);
    assert.deepEqual(
      entries
        .filter((e) => e.event.action.startsWith('dataset.'))
        .map((e) => [e.event.action, e.event.resource.id, e.event.actor.subject]),
      [
        ['dataset.add', 'raw@1', 'admin'],
        ['dataset.add', 'raw@1', 'admin'],
        ['dataset.read', '*', 'admin'],
        ['dataset.read', 'raw', 'admin'],
        ['dataset.read', `raw@${digest}`, 'admin'],
        ['dataset.read', '*', 'admin'],
      ],
    );
  });

  it('verifies, then names every changed byte range, missing and added file', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const folder = smallDataset(root);
    // 65 MiB + 100 bytes: chunks [0, 64 MiB) and [64 MiB, 65 MiB + 100) at the default size.
    const big = path.join(folder, 'big.bin');
    writeFileSync(big, Buffer.alloc(65 * MIB + 100, 7));
    assert.equal((await data(home, ['add', folder, '--name', 'raw'])).code, 0);
    const clean = await data(home, ['verify', 'raw@1']);
    assert.equal(clean.code, 0, clean.stdout);
    assert.equal(clean.body.verified, true);

    const fd = openSync(big, 'r+');
    writeSync(fd, Buffer.from([8]), 0, 1, 64 * MIB + 5);
    closeSync(fd);
    rmSync(path.join(folder, 'part', 'b.csv'));
    writeFileSync(path.join(folder, 'new.csv'), '');
    const failed = await data(home, ['verify', 'raw']);
    assert.equal(failed.code, 1, failed.stdout);
    assert.equal(failed.body.verified, false);
    const changed = failed.body.changed as { path: string; ranges: unknown }[];
    assert.deepEqual(
      changed.map((c) => [c.path, c.ranges]),
      [['big.bin', [{ start: 64 * MIB, end: 65 * MIB + 100 }]]],
    );
    assert.deepEqual(failed.body.missing, ['part/b.csv']);
    assert.deepEqual(failed.body.added, ['new.csv']);
    const human = await text(home, ['verify', 'raw@1']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /changed {2}big\.bin {2}bytes \[67108864, 68157540\)/);
    assert.match(human.stdout, /missing {2}part\/b\.csv/);
    assert.match(human.stdout, /added {4}new\.csv/);

    const copy = smallDataset(root, 'copy');
    const elsewhere = await data(home, ['verify', 'raw@1', copy]);
    assert.equal(elsewhere.code, 1);
    assert.deepEqual(elsewhere.body.missing, ['big.bin']);
  });

  it('fails verify and show when the stored provenance envelope is forged', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const folder = smallDataset(root);
    assert.equal(
      (await data(home, ['add', folder, '--name', 'raw', '--source', 's3://a/b'])).code,
      0,
    );
    const db = new Database(path.join(home, 'rampart.db'));
    try {
      const row = db.prepare('SELECT provenance FROM dataset_versions').get() as {
        provenance: string;
      };
      const envelope = JSON.parse(row.provenance) as { payload: string };
      const forged = Buffer.from(envelope.payload, 'base64')
        .toString('utf8')
        .replace('s3://a/b', 's3://x/y');
      envelope.payload = Buffer.from(forged).toString('base64');
      db.prepare('UPDATE dataset_versions SET provenance = ?').run(JSON.stringify(envelope));
    } finally {
      db.close();
    }
    const verified = await data(home, ['verify', 'raw@1']);
    assert.equal(verified.code, 1);
    assert.equal(
      (verified.body.provenance as { error: { code: string } }).error.code,
      'RAMPART_SIGNATURE_INVALID',
    );
    assert.deepEqual(
      [verified.body.changed, verified.body.missing, verified.body.added],
      [[], [], []],
    );
    const shown = await data(home, ['show', 'raw@1']);
    assert.equal(shown.code, 1);
    assert.equal(shown.body.provenance, null);
  });

  it('fails verify when the stored manifest is edited', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const folder = smallDataset(root);
    assert.equal((await data(home, ['add', folder, '--name', 'raw'])).code, 0);
    const db = new Database(path.join(home, 'rampart.db'));
    try {
      db.prepare(
        'UPDATE dataset_versions SET manifest = replace(manifest, \'"size":9\', \'"size":10\')',
      ).run();
    } finally {
      db.close();
    }
    const run = await data(home, ['verify', 'raw@1']);
    assert.equal(run.code, 1);
    assert.equal(errorCode(run), 'RAMPART_DATASET_RECORD_INVALID');
  });

  it('walks the lineage back to the sources, as a tree and as nested JSON', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const raw = smallDataset(root, 'raw');
    const labels = smallDataset(root, 'labels');
    writeFileSync(path.join(labels, 'a.csv'), 'id,label\n1,spam\n');
    assert.equal(
      (await data(home, ['add', raw, '--name', 'raw', '--source', 'https://example.org/raw'])).code,
      0,
    );
    assert.equal((await data(home, ['add', labels, '--name', 'labels'])).code, 0);
    const clean = path.join(raw, 'a.csv');
    const args = ['add', clean, '--name', 'train', '--parent', 'raw@1', '--parent', 'labels@1'];
    assert.equal((await data(home, [...args, '--transform', 'join'])).code, 0);
    const tree = await data(home, ['lineage', 'train@1']);
    assert.equal(tree.code, 0);
    const parents = tree.body.parents as {
      label: string;
      source: string | null;
      parents: unknown[];
    }[];
    assert.deepEqual(
      parents.map((p) => [p.label, p.source, p.parents]),
      [
        ['raw@1', 'https://example.org/raw', []],
        ['labels@1', null, []],
      ],
    );
    const human = await text(home, ['lineage', 'train@1']);
    assert.match(
      human.stdout,
      /^train@1 {2}sha256:\S+\n├─ raw@1 {2}sha256:\S+ {2}source https:\/\/example\.org\/raw\n└─ labels@1 /,
    );
  });

  it('refuses bad input with exit 2 and stores nothing', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const folder = smallDataset(root);
    const refusals: [string[], string][] = [
      [['add', folder, '--name', 'Bad_Name'], 'RAMPART_DATASET_NAME_INVALID'],
      [
        ['add', folder, '--name', 'raw', '--collected-at', '2026-02-30'],
        'RAMPART_DATASET_INPUT_INVALID',
      ],
      [
        ['add', folder, '--name', 'raw', '--collected-at', 'yesterday'],
        'RAMPART_DATASET_INPUT_INVALID',
      ],
      [['add', folder, '--name', 'raw', '--source', 'not a uri'], 'RAMPART_DATASET_INPUT_INVALID'],
      [['add', folder, '--name', 'raw', '--parent', 'nope@1'], 'RAMPART_DATASET_NOT_FOUND'],
      [['add', folder, '--name', 'raw', '--parent', 'nope'], 'RAMPART_DATASET_NAME_INVALID'],
      [['add', folder], 'RAMPART_USAGE'],
      [['add', path.join(root, 'missing'), '--name', 'raw'], 'RAMPART_FILE_NOT_FOUND'],
      [['verify', 'raw@3'], 'RAMPART_DATASET_NOT_FOUND'],
      [['show', 'raw@0'], 'RAMPART_DATASET_NAME_INVALID'],
      [['frobnicate'], 'RAMPART_USAGE'],
    ];
    for (const [args, code] of refusals) {
      const run = await data(home, args);
      assert.deepEqual([run.code, errorCode(run)], [2, code], args.join(' '));
    }
    const link = path.join(root, 'link');
    symlinkSync(folder, link);
    const linkedRoot = await data(home, ['add', link, '--name', 'raw']);
    assert.deepEqual(
      [linkedRoot.code, errorCode(linkedRoot)],
      [2, 'RAMPART_FILE_TYPE_UNSUPPORTED'],
    );
    symlinkSync('/etc/hostname', path.join(folder, 'escape'));
    const linkedFile = await data(home, ['add', folder, '--name', 'raw']);
    assert.deepEqual(
      [linkedFile.code, errorCode(linkedFile)],
      [2, 'RAMPART_FILE_TYPE_UNSUPPORTED'],
    );
    rmSync(path.join(folder, 'escape'));
    if (process.getuid?.() !== 0) {
      chmodSync(path.join(folder, 'a.csv'), 0o000);
      const unreadable = await data(home, ['add', folder, '--name', 'raw']);
      assert.deepEqual([unreadable.code, errorCode(unreadable)], [2, 'RAMPART_FILE_UNREADABLE']);
      chmodSync(path.join(folder, 'a.csv'), 0o644);
    }
    assert.equal(await versionCount(home), 0);
  });
});
