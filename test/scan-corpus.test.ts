// The generated fixture corpus (scripts/scan-fixtures/generate.py): every real benign model
// scans clean and every hand-built attack is flagged, with the rule the manifest names.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  RULES,
  atLeast,
  scanPaths,
  verdict,
  type RuleId,
  type ScanReport,
} from '../src/scan/index.js';
import { repoRoot } from '../testkit/paths.js';

interface Expectation {
  readonly expect: 'clean' | 'flagged';
  /** A rule the findings must include. */
  readonly rule?: RuleId;
  /** Further rules the findings must include. */
  readonly also?: readonly RuleId[];
  readonly why: string;
}

const root = path.join(repoRoot, 'test', 'fixtures', 'scan');
const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as Record<
  string,
  Expectation
>;

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(path.join(folder, name)).isFile())
    .map((name) => name.split(path.sep).join('/'));
}

/** One line per finding and problem, so a failing assertion shows what the scan saw. */
function describeReport(report: ScanReport): string {
  const where = (members: readonly string[]): string =>
    members.length > 0 ? ` [${members.join(' > ')}]` : '';
  return [
    ...report.findings.map(
      (f) => `finding ${f.rule} ${f.severity}${where(f.members)}: ${f.message}`,
    ),
    ...report.problems.map((p) => `problem ${p.code}${where(p.members)}: ${p.message}`),
  ].join('\n');
}

describe('scan fixture corpus', () => {
  it('lists every fixture file, names only known rules and stays under 3 MB', () => {
    const files = filesUnder(root).filter((name) => name !== 'manifest.json');
    assert.deepEqual(files.sort(), Object.keys(manifest).sort());
    for (const [name, entry] of Object.entries(manifest)) {
      for (const rule of [entry.rule, ...(entry.also ?? [])]) {
        if (rule !== undefined) assert.ok(rule in RULES, `${name}: unknown rule ${rule}`);
      }
    }
    const bytes = files.reduce((sum, name) => sum + statSync(path.join(root, name)).size, 0);
    assert.ok(bytes < 3 * 1024 * 1024, `fixtures take ${bytes} bytes`);
  });

  for (const [name, entry] of Object.entries(manifest)) {
    it(`${name} is ${entry.expect}: ${entry.why}`, async () => {
      const report = await scanPaths([path.join(root, name)]);
      const seen = describeReport(report);
      if (entry.expect === 'clean') {
        assert.equal(verdict(report), 0, `expected clean, got:\n${seen}`);
        return;
      }
      assert.equal(verdict(report), 1, `expected findings, got:\n${seen}`);
      for (const rule of [entry.rule, ...(entry.also ?? [])]) {
        if (rule === undefined) continue;
        assert.ok(
          report.findings.some((f) => f.rule === rule),
          `expected a ${rule} finding, got:\n${seen}`,
        );
      }
    });
  }

  it('a walk of the benign folder is clean and of the malicious folder is flagged', async () => {
    const benign = await scanPaths([path.join(root, 'benign')]);
    assert.equal(verdict(benign), 0, describeReport(benign));
    const malicious = await scanPaths([path.join(root, 'malicious')]);
    assert.equal(verdict(malicious), 1);
    const flaggedFiles = new Set(
      malicious.findings.filter((f) => atLeast(f.severity, 'medium')).map((f) => f.file),
    );
    const expected = Object.keys(manifest).filter((name) => name.startsWith('malicious/'));
    assert.equal(flaggedFiles.size, expected.length, 'every malicious file has a finding');
  });
});
