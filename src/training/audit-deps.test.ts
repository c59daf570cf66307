import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { sharedRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';
import { AdvisoryDatabase } from './advisory-db.js';
import { auditDependencies, type DependencyFinding } from './audit-deps.js';
import { parseLockfile } from './lockfile.js';

const PYPA = path.join(sharedRoot, 'data', 'pypa-advisory-db');
const HASH = `--hash=sha256:${'ab'.repeat(32)}`;

async function audit(requirements: string, db = PYPA) {
  const database = await AdvisoryDatabase.open(db);
  const lockfile = parseLockfile(requirements, 'requirements.txt');
  return { report: await auditDependencies([lockfile], database), database };
}

function advisoriesOf(findings: readonly DependencyFinding[], pkg: string): string[] {
  return findings
    .filter((f) => f.kind === 'vulnerable' && f.package === pkg)
    .map((f) => (f.kind === 'vulnerable' ? f.advisory : ''))
    .sort();
}

describe('auditDependencies against the PyPA advisory database', () => {
  it('flags a vulnerable jinja2 pin with the right advisories, aliases and fixes', async () => {
    const { report, database } = await audit(`Jinja2==2.10 ${HASH}\n`);
    assert.deepEqual(advisoriesOf(report.findings, 'jinja2'), ['PYSEC-2019-217', 'PYSEC-2021-66']);
    const first = report.findings.find(
      (f) => f.kind === 'vulnerable' && f.advisory === 'PYSEC-2019-217',
    );
    assert.ok(first?.kind === 'vulnerable');
    assert.deepEqual(first.aliases, ['CVE-2019-10906', 'GHSA-462w-v97r-4m45']);
    assert.deepEqual(first.fixed, ['2.10.1']);
    assert.equal(first.line, 1);
    assert.match(first.summary, /sandbox escape/);
    // Lazy: only jinja2's five records were read, not the ~2,660 of the database.
    assert.equal(database.recordCount, 5);
    assert.equal(report.problems.length, 0);
  });

  it('a fixed version is clean', async () => {
    const { report } = await audit(`jinja2==2.11.3 ${HASH}\npillow==10.4.0 ${HASH}\n`);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.problems, []);
    assert.equal(report.packagesChecked, 2);
  });

  it('old pillow is flagged by many advisories, each with a fixed version', async () => {
    const { report } = await audit(`pillow==6.2.0 ${HASH}\n`);
    const ids = advisoriesOf(report.findings, 'pillow');
    assert.ok(ids.length >= 10, ids.join(' '));
    assert.ok(ids.includes('PYSEC-2020-172'), ids.join(' '));
  });

  it('last_affected ranges (py <= 1.11.0) and pre-release ranges (borgbackup 1.1.0b1..1.1.3)', async () => {
    const { report } = await audit(
      [`py==1.11.0 ${HASH}`, `borgbackup==1.1.0rc1 ${HASH}`].join('\n'),
    );
    assert.ok(advisoriesOf(report.findings, 'py').includes('PYSEC-2022-42969'));
    assert.ok(advisoriesOf(report.findings, 'borgbackup').includes('PYSEC-2018-105'));
    const later = await audit([`py==1.11.1 ${HASH}`, `borgbackup==1.1.0a5 ${HASH}`].join('\n'));
    assert.ok(!advisoriesOf(later.report.findings, 'py').includes('PYSEC-2022-42969'));
    assert.ok(!advisoriesOf(later.report.findings, 'borgbackup').includes('PYSEC-2018-105'));
  });

  it('skips withdrawn advisories (redis PYSEC-2023-73)', async () => {
    const { report } = await audit(`redis==2.0.0 ${HASH}\n`);
    assert.ok(!advisoriesOf(report.findings, 'redis').includes('PYSEC-2023-73'));
    assert.ok(report.withdrawnSkipped >= 1);
  });

  it('reports unpinned and hash-less dependencies', async () => {
    const { report } = await audit('requests>=2.0\nnumpy==2.1.0\n');
    const kinds = report.findings.map((f) => `${f.kind}:${f.package}`).sort();
    assert.deepEqual(kinds, ['unhashed:numpy', 'unhashed:requests', 'unpinned:requests']);
  });
});

describe('AdvisoryDatabase', () => {
  function osvFolder(records: Record<string, unknown>): string {
    const root = tempDir();
    for (const [file, doc] of Object.entries(records)) {
      mkdirSync(path.dirname(path.join(root, 'vulns', file)), { recursive: true });
      writeFileSync(
        path.join(root, 'vulns', file),
        typeof doc === 'string' ? doc : JSON.stringify(doc),
      );
    }
    return root;
  }

  it('reads OSV JSON with epochs and matches folder names in any PEP 503 spelling', async () => {
    const root = osvFolder({
      'Zope.Interface/OSV-1.json': {
        id: 'OSV-1',
        affected: [
          {
            package: { name: 'zope_interface', ecosystem: 'PyPI' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1!0' }, { fixed: '1!2.0' }] }],
          },
        ],
      },
    });
    const { report } = await audit(
      `zope-interface==1!1.5 ${HASH}\nzope.interface==5.0 ${HASH}\n`,
      root,
    );
    assert.deepEqual(
      report.findings.map((f) => `${f.package} ${f.version ?? ''}`),
      ['zope-interface 1!1.5'],
    );
  });

  it('keeps YAML scalars as strings: fixed 1.10 is not the number 1.1', async () => {
    const root = osvFolder({
      'pkg/A.yaml': [
        'id: A',
        'affected:',
        '- package: {name: pkg, ecosystem: PyPI}',
        '  ranges:',
        '  - type: ECOSYSTEM',
        '    events: [{introduced: 0}, {fixed: 1.10}]',
      ].join('\n'),
    });
    const { report } = await audit(`pkg==1.2 ${HASH}\n`, root);
    assert.equal(report.findings.length, 1);
  });

  it('an oversized or malformed record is a problem naming the file, not a silent pass', async () => {
    const root = osvFolder({
      'pkg/BIG.json': { id: 'BIG', details: 'x'.repeat(4096), affected: [] },
      'pkg/BAD.yaml': 'id: [unclosed',
    });
    const database = await AdvisoryDatabase.open(root, { maxRecordBytes: 1024 });
    const report = await auditDependencies(
      [parseLockfile(`pkg==1.0 ${HASH}`, 'requirements.txt')],
      database,
    );
    assert.deepEqual(
      report.problems.map((p) => [p.code, path.basename(p.message.split(':')[0] ?? '')]),
      [
        ['RAMPART_ADVISORY_INVALID', 'BAD.yaml'],
        ['RAMPART_ADVISORY_INVALID', 'BIG.json'],
      ],
    );
  });

  it('refuses a path that is not an advisory folder', async () => {
    for (const root of [path.join(tempDir(), 'missing'), tempDir()]) {
      await assert.rejects(AdvisoryDatabase.open(root), (e) =>
        isRampartError(e, 'RAMPART_ADVISORY_DB_MISSING'),
      );
    }
  });
});
