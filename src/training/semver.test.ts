import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareSemver, parseSemver, type SemVer } from './semver.js';

function parsed(text: string): SemVer {
  const version = parseSemver(text);
  assert.ok(version !== undefined, text);
  return version;
}

function cmp(a: string, b: string): number {
  return compareSemver(parsed(a), parsed(b));
}

// A seeded PRNG (mulberry32) for the property test.
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('semver 2.0.0 precedence (semver.org §11)', () => {
  it('the spec example chain is strictly increasing', () => {
    const chain = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
    ];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        const a = chain[i] ?? '';
        const b = chain[j] ?? '';
        assert.equal(Math.sign(cmp(a, b)), Math.sign(i - j), `${a} vs ${b}`);
      }
    }
  });

  it('numbers compare numerically at any length; build metadata is ignored', () => {
    assert.ok(cmp('1.10.0', '1.9.0') > 0);
    assert.ok(cmp('1.0.0-2', '1.0.0-10') < 0);
    assert.ok(cmp('1.0.0-10', '1.0.0-a') < 0);
    assert.ok(cmp('18446744073709551617.0.0', '18446744073709551616.0.0') > 0);
    assert.equal(cmp('1.0.0+001', '1.0.0+20130313144700'), 0);
    assert.equal(cmp('1.0.0-beta+exp.sha.5114f85', '1.0.0-beta'), 0);
    assert.deepEqual(parsed('1.0.0-x.7.z.92').prerelease, ['x', '7', 'z', '92']);
    assert.deepEqual(parsed('v1.2.3').major, '1');
  });

  it('refuses what the spec refuses', () => {
    for (const bad of [
      '1',
      '1.2',
      '01.2.3',
      '1.02.3',
      '1.2.3-01',
      '1.2.3-',
      '1.2.3+',
      '1.2.3-a..b',
      '1.2.3.4',
      '1.2.3-a_b',
      ' ',
      `1.2.3-${'a'.repeat(300)}`,
    ]) {
      assert.equal(parseSemver(bad), undefined, bad);
    }
    assert.ok(parseSemver('1.2.3-0a') !== undefined);
    assert.ok(parseSemver('1.2.3--') !== undefined);
  });

  it('is a total order: antisymmetric and transitive over random versions (seeded)', () => {
    const random = prng(9);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const ids = ['alpha', 'beta', 'rc', '0', '1', '2', '11', 'a-b', '1a'];
    const versions = Array.from({ length: 60 }, () => {
      const pre = Array.from({ length: Math.floor(random() * 3) }, () => pick(ids));
      const core = [pick(['0', '1', '10']), pick(['0', '2']), pick(['0', '3', '12'])].join('.');
      return pre.length === 0 ? core : `${core}-${pre.join('.')}`;
    });
    for (const a of versions) {
      for (const b of versions) {
        assert.equal(Math.sign(cmp(a, b)) + Math.sign(cmp(b, a)), 0, `${a} ${b}`);
        for (const c of versions.slice(0, 15)) {
          if (cmp(a, b) <= 0 && cmp(b, c) <= 0) assert.ok(cmp(a, c) <= 0, `${a} ${b} ${c}`);
        }
      }
    }
  });
});
