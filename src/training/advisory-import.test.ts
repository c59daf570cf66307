import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';
import { AdvisoryDatabase } from './advisory-db.js';
import { importAdvisories } from './advisory-import.js';
import { ImportedAdvisoryDatabase, readAdvisoryIndex } from './advisory-store.js';
import { walkRecords, type RecordEntry } from './advisory-walk.js';
import { auditDependencies, type DependencyAuditReport } from './audit-deps.js';
import { parseLockfile } from './lockfile.js';

const PYPA = path.join(sharedRoot, 'data', 'pypa-advisory-db');
const HASH = `--hash=sha256:${'ab'.repeat(32)}`;
const LIMITS = { maxFiles: 1000, maxRecordBytes: 1024 * 1024, maxDepth: 4 };

function folderOf(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function importFolder(home: string, folder: string, skipInvalid = false) {
  return importAdvisories(walkRecords(folder, LIMITS), {
    home,
    source: { path: folder, kind: 'folder' },
    skipInvalid,
  });
}

async function* entries(list: RecordEntry[]): AsyncGenerator<RecordEntry> {
  for (const entry of list) yield await Promise.resolve(entry);
}

async function drain(walk: AsyncIterable<RecordEntry>): Promise<number> {
  let bytes = 0;
  for await (const entry of walk) bytes += entry.bytes.length;
  return bytes;
}

function vulnerable(report: DependencyAuditReport): string[] {
  return report.findings
    .map((f) => (f.kind === 'vulnerable' ? `${f.package} ${f.version} ${f.advisory}` : ''))
    .filter((s) => s !== '')
    .sort();
}

const YAML_RECORD = `id: TEST-2024-1
modified: 2024-01-01T00:00:00Z
aliases:
- CVE-2024-0001
summary: yaml record
affected:
- package:
    name: Demo_Pkg
    ecosystem: PyPI
  ranges:
  - type: ECOSYSTEM
    events:
    - introduced: "0"
    - fixed: 1.10
`;
const NPM_RECORD = JSON.stringify({
  id: 'GHSA-test-npm1-0001',
  modified: '2024-01-01T00:00:00Z',
  aliases: ['CVE-2021-23337'],
  summary: 'Command injection in lodash',
  affected: [
    {
      package: { name: 'lodash', ecosystem: 'npm' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
  ],
});
const WITHDRAWN = JSON.stringify({
  id: 'TEST-2024-2',
  modified: '2024-01-01T00:00:00Z',
  withdrawn: '2024-02-01T00:00:00Z',
  affected: [{ package: { name: 'demo-pkg', ecosystem: 'PyPI' }, versions: ['1.0'] }],
});
const GO = JSON.stringify({
  id: 'GO-2024-1',
  modified: '2024-01-01T00:00:00Z',
  affected: [{ package: { name: 'example.com/x', ecosystem: 'Go' } }],
});

describe('importAdvisories', () => {
  it('an audit through the imported store finds what the folder finds (jinja2, pillow, torch)', async () => {
    const source = tempDir();
    for (const name of ['jinja2', 'pillow', 'torch'])
      cpSync(path.join(PYPA, 'vulns', name), path.join(source, 'vulns', name), { recursive: true });
    const home = tempDir();
    const { index } = await importFolder(home, source);
    assert.equal(index.packages, 3);
    assert.deepEqual(Object.keys(index.ecosystems), ['PyPI']);
    const lock = parseLockfile(
      `Jinja2==2.10 ${HASH}\nPillow==9.0.0 ${HASH}\ntorch==1.13.0 ${HASH}\nnot-in-the-subset==1.0 ${HASH}\n`,
      'requirements.txt',
    );
    const imported = await ImportedAdvisoryDatabase.open(home);
    assert.ok(imported !== undefined);
    const viaStore = await auditDependencies([lock], imported);
    const viaFolder = await auditDependencies([lock], await AdvisoryDatabase.open(PYPA));
    assert.deepEqual(vulnerable(viaStore), vulnerable(viaFolder));
    assert.ok(vulnerable(viaStore).some((v) => v.startsWith('jinja2 2.10 PYSEC-2019-217')));
    assert.ok(vulnerable(viaStore).some((v) => v.startsWith('pillow 9.0.0 ')));
    assert.ok(vulnerable(viaStore).some((v) => v.startsWith('torch 1.13.0 ')));
    assert.deepEqual(viaStore.problems, []);
    // Per package: the three files that exist were read; the fourth package has none.
    assert.equal(imported.fileCount, 3);
  });

  it('reads YAML and JSON, skips withdrawn and other ecosystems, stores npm by exact name', async () => {
    const source = folderOf({
      'pypi/demo.yaml': YAML_RECORD,
      'npm/lodash.json': NPM_RECORD,
      'pypi/withdrawn.json': WITHDRAWN,
      'go/go.json': GO,
      'README.md': '# not a record',
      '.git/HEAD.json': '{',
    });
    const home = tempDir();
    const { index } = await importFolder(home, source);
    assert.equal(index.records, 2);
    assert.deepEqual(index.ecosystems, { PyPI: 1, npm: 1 });
    assert.equal(index.withdrawn_skipped, 1);
    assert.equal(index.other_ecosystems_skipped, 1);
    assert.match(index.digest, /^sha256:[0-9a-f]{64}$/);
    const database = await ImportedAdvisoryDatabase.open(home);
    assert.ok(database !== undefined);
    const pip = parseLockfile(`demo.pkg==1.9 ${HASH}\n`, 'requirements.txt');
    const npm = parseLockfile(
      JSON.stringify({
        lockfileVersion: 3,
        packages: { 'node_modules/lodash': { version: '4.17.20' } },
      }),
      'package-lock.json',
    );
    const report = await auditDependencies([pip, npm], database);
    // "fixed: 1.10" stayed the string 1.10, so 1.9 is affected.
    assert.deepEqual(vulnerable(report), [
      'demo-pkg 1.9 TEST-2024-1',
      'lodash 4.17.20 GHSA-test-npm1-0001',
    ]);
  });

  it('refuses a malformed record by name and leaves the previous store intact', async () => {
    const home = tempDir();
    await importFolder(home, folderOf({ 'a.yaml': YAML_RECORD }));
    const before = readFileSync(path.join(home, 'advisories', 'index.json'), 'utf8');
    const bad = folderOf({
      'a.yaml': YAML_RECORD,
      'b/broken.json': '{"id": "X-1", "affected": 5}',
    });
    await assert.rejects(
      importFolder(home, bad),
      (error) =>
        isRampartError(error, 'RAMPART_ADVISORY_IMPORT_INVALID') &&
        /b\/broken\.json/.test(error.message),
    );
    await assert.rejects(
      importFolder(home, folderOf({ 'c.yaml': 'id: [unclosed' })),
      (error) =>
        isRampartError(error, 'RAMPART_ADVISORY_IMPORT_INVALID') && /c\.yaml/.test(error.message),
    );
    await assert.rejects(
      importFolder(home, folderOf({ 'd.json': JSON.stringify({ id: 'D-1', affected: [] }) })),
      /no "modified"/,
    );
    assert.equal(readFileSync(path.join(home, 'advisories', 'index.json'), 'utf8'), before);
    const left = readdirSync(path.join(home, 'advisories'));
    assert.equal(left.filter((n) => n.startsWith('.import-')).length, 0);
    assert.equal(left.filter((n) => n.startsWith('snapshot-')).length, 1);
    // --skip-invalid imports the rest and names what it skipped.
    const { index, skipped } = await importFolder(home, bad, true);
    assert.equal(index.records, 1);
    assert.equal(index.invalid_skipped, 1);
    assert.match(skipped[0]?.reason ?? '', /broken\.json/);
  });

  it('a new import replaces the old snapshot; records over the size limit are refused', async () => {
    const home = tempDir();
    await importFolder(home, folderOf({ 'a.yaml': YAML_RECORD }));
    const first = await readAdvisoryIndex(home);
    await importAdvisories(entries([{ name: 'lodash.json', bytes: Buffer.from(NPM_RECORD) }]), {
      home,
      source: { path: 'all.zip', kind: 'zip', digest: `sha256:${'0'.repeat(64)}` },
    });
    const second = await readAdvisoryIndex(home);
    assert.ok(second !== undefined);
    assert.notEqual(second.snapshot, first?.snapshot);
    assert.equal(existsSync(path.join(home, 'advisories', first?.snapshot ?? 'x')), false);
    assert.equal(second.source_kind, 'zip');
    await assert.rejects(
      importAdvisories(entries([{ name: 'big.json', bytes: new Uint8Array(2 * 1024 * 1024) }]), {
        home,
        source: { path: 'x', kind: 'zip' },
      }),
      /big\.json: larger than/,
    );
    assert.equal((await readAdvisoryIndex(home))?.snapshot, second.snapshot);
  });

  it('a damaged index.json is reported, not trusted', async () => {
    const home = tempDir();
    mkdirSync(path.join(home, 'advisories'));
    writeFileSync(path.join(home, 'advisories', 'index.json'), '{"snapshot": "../../etc"}');
    await assert.rejects(ImportedAdvisoryDatabase.open(home), (error) =>
      isRampartError(error, 'RAMPART_ADVISORY_STORE_INVALID'),
    );
    assert.equal(await ImportedAdvisoryDatabase.open(tempDir()), undefined);
  });
});

describe('walkRecords', () => {
  it('does not follow symbolic links, skips hidden entries, and applies its limits', async () => {
    const outside = folderOf({ 'secret.json': NPM_RECORD });
    const source = folderOf({ 'a/one.json': NPM_RECORD, '.hidden/two.json': NPM_RECORD });
    symlinkSync(outside, path.join(source, 'linked'));
    symlinkSync(path.join(outside, 'secret.json'), path.join(source, 'file-link.json'));
    const names: string[] = [];
    for await (const entry of walkRecords(source, LIMITS)) names.push(entry.name);
    assert.deepEqual(names, ['a/one.json']);
    const many = folderOf({ '1.json': '{}', '2.json': '{}', '3.json': '{}' });
    await assert.rejects(
      drain(walkRecords(many, { ...LIMITS, maxFiles: 2 })),
      /more than 2 record files/,
    );
    await assert.rejects(
      drain(walkRecords(many, { ...LIMITS, maxRecordBytes: 1 })),
      /larger than 1 bytes/,
    );
    const deep = folderOf({ 'a/b/c/d/e/f.json': '{}' });
    await assert.rejects(drain(walkRecords(deep, LIMITS)), /nested deeper/);
  });
});
