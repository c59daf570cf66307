import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rampartAsAdmin } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

interface VerifyBody {
  verified: boolean;
  cacheHits: number;
  changed: { path: string }[];
}

async function verify(home: string, ref: string, ...extra: string[]) {
  const run = await rampartAsAdmin(
    ['data', 'verify', ref, ...extra, '--home', home, '--json'],
    home,
  );
  return { code: run.code, body: JSON.parse(run.stdout) as VerifyBody };
}

// Files changed within 2 s of a verify are hashed but not remembered (see folder-cache.ts).
const settle = () => new Promise((resolve) => setTimeout(resolve, 2100));

describe('rampart data verify: the incremental cache', () => {
  it('answers unchanged files from the cache, catches a rewrite with its mtime restored, and --no-cache rehashes', async () => {
    const root = tempDir();
    const home = path.join(root, 'state');
    const folder = path.join(root, 'raw');
    mkdirSync(path.join(folder, 'part'), { recursive: true });
    writeFileSync(path.join(folder, 'a.csv'), 'id,x\n1,2\n');
    writeFileSync(path.join(folder, 'part', 'b.csv'), 'id,x\n3,4\n');
    writeFileSync(path.join(folder, 'part', 'c.csv'), 'id,x\n5,6\n');
    const added = await rampartAsAdmin(
      ['data', 'add', folder, '--name', 'raw', '--home', home],
      home,
    );
    assert.equal(added.code, 0, added.stderr);
    await settle();

    const first = await verify(home, 'raw@1');
    assert.deepEqual([first.code, first.body.verified, first.body.cacheHits], [0, true, 0]);
    const second = await verify(home, 'raw@1');
    assert.deepEqual([second.code, second.body.verified, second.body.cacheHits], [0, true, 3]);
    const cacheDir = path.join(home, 'cache', 'dataset-verify');
    const [cacheFile = ''] = readdirSync(cacheDir);
    assert.equal(statSync(path.join(cacheDir, cacheFile)).mode & 0o777, 0o600);

    const forced = await verify(home, 'raw@1', '--no-cache');
    assert.deepEqual([forced.code, forced.body.cacheHits], [0, 0]);

    // The attacker's move: same size, old mtime put back. The ctime still moves.
    const target = path.join(folder, 'part', 'b.csv');
    const { atime, mtime } = statSync(target);
    writeFileSync(target, 'id,x\n3,5\n');
    utimesSync(target, atime, mtime);
    const tampered = await verify(home, 'raw@1');
    assert.equal(tampered.code, 1);
    assert.equal(tampered.body.verified, false);
    assert.equal(tampered.body.cacheHits, 2);
    assert.deepEqual(
      tampered.body.changed.map((file) => file.path),
      ['part/b.csv'],
    );

    writeFileSync(path.join(cacheDir, cacheFile), '{"version":1,"entries":');
    const corrupt = await verify(home, 'raw@1');
    assert.deepEqual([corrupt.code, corrupt.body.cacheHits], [1, 0]);
    assert.deepEqual(
      corrupt.body.changed.map((file) => file.path),
      ['part/b.csv'],
    );
  });
});
