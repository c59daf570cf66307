import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { evaluateAffected, parseAdvisory, type AffectedPackage, type RangeEvent } from './osv.js';

function entry(events: RangeEvent[], versions: string[] = []): AffectedPackage {
  return { ecosystem: 'PyPI', name: 'pkg', ranges: [{ type: 'ECOSYSTEM', events }], versions };
}

function affected(e: AffectedPackage, version: string): boolean {
  return evaluateAffected(e, version).affected;
}

describe('OSV ECOSYSTEM range evaluation', () => {
  it('introduced/fixed: half-open interval, several intervals in one range', () => {
    const e = entry([
      { introduced: '1.0' },
      { fixed: '1.2' },
      { introduced: '2.0' },
      { fixed: '2.0.5' },
    ]);
    const cases: [string, boolean][] = [
      ['0.9', false],
      ['1.0', true],
      ['1.1.9', true],
      ['1.2', false],
      ['1.5', false],
      ['2.0', true],
      ['2.0.4', true],
      ['2.0.5', false],
      ['3', false],
    ];
    for (const [version, expected] of cases) assert.equal(affected(e, version), expected, version);
    assert.deepEqual(evaluateAffected(e, '1.0').fixed, ['1.2', '2.0.5']);
  });

  it('last_affected is inclusive; events are ordered by version, not by position', () => {
    const e = entry([{ last_affected: '1.11.0' }, { introduced: '0' }]);
    assert.equal(affected(e, '1.11.0'), true);
    assert.equal(affected(e, '1.11.0.post1'), false);
    assert.equal(affected(e, '1.11.1'), false);
    assert.equal(affected(e, '0.1'), true);
  });

  it('pre-releases, dev and post releases sit where PEP 440 puts them', () => {
    const e = entry([{ introduced: '1.1.0b1' }, { fixed: '1.1.3' }]);
    assert.equal(affected(e, '1.1.0a9'), false);
    assert.equal(affected(e, '1.1.0b1.dev2'), false);
    assert.equal(affected(e, '1.1.0b1'), true);
    assert.equal(affected(e, '1.1.0rc1'), true);
    assert.equal(affected(e, '1.1.3rc1'), true);
    assert.equal(affected(e, '1.1.3.dev0'), true);
    assert.equal(affected(e, '1.1.3'), false);
    assert.equal(affected(e, '1.1.2.post1'), true);
    assert.equal(affected(e, '1.1.2+local'), true);
  });

  it('epochs: a later epoch is above every range of the earlier one', () => {
    const e = entry([{ introduced: '0' }, { fixed: '2024.1' }]);
    assert.equal(affected(e, '2023.12'), true);
    assert.equal(affected(e, '1!1.0'), false);
    const epoch = entry([{ introduced: '1!1.0' }, { fixed: '1!1.5' }]);
    assert.equal(affected(epoch, '99.0'), false);
    assert.equal(affected(epoch, '1!1.2'), true);
  });

  it('limit caps the range; explicit versions match in any spelling', () => {
    const e = entry([{ introduced: '0' }, { limit: '3.0' }]);
    assert.equal(affected(e, '2.9'), true);
    assert.equal(affected(e, '3.0'), false);
    const listed = entry([], ['0.8.0-alpha2', '2.0', 'legacy-1']);
    assert.equal(affected(listed, '0.8.0a2'), true);
    assert.equal(affected(listed, '2.0.0'), true);
    assert.equal(affected(listed, 'legacy-1'), true);
    assert.equal(affected(listed, '2.1'), false);
  });

  it('an event that is not PEP 440 is reported, not guessed', () => {
    const e = entry([{ introduced: '0' }, { fixed: '2019-09-12' }]);
    const verdict = evaluateAffected(e, '1.0');
    assert.equal(verdict.affected, false);
    assert.deepEqual(verdict.unparseable, ['2019-09-12']);
  });
});

