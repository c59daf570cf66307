import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { crc32, deflateRawSync } from 'node:zlib';
import { rampart } from '../../testkit/cli.js';
import { sharedRoot } from '../../testkit/paths.js';

import { tempDir } from '../../testkit/tmp.js';

/** `rampart deps db import …` with the admin token of the `--home` in args (created if needed). */
async function importAsAdmin(args: string[], env: Record<string, string> = {}, cwd?: string) {
  const home = args[args.indexOf('--home') + 1] ?? '';
  const tokenFile = path.join(home, 'admin.token');
  if (!existsSync(tokenFile)) assert.equal((await rampart(['init', '--home', home])).code, 0);
  const token = readFileSync(tokenFile, 'utf8').trim();
  return rampart(args, { RAMPART_TOKEN: token, ...env }, cwd);
}

const PYPA = path.join(sharedRoot, 'data', 'pypa-advisory-db');
const HASH = `--hash=sha256:${'ab'.repeat(32)}`;

// A minimal zip writer (deflate members); `hidden` members get no central directory entry.
function zip(members: { name: string; text: string; hidden?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, text, hidden } of members) {
    const data = Buffer.from(text);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc32(data), 14);
    header.writeUInt32LE(packed.length, 18);
    header.writeUInt32LE(data.length, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    locals.push(header, nameBytes, packed);
    if (!hidden) {
      const central = Buffer.alloc(46);
      central.writeUInt32LE(0x02014b50, 0);
      central.writeUInt16LE(20, 4);
      central.writeUInt16LE(20, 6);
      central.writeUInt16LE(8, 10);
      central.writeUInt32LE(crc32(data), 16);
      central.writeUInt32LE(packed.length, 20);
      central.writeUInt32LE(data.length, 24);
      central.writeUInt16LE(nameBytes.length, 28);
      central.writeUInt32LE(offset, 42);
      centrals.push(central, nameBytes);
    }
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  const count = members.filter((m) => m.hidden !== true).length;
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const LODASH = JSON.stringify({
  id: 'GHSA-35jh-r3h4-6jhm',
  modified: '2024-01-01T00:00:00Z',
  aliases: ['CVE-2021-23337'],
  summary: 'Command Injection in lodash',
  affected: [
    {
      package: { name: 'lodash', ecosystem: 'npm' },
      ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '4.17.21' }] }],
    },
  ],
});
const DEMO_YAML = `id: TEST-1\nmodified: 2024-01-01T00:00:00Z\naffected:\n- package:\n    name: demo\n    ecosystem: PyPI\n  versions:\n  - "1.0"\n`;

interface Finding {
  kind: string;
  package: string;
  advisory?: string;
}

