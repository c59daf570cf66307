import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isRampartError } from '../core/index.js';
import { repoRoot } from '../../testkit/paths.js';
import { tempDir } from '../../testkit/tmp.js';
import {
  ENV_OVERRIDES,
  defaultConfigYaml,
  loadConfig,
  resolveHome,
  validateConfig,
} from './index.js';

function homeWith(yaml?: string): string {
  const home = tempDir();
  if (yaml !== undefined) writeFileSync(path.join(home, 'rampart.yaml'), yaml);
  return home;
}

function keyPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) =>
    keyPaths(v, prefix === '' ? k : `${prefix}.${k}`),
  );
}

describe('loadConfig', () => {
  it('uses every default when there is no rampart.yaml', () => {
    const loaded = loadConfig({ home: homeWith(), env: {} });
    assert.equal(loaded.source, null);
    assert.deepEqual(loaded.config, validateConfig({}));
    assert.equal(loaded.config.server.host, '127.0.0.1');
    assert.equal(loaded.config.server.port, 8470);
    assert.equal(loaded.config.store.url, null);
  });

  it('lets the file override defaults and the environment override the file', () => {
    const home = homeWith('server:\n  port: 9000\nlog:\n  level: debug\n');
    const fromFile = loadConfig({ home, env: {} });
    assert.equal(fromFile.config.server.port, 9000);
    assert.equal(fromFile.config.log.level, 'debug');
    const fromEnv = loadConfig({
      home,
      env: { RAMPART_SERVER_PORT: '9100', RAMPART_STORE_URL: 'postgres://h/db' },
    });
    assert.equal(fromEnv.config.server.port, 9100);
    assert.equal(fromEnv.config.store.url, 'postgres://h/db');
    assert.equal(fromEnv.config.log.level, 'debug');
  });

  it('returns a deeply frozen configuration', () => {
    const { config } = loadConfig({ home: homeWith(), env: {} });
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server));
  });

  it('names an unknown key, however deep', () => {
    const home = homeWith('server:\n  prt: 1\nextra: true\n');
    assert.throws(
      () => loadConfig({ home, env: {} }),
      (e) => {
        assert.ok(isRampartError(e, 'RAMPART_CONFIG_INVALID'));
        const paths = (e.details.issues as { path: string }[]).map((i) => i.path).sort();
        assert.deepEqual(paths, ['extra', 'server.prt']);
        return true;
      },
    );
  });

  it('rejects values of the wrong type or range with their path', () => {
    const home = homeWith('server:\n  port: 70000\nlog:\n  level: loud\n');
    assert.throws(
      () => loadConfig({ home, env: {} }),
      (e) => {
        assert.ok(isRampartError(e, 'RAMPART_CONFIG_INVALID'));
        const paths = (e.details.issues as { path: string }[]).map((i) => i.path).sort();
        assert.deepEqual(paths, ['log.level', 'server.port']);
        return true;
      },
    );
  });

  it('rejects an unknown RAMPART_ variable and a non-integer override', () => {
    const home = homeWith();
    assert.throws(
      () => loadConfig({ home, env: { RAMPART_SERVR_PORT: '1' } }),
      (e) => isRampartError(e, 'RAMPART_CONFIG_INVALID'),
    );
    assert.throws(
      () => loadConfig({ home, env: { RAMPART_SERVER_PORT: '80a' } }),
      (e) => isRampartError(e, 'RAMPART_CONFIG_INVALID'),
    );
    assert.doesNotThrow(() =>
      loadConfig({ home, env: { RAMPART_TEST_PG_URL: 'x', RAMPART_HOME: home } }),
    );
  });

  it('reports malformed YAML and duplicate keys with their line', () => {
    for (const yaml of ['server: [1\n', 'server:\n  port: 1\n  port: 2\n']) {
      assert.throws(
        () => loadConfig({ home: homeWith(yaml), env: {} }),
        (e) => isRampartError(e, 'RAMPART_CONFIG_PARSE') && /:\d+:\d+/.test(e.message),
      );
    }
  });

  it('rejects a configuration whose top level is not a mapping', () => {
    assert.throws(
      () => loadConfig({ home: homeWith('- a\n- b\n'), env: {} }),
      (e) => isRampartError(e, 'RAMPART_CONFIG_INVALID'),
    );
  });

  it('requires an explicitly named file to exist and be readable', () => {
    const home = homeWith();
    assert.throws(
      () => loadConfig({ home, file: path.join(home, 'nope.yaml'), env: {} }),
      (e) => isRampartError(e, 'RAMPART_CONFIG_NOT_FOUND'),
    );
    const folder = path.join(home, 'a-folder.yaml');
    mkdirSync(folder);
    assert.throws(
      () => loadConfig({ home, file: folder, env: {} }),
      (e) => isRampartError(e, 'RAMPART_FILE_UNREADABLE'),
    );
  });

  it('writes a default rampart.yaml that loads back to the defaults', () => {
    const loaded = loadConfig({ home: homeWith(defaultConfigYaml()), env: {} });
    assert.deepEqual(loaded.config, validateConfig({}));
  });
});

describe('resolveHome', () => {
  it('prefers --home, then RAMPART_HOME, then ./.rampart', () => {
    assert.equal(resolveHome({ home: 'a' }, { RAMPART_HOME: '/b' }, '/w').home, '/w/a');
    assert.equal(resolveHome({}, { RAMPART_HOME: '/b' }, '/w').home, '/b');
    assert.equal(resolveHome({}, {}, '/w').home, '/w/.rampart');
    assert.equal(resolveHome({}, { RAMPART_CONFIG: 'c.yaml' }, '/w').configFile, '/w/c.yaml');
  });
});

describe('docs/configuration.md', () => {
  it('documents every key and every environment variable', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'configuration.md'), 'utf8');
    for (const key of keyPaths(validateConfig({})))
      assert.ok(doc.includes(`\`${key}\``), `${key} undocumented`);
    for (const o of ENV_OVERRIDES)
      assert.ok(doc.includes(o.variable), `${o.variable} undocumented`);
  });
});
