// SARIF output validates against the official SARIF 2.1.0 JSON schema (test/fixtures/sarif,
// OASIS), for hand-made reports and for a real scan of the malicious fixture corpus.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { scanPaths, toSarif, type Finding, type ScanReport } from '../src/scan/index.js';
import { repoRoot } from '../testkit/paths.js';

const schema = JSON.parse(
  readFileSync(path.join(repoRoot, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'),
) as object;

// ajv ships no format checks; these follow RFC 3986 and RFC 3339 closely enough to catch an
// unencoded space, a stray backslash or a malformed timestamp.
const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const ajv = new Ajv({ allErrors: true });
ajv.addFormat(
  'uri',
  (value: string) => URI_CHARS.test(value) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value),
);
ajv.addFormat('uri-reference', (value: string) => URI_CHARS.test(value));
ajv.addFormat('date-time', (value: string) =>
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i.test(value),
);
const validate = ajv.compile(schema);

interface SarifLog {
  runs: {
    tool: { driver: { rules: { id: string }[] } };
    results: { ruleId: string; ruleIndex: number }[];
  }[];
}

function assertValid(log: object): void {
  const valid = validate(log);
  assert.ok(valid, JSON.stringify(validate.errors, null, 2));
  // Beyond the schema: GitHub code scanning resolves each result's rule through ruleIndex.
  for (const run of (log as SarifLog).runs) {
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    }
  }
}

function finding(overrides: Partial<Finding> & Pick<Finding, 'rule'>): Finding {
  return { file: 'models/model.pt', members: [], severity: 'high', message: 'm', ...overrides };
}

const report: ScanReport = {
  findings: [
    finding({
      rule: 'RS101',
      severity: 'critical',
      members: ['archive/data.pkl'],
      offset: 42,
      message: 'The pickle calls os.system.',
      callable: 'os.system',
      evidence: "os.system('echo hi')",
    }),
    finding({
      rule: 'RS202',
      severity: 'medium',
      file: 'models/odd name #1.pt',
      members: ['archive/notes.txt'],
      offset: 0,
      message: 'Local and central names differ.',
      check: 'zip.name-mismatch',
    }),
    finding({
      rule: 'RS201',
      file: '/abs/path/bundle.zip',
      members: ['../../evil.pkl'],
      message: 'Member climbs out of the extraction folder.',
    }),
    finding({
      rule: 'RS105',
      severity: 'critical',
      members: ['archive/data.pkl', '<nested pickle @17>'],
      offset: 3,
      message: 'Bytes handed to pickle.loads.',
      callable: 'pickle.loads',
    }),
    finding({
      rule: 'RS303',
      severity: 'critical',
      file: 'tiny.gguf',
      offset: 1024,
      message: 'SSTI.',
    }),
    finding({ rule: 'RS104', severity: 'low', file: 'x.pkl', message: 'Unknown global.' }),
  ],
  problems: [
    { file: 'broken.pkl', members: [], code: 'pickle-truncated', message: 'Truncated.', offset: 9 },
    { file: 'models/model.pt', members: ['archive/data/0'], code: 'zip-encrypted', message: 'x' },
  ],
  scanned: [{ file: 'models/model.pt', members: [], formats: ['zip'], size: 1000 }],
  bytes: 1000,
  durationMs: 12.5,
};

const empty: ScanReport = { findings: [], problems: [], scanned: [], bytes: 0, durationMs: 0 };

describe('SARIF output', () => {
  it('validates for findings of several rules, with members and offsets, and problems', () => {
    const log = toSarif(report, { version: '0.1.0' });
    assertValid(log);
    const run = (log as SarifLog).runs[0];
    assert.equal(run?.results.length, report.findings.length);
  });

  it('uses a schema that rejects a log without a version', () => {
    assert.equal(validate({ runs: [] }), false);
  });

  it('validates for an empty report', () => {
    assertValid(toSarif(empty, { version: '0.1.0' }));
  });

  it('validates for a real scan of the malicious fixtures', async () => {
    const scanned = await scanPaths([path.join(repoRoot, 'test', 'fixtures', 'scan', 'malicious')]);
    assert.ok(scanned.findings.length > 0);
    assertValid(toSarif(scanned, { version: '0.1.0' }));
  });
});
