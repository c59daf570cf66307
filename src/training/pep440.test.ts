import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compareVersions,
  formatVersion,
  normaliseVersion,
  parseVersion,
  type Pep440Version,
} from './pep440.js';

function v(text: string): Pep440Version {
  const parsed = parseVersion(text);
  assert.ok(parsed, `${text} should parse`);
  return parsed;
}

function cmp(a: string, b: string): number {
  return Math.sign(compareVersions(v(a), v(b)));
}

// The ordering example of PEP 440 ("Summary of permitted suffixes and relative ordering").
const SPEC_ORDER = [
  '1.dev0',
  '1.0.dev456',
  '1.0a1',
  '1.0a2.dev456',
  '1.0a12.dev456',
  '1.0a12',
  '1.0b1.dev456',
  '1.0b2',
  '1.0b2.post345.dev456',
  '1.0b2.post345',
  '1.0rc1.dev456',
  '1.0rc1',
  '1.0',
  '1.0+abc.5',
  '1.0+abc.7',
  '1.0+5',
  '1.0.post456.dev34',
  '1.0.post456',
  '1.0.15',
  '1.1.dev1',
];

describe('PEP 440 parsing', () => {
  it('normalises the spellings the spec allows', () => {
    const cases: [string, string][] = [
      ['1.0-ALPHA.1', '1.0a1'],
      ['1.0alpha', '1.0a0'],
      ['1.0-beta2', '1.0b2'],
      ['1.0c1', '1.0rc1'],
      ['1.0pre1', '1.0rc1'],
      ['1.0preview-3', '1.0rc3'],
      ['1.0-1', '1.0.post1'],
      ['1.0.rev2', '1.0.post2'],
      ['1.0r', '1.0.post0'],
      ['1.0-dev', '1.0.dev0'],
      ['v1.0', '1.0'],
      [' 01.002 ', '1.2'],
      ['1!2.0', '1!2.0'],
      ['0!2.0', '2.0'],
      ['1.0+Ubuntu-1_2', '1.0+ubuntu.1.2'],
      ['1.0+abc.007', '1.0+abc.7'],
      ['0.8.0-alpha2', '0.8.0a2'],
    ];
    for (const [input, canonical] of cases) assert.equal(normaliseVersion(input), canonical, input);
  });

  it('refuses what is not a PEP 440 version', () => {
    for (const bad of [
      '',
      'abc',
      '1.0+',
      '1..0',
      '1.0-final',
      '2019-09-12',
      '1.0+a b',
      'x'.repeat(200),
      '1.0.*',
    ]) {
      assert.equal(parseVersion(bad), undefined, bad);
    }
  });
});

describe('PEP 440 ordering', () => {
  it('orders the spec example exactly', () => {
    for (let i = 0; i + 1 < SPEC_ORDER.length; i++) {
      assert.equal(
        cmp(SPEC_ORDER[i]!, SPEC_ORDER[i + 1]!),
        -1,
        `${SPEC_ORDER[i]} < ${SPEC_ORDER[i + 1]}`,
      );
    }
  });

  it('sorts any shuffle of the spec example back into order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(SPEC_ORDER, { minLength: SPEC_ORDER.length }), (shuffled) => {
        const sorted = [...shuffled].sort((a, b) => compareVersions(v(a), v(b)));
        assert.deepEqual(sorted, SPEC_ORDER);
      }),
    );
  });

  it('handles epochs, trailing zeros, big numbers and local versions', () => {
    assert.equal(cmp('1!0.1', '2024.10'), 1);
    assert.equal(cmp('1.0', '1.0.0.0'), 0);
    assert.equal(cmp('1.0.0', '1'), 0);
    assert.equal(cmp('99999999999999999999999.1', '99999999999999999999998.9'), 1);
    assert.equal(cmp('1.0+local', '1.0'), 1);
    assert.equal(cmp('1.0+1', '1.0+a'), 1);
    assert.equal(cmp('1.0+a.1', '1.0+a'), 1);
    assert.equal(cmp('1.0.post0', '1.0'), 1);
    assert.equal(cmp('1.0rc1', '1.0c1'), 0);
  });
});

const versionArb: fc.Arbitrary<Pep440Version> = fc.record(
  {
    epoch: fc.constantFrom('0', '0', '1', '2'),
    release: fc.array(fc.nat(12).map(String), { minLength: 1, maxLength: 4 }),
    pre: fc.record({
      label: fc.constantFrom('a' as const, 'b' as const, 'rc' as const),
      number: fc.nat(3).map(String),
    }),
    post: fc.nat(3).map(String),
    dev: fc.nat(3).map(String),
    local: fc.array(fc.oneof(fc.nat(20).map(String), fc.constantFrom('abc', 'ubuntu', 'z')), {
      minLength: 1,
      maxLength: 3,
    }),
  },
  { requiredKeys: ['epoch', 'release'] },
);

describe('PEP 440 properties', () => {
  it('formats and re-parses to the same version', () => {
    fc.assert(
      fc.property(versionArb, (version) => {
        const again = v(formatVersion(version));
        assert.equal(compareVersions(version, again), 0);
        assert.equal(formatVersion(again), formatVersion(version));
      }),
    );
  });

  it('is a total order: antisymmetric and transitive', () => {
    fc.assert(
      fc.property(versionArb, versionArb, versionArb, (a, b, c) => {
        assert.equal(Math.sign(compareVersions(a, b)), -Math.sign(compareVersions(b, a)));
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) {
          assert.ok(compareVersions(a, c) <= 0);
        }
      }),
    );
  });

  it('places dev < pre < final < post < next release for any base', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 4 }), (parts) => {
        const base = parts.join('.');
        const next = [...parts.slice(0, -1), (parts[parts.length - 1] ?? 0) + 1].join('.');
        const chain = [
          `${base}.dev1`,
          `${base}a1`,
          `${base}rc2`,
          base,
          `${base}+local`,
          `${base}.post1`,
          next,
        ];
        for (let i = 0; i + 1 < chain.length; i++)
          assert.equal(cmp(chain[i]!, chain[i + 1]!), -1, chain.join(' < '));
      }),
    );
  });
});