describe('rampart deps db', () => {
  it('imports a folder; status shows the index; audit uses it by default with the same findings as --db', async () => {
    const source = tempDir();
    for (const name of ['jinja2', 'pillow', 'torch'])
      cpSync(path.join(PYPA, 'vulns', name), path.join(source, 'vulns', name), { recursive: true });
    const home = tempDir();
    const imported = await importAsAdmin([
      'deps',
      'db',
      'import',
      source,
      '--home',
      home,
      '--json',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    const { index } = JSON.parse(imported.stdout) as {
      index: { packages: number; digest: string };
    };
    assert.equal(index.packages, 3);
    // Importing decides what every audit trusts: it needs a token with advisories.import.
    const anonymous = await rampart(['deps', 'db', 'import', source, '--home', home]);
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /RAMPART_UNAUTHENTICATED/);
    const status = await rampart(['deps', 'db', 'status', '--home', home]);
    assert.equal(status.code, 0);
    assert.match(status.stdout, /for 3 packages/);
    assert.ok(status.stdout.includes(index.digest));

    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'requirements.txt'),
      `jinja2==2.10 ${HASH}\npillow==9.0.0 ${HASH}\ntorch==1.13.0 ${HASH}\n`,
    );
    const viaStore = await rampart(
      ['deps', 'audit', 'requirements.txt', '--home', home, '--json'],
      {},
      dir,
    );
    const viaDb = await rampart(
      ['deps', 'audit', 'requirements.txt', '--db', PYPA, '--json'],
      {},
      dir,
    );
    assert.equal(viaStore.code, 1, viaStore.stderr);
    const found = (run: { stdout: string }): string[] =>
      (JSON.parse(run.stdout) as { findings: Finding[] }).findings.map(
        (f) => `${f.package} ${f.advisory ?? ''}`,
      );
    assert.deepEqual(found(viaStore), found(viaDb));
    assert.ok(found(viaStore).includes('jinja2 PYSEC-2019-217'));
    const described = (
      JSON.parse(viaStore.stdout) as { advisoryDatabase: { kind: string; digest: string } }
    ).advisoryDatabase;
    assert.deepEqual([described.kind, described.digest], ['imported', index.digest]);
  });

  it('imports an osv.dev-style zip (JSON and YAML members) and audits a package-lock.json against it', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'all.zip'),
      zip([
        { name: 'GHSA-35jh-r3h4-6jhm.json', text: LODASH },
        { name: 'TEST-1.yaml', text: DEMO_YAML },
        { name: 'README.txt', text: 'not a record' },
      ]),
    );
    const home = path.join(dir, 'home');
    const imported = await importAsAdmin(
      ['deps', 'db', 'import', 'all.zip', '--home', home, '--json'],
      {},
      dir,
    );
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);
    const { index } = JSON.parse(imported.stdout) as {
      index: { records: number; ecosystems: object; source_digest: string; ignored_files: number };
    };
    assert.equal(index.records, 2);
    assert.deepEqual(index.ecosystems, { npm: 1, PyPI: 1 });
    assert.match(index.source_digest, /^sha256:/);
    assert.equal(index.ignored_files, 1);
    writeFileSync(
      path.join(dir, 'package-lock.json'),
      JSON.stringify(
        {
          lockfileVersion: 3,
          packages: {
            '': { name: 'app' },
            'node_modules/lodash': {
              version: '4.17.20',
              resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz',
              integrity: `sha512-${Buffer.alloc(64, 1).toString('base64')}`,
            },
            'node_modules/g': { version: '1.0.0', resolved: 'git+https://github.com/o/g.git#abc' },
          },
        },
        null,
        2,
      ),
    );
    const text = await rampart(['deps', 'audit', 'package-lock.json', '--home', home], {}, dir);
    assert.equal(text.code, 1);
    assert.match(
      text.stdout,
      /VULNERABLE {2}lodash 4\.17\.20: GHSA-35jh-r3h4-6jhm \(CVE-2021-23337\), fixed in 4\.17\.21/,
    );
    assert.match(text.stdout, /NOT REGISTRY {2}g 1\.0\.0 \(git source/);
    assert.match(text.stdout, /NO HASH {5}g 1\.0\.0/);
  });

  it('refuses a zip with a member hidden from the central directory, and a malformed record', async () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'hidden.zip'),
      zip([
        { name: 'a.json', text: LODASH },
        { name: 'b.json', text: LODASH, hidden: true },
      ]),
    );
    writeFileSync(
      path.join(dir, 'bad.zip'),
      zip([
        { name: 'a.json', text: LODASH },
        { name: 'broken.yaml', text: 'id: [' },
      ]),
    );
    const home = path.join(dir, 'home');
    const hidden = await importAsAdmin(
      ['deps', 'db', 'import', 'hidden.zip', '--home', home],
      {},
      dir,
    );
    assert.equal(hidden.code, 2);
    assert.match(hidden.stderr, /RAMPART_ADVISORY_IMPORT_INVALID/);
    assert.match(hidden.stderr, /central directory/);
    const bad = await importAsAdmin(['deps', 'db', 'import', 'bad.zip', '--home', home], {}, dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /broken\.yaml/);
    const status = await rampart(['deps', 'db', 'status', '--home', home]);
    assert.equal(status.code, 2, 'nothing was imported');
    const skipping = await importAsAdmin(
      ['deps', 'db', 'import', 'bad.zip', '--home', home, '--skip-invalid'],
      {},
      dir,
    );
    assert.equal(skipping.code, 0, skipping.stderr);
    assert.match(skipping.stdout, /SKIPPED {2}broken\.yaml/);
    assert.match(skipping.stdout, /1 invalid/);
  });

  it('audit without --db, $RAMPART_ADVISORY_DB or an import says how to get a database', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'requirements.txt'), `jinja2==3.1.4 ${HASH}\n`);
    const run = await rampart(
      ['deps', 'audit', 'requirements.txt', '--home', path.join(dir, 'h')],
      {},
      dir,
    );
    assert.equal(run.code, 2);
    assert.match(run.stderr, /deps db import/);
  });
});

describe('rampart deps audit --format sarif', () => {
  it('writes SARIF 2.1.0: schema, one rule per finding kind, results with lines and advisory ids', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'env'));
    writeFileSync(
      path.join(dir, 'env', 'requirements.txt'),
      `# x\njinja2==2.10 ${HASH}\nrequests>=2\n`,
    );
    const run = await rampart(
      ['deps', 'audit', 'env/requirements.txt', '--db', PYPA, '--format', 'sarif'],
      {},
      dir,
    );
    assert.equal(run.code, 1, run.stderr);
    const sarif = JSON.parse(run.stdout) as {
      $schema: string;
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; name: string; helpUri: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: {
            physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
          }[];
          properties: { advisory?: string; aliases?: string[]; helpUri?: string };
        }[];
      }[];
    };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    const [runLog] = sarif.runs;
    assert.ok(runLog !== undefined);
    assert.deepEqual(
      runLog.tool.driver.rules.map((r) => [r.id, r.name]),
      [
        ['RD001', 'VulnerableDependency'],
        ['RD002', 'UnpinnedDependency'],
        ['RD003', 'HashlessDependency'],
      ],
    );
    for (const result of runLog.results) {
      assert.equal(runLog.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    }
    const first = runLog.results[0];
    assert.equal(first?.ruleId, 'RD001');
    assert.equal(first.properties.advisory, 'PYSEC-2019-217');
    assert.deepEqual(first.properties.aliases, ['CVE-2019-10906', 'GHSA-462w-v97r-4m45']);
    assert.equal(first.properties.helpUri, 'https://osv.dev/vulnerability/PYSEC-2019-217');
    const where = first.locations[0]?.physicalLocation;
    assert.match(where?.artifactLocation.uri ?? '', /^file:\/\/.*\/env\/requirements\.txt$/);
    assert.equal(where?.region?.startLine, 2);
    const json = await rampart(
      ['deps', 'audit', 'env/requirements.txt', '--db', PYPA, '--json'],
      {},
      dir,
    );
    assert.ok(Array.isArray((JSON.parse(json.stdout) as { findings: unknown[] }).findings));
  });
});
