import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { lockfileFormat, parseLockfile } from './lockfile.js';

const SHA = 'c'.repeat(64);
const SHA512 = Buffer.alloc(64, 7).toString('base64');

function invalid(text: string, file: string, pattern: RegExp, line?: number): void {
  assert.throws(
    () => parseLockfile(text, file),
    (error) =>
      isRampartError(error, 'RAMPART_LOCKFILE_INVALID') &&
      pattern.test(error.message) &&
      (line === undefined || error.details.line === line),
  );
}

const CONDA = `version: 1
metadata:
  channels:
  - url: conda-forge
  platforms:
  - linux-64
  - osx-64
package:
- name: numpy
  version: 1.26.4
  manager: conda
  platform: linux-64
  url: https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4.conda
  hash:
    md5: ${'a'.repeat(32)}
    sha256: ${SHA}
  category: main
  optional: false
- name: numpy
  version: 1.26.4
  manager: conda
  platform: osx-64
  hash:
    md5: ${'b'.repeat(32)}
    sha256: ${SHA}
- name: libzlib
  version: 1.10
  manager: conda
  platform: linux-64
  hash:
    md5: ${'d'.repeat(32)}
- name: Jinja2
  version: 2.10
  manager: pip
  platform: linux-64
  url: https://files.pythonhosted.org/packages/jinja2-2.10-py2.py3-none-any.whl
  hash:
    sha256: ${SHA}
`;

describe('conda-lock.yml', () => {
  it('reads conda and pip packages: ecosystem, exact version strings, sha256 only, lines', () => {
    assert.equal(lockfileFormat('/x/conda-lock.yml'), 'conda-lock');
    assert.equal(lockfileFormat('conda-lock.linux-64.yaml'), 'conda-lock');
    const lock = parseLockfile(CONDA, 'conda-lock.yml');
    assert.equal(lock.format, 'conda-lock');
    assert.deepEqual(lock.dependencies, [
      { ecosystem: 'conda', name: 'numpy', version: '1.26.4', hashes: [`sha256:${SHA}`], line: 9 },
      // md5 alone is not a hash; "1.10" stays a string (not the number 1.1).
      { ecosystem: 'conda', name: 'libzlib', version: '1.10', hashes: [], line: 26 },
      { ecosystem: 'PyPI', name: 'jinja2', version: '2.10', hashes: [`sha256:${SHA}`], line: 32 },
    ]);
  });

  it('flags a missing version and a non-https pip source', () => {
    const text = `version: 1\npackage:\n- name: a\n  manager: conda\n- name: b\n  version: 1.0\n  manager: pip\n  url: git+https://x/b.git\n`;
    const deps = parseLockfile(text, 'conda-lock.yml').dependencies;
    assert.deepEqual(
      deps.map((d) => [d.name, d.unpinned]),
      [
        ['a', 'no version'],
        ['b', 'URL or path source'],
      ],
    );
  });

  it('refuses malformed files with the line', () => {
    invalid('version: 1\npackage: [\n', 'conda-lock.yml', /not valid YAML/);
    invalid('version: 2\npackage: []\n', 'conda-lock.yml', /version 1/);
    invalid('version: 1\nmetadata: {}\n', 'conda-lock.yml', /no "package" list/);
    invalid('version: 1\npackage:\n- name: a\n  manager: apt\n', 'conda-lock.yml', /manager/, 3);
    invalid('version: 1\npackage:\n- name: A B\n  manager: conda\n', 'conda-lock.yml', /name/, 3);
    invalid(
      'version: 1\npackage:\n- name: a\n  hash:\n    sha256: XYZ\n',
      'conda-lock.yml',
      /sha256/,
      3,
    );
    invalid('version: 1\nx: &a [1]\npackage:\n- *a\n', 'conda-lock.yml', /aliases/);
    invalid('version: 1\nversion: 1\npackage: []\n', 'conda-lock.yml', /not valid YAML/);
  });
});

