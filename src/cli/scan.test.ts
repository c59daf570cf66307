import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { rampart } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

// Protocol 2: os.system('echo pwned') via GLOBAL + REDUCE.
const EVIL = Buffer.concat([
  Buffer.from(
    '\x80\x02cos\nsystem\nq\x00X\x0a\x00\x00\x00echo pwnedq\x01\x85q\x02Rq\x03.',
    'latin1',
  ),
]);
// Protocol 2: {'a': [1, 2]} — no globals at all.
const PLAIN = Buffer.from('\x80\x02}q\x00X\x01\x00\x00\x00aq\x01]q\x02(K\x01K\x02es.', 'latin1');

interface JsonReport {
  verdict: string;
  exitCode: number;
  findings: {
    rule: string;
    severity: string;
    file: string;
    callable?: string;
    evidence?: string;
  }[];
  problems: { code: string }[];
  scanned: { file: string; formats: string[] }[];
}

function folder(files: Record<string, Uint8Array | string>): string {
  const root = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

async function scanJson(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; report: JsonReport }> {
  const run = await rampart(['scan', ...args, '--json'], {}, cwd);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

describe('rampart scan', () => {
  it('exits 1 and names the callable, file and evidence for a malicious pickle', async () => {
    const root = folder({ 'model.bin': EVIL });
    const run = await rampart(['scan', 'model.bin'], {}, root);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /CRITICAL\s+RS101 model\.bin @\d+/);
    assert.match(run.stdout, /callable: os\.system/);
    assert.match(run.stdout, /echo pwned/);
    assert.match(run.stdout, /^findings: 1 file/m);
  });

  it('never prints control characters from the artefact to the terminal', async () => {
    const command = 'echo \x1b[2J\u202e';
    const evil = Buffer.concat([
      Buffer.from('\x80\x04cos\nsystem\n\x8c', 'latin1'),
      Buffer.from([Buffer.byteLength(command)]),
      Buffer.from(command, 'utf8'),
      Buffer.from('\x85R.', 'latin1'),
    ]);
    const root = folder({ 'evil.pkl': evil });
    const run = await rampart(['scan', 'evil.pkl'], {}, root);
    assert.equal(run.code, 1);
    assert.ok(!run.stdout.includes('\x1b') && !run.stdout.includes('\u202e'), run.stdout);
    assert.match(run.stdout, /echo \\x1b\[2J\\u202e/);
  });

  it('exits 0 for a pickle of plain data, whatever its name', async () => {
    const root = folder({ 'weights.txt': PLAIN });
    const { code, report } = await scanJson(['weights.txt'], root);
    assert.equal(code, 0, JSON.stringify(report));
    assert.equal(report.verdict, 'clean');
    assert.deepEqual(report.scanned[0]?.formats, ['pickle']);
  });

  it('walks folders recursively and reports each file relative to the argument', async () => {
    const root = folder({ 'm/a/ok.pkl': PLAIN, 'm/b/evil.pkl': EVIL, 'm/README.md': '# model\n' });
    const { code, report } = await scanJson(['m'], root);
    assert.equal(code, 1);
    assert.deepEqual(
      report.findings.map((f) => f.file),
      [path.join('m', 'b', 'evil.pkl')],
    );
    assert.equal(report.scanned.length, 3);
  });

  it('honours --fail-on: a critical finding passes only a threshold above it', async () => {
    const root = folder({ 'evil.pkl': EVIL });
    assert.equal((await rampart(['scan', 'evil.pkl', '--fail-on', 'critical'], {}, root)).code, 1);
    const low = await rampart(['scan', 'evil.pkl', '--fail-on', 'nope'], {}, root);
    assert.equal(low.code, 2);
    assert.match(low.stderr, /--fail-on nope is not a severity/);
  });

  it('writes SARIF 2.1.0 to --output and a summary to stdout', async () => {
    const root = folder({ 'evil.pkl': EVIL });
    const run = await rampart(
      ['scan', 'evil.pkl', '--format', 'sarif', '--output', 'out.sarif'],
      {},
      root,
    );
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^findings: .*report in .*out\.sarif$/m);
    const sarif = JSON.parse(readFileSync(path.join(root, 'out.sarif'), 'utf8')) as {
      version: string;
      runs: { results: { ruleId: string; level: string; locations: unknown[] }[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const result = sarif.runs[0]?.results[0];
    assert.equal(result?.ruleId, 'RS101');
    assert.equal(result.level, 'error');
  });

  it('trusts a callable given with --allow, but never a denied one', async () => {
    // Protocol 2: mypkg.build(1) via GLOBAL + REDUCE — unknown, so a high finding by default.
    const own = Buffer.from('\x80\x02cmypkg\nbuild\nK\x01\x85R.', 'latin1');
    const root = folder({ 'own.pkl': own, 'evil.pkl': EVIL });
    const before = await scanJson(['own.pkl'], root);
    assert.equal(before.code, 1);
    assert.deepEqual(
      before.report.findings.map((f) => [f.rule, f.callable]),
      [['RS103', 'mypkg.build']],
    );
    assert.equal((await scanJson(['own.pkl', '--allow', 'mypkg.build'], root)).code, 0);
    const denied = await scanJson(['evil.pkl', '--allow', 'os.system'], root);
    assert.equal(denied.code, 1);
    assert.equal(denied.report.findings[0]?.rule, 'RS101');
    const bad = await rampart(['scan', 'own.pkl', '--allow', 'os system'], {}, root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--allow os system is not a module\.name/);
  });

  it('exits 2 with a clear error for a path that does not exist', async () => {
    const run = await rampart(['scan', 'missing.pt'], {}, tempDir());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /RAMPART_FILE_NOT_FOUND/);
  });

  it('refuses an unknown --format', async () => {
    const run = await rampart(['scan', 'x', '--format', 'xml'], {}, tempDir());
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--format xml is not a report format/);
  });

  it('lets a finding win over a problem in the same run', async () => {
    // The payload runs, then the stream is cut short: a finding and a truncation problem.
    const truncated = Buffer.concat([
      EVIL.subarray(0, EVIL.length - 1),
      Buffer.from('\x80\x02cos\nsys', 'latin1'),
    ]);
    const root = folder({ 'cut.pkl': truncated });
    const { code, report } = await scanJson(['cut.pkl'], root);
    assert.equal(code, 1);
    assert.ok(report.findings.some((f) => f.callable === 'os.system'));
  });
});
