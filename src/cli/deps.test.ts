import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rampart } from '../../testkit/cli.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';

const DB = path.join(sharedRoot, 'data', 'pypa-advisory-db');
const HASH = `--hash=sha256:${'ab'.repeat(32)}`;

function lockfiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

interface Report {
  findings: { kind: string; package: string; advisory?: string; line?: number }[];
  problems: { code?: string; message: string; line?: number }[];
}

describe('rampart deps audit', () => {
  it('exit 1 naming the advisory of a vulnerable pin; text and JSON', async () => {
    const dir = lockfiles({ 'requirements.txt': `# pinned\njinja2==2.10 ${HASH}\n` });
    const json = await rampart(
      ['deps', 'audit', 'requirements.txt', '--db', DB, '--json'],
      {},
      dir,
    );
    assert.equal(json.code, 1, json.stderr);
    const report = JSON.parse(json.stdout) as Report;
    assert.deepEqual(
      report.findings.map((f) => [f.kind, f.package, f.advisory, f.line]),
      [
        ['vulnerable', 'jinja2', 'PYSEC-2019-217', 2],
        ['vulnerable', 'jinja2', 'PYSEC-2021-66', 2],
      ],
    );
    const text = await rampart(
      ['deps', 'audit', 'requirements.txt'],
      { RAMPART_ADVISORY_DB: DB },
      dir,
    );
    assert.equal(text.code, 1);
    assert.match(text.stdout, /VULNERABLE {2}jinja2 2\.10: PYSEC-2019-217 \(CVE-2019-10906/);
  });

  it('exit 0 for a clean, pinned and hashed lockfile; exit 1 for an unpinned one', async () => {
    const dir = lockfiles({
      'requirements.txt': `jinja2==3.1.4 ${HASH}\n`,
      'unpinned.txt': `jinja2>=3 ${HASH}\n`,
    });
    const clean = await rampart(['deps', 'audit', 'requirements.txt', '--db', DB], {}, dir);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /0 finding\(s\), 0 problem\(s\)/);
    const loose = await rampart(['deps', 'audit', 'unpinned.txt', '--db', DB, '--json'], {}, dir);
    assert.equal(loose.code, 1);
    assert.equal((JSON.parse(loose.stdout) as Report).findings[0]?.kind, 'unpinned');
  });

  it('exit 2 for a malformed lockfile, with code and line; a finding elsewhere still wins', async () => {
    const dir = lockfiles({
      'poetry.lock': '[[package]]\nname = "a"\nversion = 1.5\n',
      'requirements.txt': `jinja2==2.10 ${HASH}\n`,
    });
    const bad = await rampart(['deps', 'audit', 'poetry.lock', '--db', DB, '--json'], {}, dir);
    assert.equal(bad.code, 2);
    const problem = (JSON.parse(bad.stdout) as Report).problems[0];
    assert.equal(problem?.code, 'RAMPART_LOCKFILE_INVALID');
    assert.equal(problem.line, 3);
    const both = await rampart(
      ['deps', 'audit', 'poetry.lock', 'requirements.txt', '--db', DB],
      {},
      dir,
    );
    assert.equal(both.code, 1);
    assert.match(both.stdout, /PROBLEM {5}RAMPART_LOCKFILE_INVALID: .*poetry\.lock:3/);
  });

  it('without a database: a usage error saying how to get one', async () => {
    const dir = lockfiles({ 'requirements.txt': 'a==1\n' });
    const run = await rampart(['deps', 'audit', 'requirements.txt'], {}, dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_ADVISORY_DB_MISSING/);
    assert.match(run.stderr, /rampart deps db import/);
    assert.match(run.stderr, /https:\/\/github\.com\/pypa\/advisory-database/);
    const wrong = await rampart(['deps', 'audit', 'requirements.txt', '--db', dir], {}, dir);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /RAMPART_ADVISORY_DB_MISSING/);
    const action = await rampart(['deps', 'fix', 'requirements.txt'], {}, dir);
    assert.equal(action.code, 2);
    assert.match(action.stderr, /unknown action 'fix'/);
  });
});