function npmLock(packages: Record<string, unknown>, version = 3): string {
  return JSON.stringify({ name: 'app', lockfileVersion: version, packages }, null, 2);
}

describe('package-lock.json', () => {
  it('reads registry packages (v2 and v3), skipping the project, workspaces and links', () => {
    for (const version of [2, 3]) {
      const text = npmLock(
        {
          '': { name: 'app', version: '1.0.0' },
          'packages/ws': { name: 'ws-pkg', version: '0.1.0' },
          'node_modules/ws-pkg': { resolved: 'packages/ws', link: true },
          'node_modules/lodash': {
            version: '4.17.20',
            resolved: 'https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz',
            integrity: `sha512-${SHA512}`,
          },
          'node_modules/a/node_modules/@types/node': {
            version: '20.1.0-beta.1',
            resolved: 'https://registry.npmjs.org/@types/node/-/node-20.1.0-beta.1.tgz',
            integrity: `sha1-${Buffer.alloc(20).toString('base64')}`,
          },
        },
        version,
      );
      const lock = parseLockfile(text, 'package-lock.json');
      assert.equal(lock.format, 'npm');
      assert.deepEqual(lock.dependencies, [
        {
          ecosystem: 'npm',
          name: 'lodash',
          version: '4.17.20',
          hashes: [`sha512:${Buffer.alloc(64, 7).toString('hex')}`],
          line: 17,
        },
        // sha1 integrity is too weak to count as a hash.
        { ecosystem: 'npm', name: '@types/node', version: '20.1.0-beta.1', hashes: [], line: 22 },
      ]);
    }
  });

  it('flags git, file and tarball sources as not from a registry', () => {
    const text = npmLock({
      'node_modules/g': { version: '1.0.0', resolved: 'git+ssh://git@github.com/o/g.git#abc' },
      'node_modules/f': { version: 'file:../f' },
      'node_modules/t': {
        version: '2.0.0',
        resolved: 'https://example.com/t.tgz',
        integrity: `sha512-${SHA512}`,
      },
    });
    const deps = parseLockfile(text, 'package-lock.json').dependencies;
    assert.deepEqual(
      deps.map((d) => [
        d.name,
        d.version,
        d.notRegistry?.split(' ').slice(0, 2).join(' '),
        d.unpinned,
      ]),
      [
        ['g', '1.0.0', 'git source', undefined],
        ['f', undefined, 'file source', 'not a semver version: file:../f'],
        ['t', '2.0.0', 'tarball URL', undefined],
      ],
    );
  });

  it('refuses lockfileVersion 1, bad JSON, bad names and bad integrity', () => {
    invalid(
      JSON.stringify({ lockfileVersion: 1, dependencies: {} }),
      'package-lock.json',
      /lockfileVersion 1/,
    );
    invalid('{"lockfileVersion": 3, ', 'package-lock.json', /not valid JSON/);
    invalid(
      npmLock({}).replace('"packages": {}', '"packages": []'),
      'package-lock.json',
      /packages/,
    );
    invalid(
      npmLock({ 'node_modules/Bad Name': { version: '1.0.0' } }),
      'package-lock.json',
      /name/,
      5,
    );
    invalid(
      npmLock({ 'node_modules/a': { version: '1.0.0', integrity: 'md5-AAAA' } }),
      'package-lock.json',
      /integrity/,
      5,
    );
    invalid(
      npmLock({ 'node_modules/a': { version: 1 } }),
      'package-lock.json',
      /version is not a string/,
    );
  });

  it('applies the dependency count limit', () => {
    const packages: Record<string, unknown> = {};
    for (let i = 0; i <= 50_000; i++) packages[`node_modules/p${i}`] = { version: '1.0.0' };
    invalid(
      JSON.stringify({ lockfileVersion: 3, packages }),
      'package-lock.json',
      /more than 50000/,
    );
  });
});