describe('parseAdvisory', () => {
  const doc = {
    id: 'TEST-1',
    aliases: ['CVE-2000-1'],
    details: 'Line one\n  continues.',
    severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }],
    affected: [
      {
        package: { name: 'Py_Pkg', ecosystem: 'PyPI' },
        ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }] }],
      },
      { package: { name: 'left-pad', ecosystem: 'npm' } },
    ],
  };

  it('keeps PyPI (normalised names) and npm (exact names) entries, no GIT ranges', () => {
    const advisory = parseAdvisory(
      { ...doc, affected: [...doc.affected, { package: { name: 'x', ecosystem: 'Go' } }] },
      'x.json',
    );
    assert.equal(advisory.summary, 'Line one continues.');
    assert.deepEqual(advisory.affected, [
      { ecosystem: 'PyPI', name: 'py-pkg', ranges: [], versions: [] },
      { ecosystem: 'npm', name: 'left-pad', ranges: [], versions: [] },
    ]);
    assert.deepEqual(advisory.severity, [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N' }]);
    assert.equal(advisory.withdrawn, undefined);
  });

  it('refuses malformed records with the file named', () => {
    const bad = [
      null,
      { affected: [] },
      { id: 'X', affected: 'no' },
      {
        id: 'X',
        affected: [
          {
            package: { name: 'a', ecosystem: 'PyPI' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0', fixed: '1' }] }],
          },
        ],
      },
    ];
    for (const value of bad) {
      assert.throws(
        () => parseAdvisory(value, 'bad.yaml'),
        (error) =>
          isRampartError(error, 'RAMPART_ADVISORY_INVALID') && error.message.startsWith('bad.yaml'),
      );
    }
  });
});

describe('OSV ranges for npm (semver)', () => {
  const npm = (type: 'ECOSYSTEM' | 'SEMVER', events: RangeEvent[]): AffectedPackage => ({
    ecosystem: 'npm',
    name: 'lodash',
    ranges: [{ type, events }],
    versions: [],
  });

  it('ECOSYSTEM and SEMVER ranges order npm versions by semver, pre-releases included', () => {
    for (const type of ['ECOSYSTEM', 'SEMVER'] as const) {
      const e = npm(type, [{ introduced: '0' }, { fixed: '4.17.21' }]);
      const cases: [string, boolean][] = [
        ['4.17.20', true],
        ['4.17.21-rc.1', true],
        ['4.17.21', false],
        ['4.17.21+build.5', false],
        ['4.9.0', true],
        ['10.0.0', false],
      ];
      for (const [version, expected] of cases)
        assert.equal(affected(e, version), expected, version);
    }
    const limited = npm('SEMVER', [{ introduced: '1.0.0-alpha' }, { limit: '2.0.0' }]);
    assert.equal(affected(limited, '1.0.0-alpha.1'), true);
    assert.equal(affected(limited, '0.9.9'), false);
    assert.equal(affected(limited, '2.0.0'), false);
  });

  it('a PyPI SEMVER range is ordered by semver; unparseable events are reported', () => {
    const e: AffectedPackage = {
      ecosystem: 'PyPI',
      name: 'pkg',
      ranges: [{ type: 'SEMVER', events: [{ introduced: '1.0.0' }, { fixed: '1.2.0' }] }],
      versions: [],
    };
    assert.equal(affected(e, '1.1.5'), true);
    assert.equal(affected(e, '1.2.0'), false);
    const bad = npm('ECOSYSTEM', [{ introduced: '1.0' }]);
    assert.deepEqual(evaluateAffected(bad, '1.0.0').unparseable, ['1.0']);
  });

  it('explicit npm version lists match by semver precedence', () => {
    const e: AffectedPackage = { ...npm('ECOSYSTEM', []), versions: ['1.2.3'] };
    assert.equal(affected(e, '1.2.3'), true);
    assert.equal(affected(e, 'v1.2.3'), true);
    assert.equal(affected(e, '1.2.4'), false);
  });
});
