import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openState } from '../state/index.js';
import { rampart, rampartAsAdmin } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

interface RotateJson {
  provider: string;
  previous: string;
  primary: string;
  rewrapped: number;
  unchanged: number;
  audit: { index: number };
}

interface StatusJson {
  provider: string;
  primary: string;
  blobKeys: { total: number; byKek: { provider: string; kekId: string; count: number }[] };
}

function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files.set(file, readFileSync(file));
    }
  }
  return files;
}

describe('rampart keys', () => {
  it('status shows the provider, the primary key and blob keys per key id', async () => {
    const home = tempDir();
    assert.equal((await rampart(['init', '--home', home])).code, 0);
    const state = await openState({ home, env: {} });
    try {
      await state.encryptedBlobs.put(Buffer.from('one'));
      await state.encryptedBlobs.put(Buffer.from('two'));
    } finally {
      await state.close();
    }
    const run = await rampartAsAdmin(['keys', 'status', '--home', home, '--json'], home);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as StatusJson;
    assert.equal(body.provider, 'local');
    assert.match(body.primary, /^[0-9a-f]{16}$/);
    assert.deepEqual(body.blobKeys, {
      total: 2,
      byKek: [{ provider: 'local', kekId: body.primary, count: 2 }],
    });
    const text = await rampartAsAdmin(['keys', 'status', '--home', home], home);
    assert.match(text.stdout, /provider {2}local/);
  });

  it('rotate re-wraps every blob key, leaves blob files untouched and is audited', async () => {
    const home = tempDir();
    await rampart(['init', '--home', home]);
    const contents = [randomBytes(100), randomBytes(300_000), randomBytes(5)];
    const state = await openState({ home, env: {} });
    const digests: string[] = [];
    try {
      for (const c of contents) digests.push((await state.encryptedBlobs.put(c)).digest);
    } finally {
      await state.close();
    }
    const blobsBefore = filesUnder(path.join(home, 'blobs', 'enc', 'sha256'));

    const run = await rampartAsAdmin(['keys', 'rotate', '--home', home, '--json'], home);
    assert.equal(run.code, 0, run.stderr);
    const body = JSON.parse(run.stdout) as RotateJson;
    assert.equal(body.provider, 'local');
    assert.notEqual(body.primary, body.previous);
    assert.equal(body.rewrapped, 3);
    assert.equal(body.unchanged, 0);
    assert.ok(body.audit.index >= 0);
    const retired = path.join(home, 'keys', `kek-${body.previous}.key`);
    assert.ok(existsSync(retired));
    assert.equal(statSync(retired).mode & 0o777, 0o600);
    assert.equal(statSync(path.join(home, 'keys', 'kek.key')).mode & 0o777, 0o600);
    assert.deepEqual(filesUnder(path.join(home, 'blobs', 'enc', 'sha256')), blobsBefore);

    const shown = await rampartAsAdmin(
      ['audit', 'show', String(body.audit.index), '--home', home, '--json'],
      home,
    );
    assert.equal(shown.code, 0, shown.stderr);
    const entry = JSON.parse(shown.stdout) as {
      event: { action: string; actor: { subject: string }; resource: { id: string } };
    };
    assert.equal(entry.event.action, 'keys.rotate');
    assert.equal(entry.event.actor.subject, 'admin');
    assert.equal(entry.event.resource.id, body.primary);
    const status = JSON.parse(
      (await rampartAsAdmin(['keys', 'status', '--home', home, '--json'], home)).stdout,
    ) as StatusJson;
    assert.deepEqual(status.blobKeys.byKek, [{ provider: 'local', kekId: body.primary, count: 3 }]);
    const again = await openState({ home, env: {} });
    try {
      for (const [i, d] of digests.entries()) {
        assert.deepEqual(await again.encryptedBlobs.get(d), contents[i]);
      }
    } finally {
      await again.close();
    }
  });

  it('refuses an unknown action (exit 2) and a missing state folder', async () => {
    const home = tempDir();
    const bad = await rampart(['keys', 'spin', '--home', home]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown action 'spin'/);
    const missing = await rampart(['keys', 'status', '--home', path.join(home, 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no Rampart state/);
  });

  it('names the missing Vault token when the provider is vault', async () => {
    const home = tempDir();
    await rampart(['init', '--home', home]);
    const config = path.join(tempDir(), 'vault.yaml');
    writeFileSync(
      config,
      'encryption:\n  provider: vault\n  vault:\n    address: http://127.0.0.1:1\n    tokenEnv: TEAM_VAULT_TOKEN\n',
    );
    const run = await rampartAsAdmin(['keys', 'status', '--home', home, '--json'], home, {
      RAMPART_CONFIG: config,
    });
    assert.equal(run.code, 2);
    assert.match(run.stdout, /RAMPART_ENCRYPTION_CONFIG_INVALID/);
    assert.match(run.stdout, /TEAM_VAULT_TOKEN is not set/);
  });
});
