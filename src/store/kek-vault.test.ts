import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { isRampartError, type ErrorCode } from '../core/index.js';
import { testDialects } from '../../testkit/dialects.js';
import { tempDir } from '../../testkit/tmp.js';
import { EncryptedBlobStore, VaultTransitProvider } from './index.js';

const TOKEN = 'hvs.test-token-never-printed';
const code = (expected: ErrorCode) => (e: unknown) => isRampartError(e, expected);

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * An in-process stand-in for Vault's Transit engine (no Vault package exists in Debian, so no
 * real server could be installed here): keys/<k> read and rotate, encrypt, decrypt and rewrap
 * with real AES-256-GCM per key version, `vault:vN:` ciphertexts and `{"errors": [...]}` answers.
 */
class FakeTransit {
  readonly seen: Seen[] = [];
  readonly versions: Buffer[] = [randomBytes(32)];
  server: Server | undefined;
  /** Set to answer every request with this status and body (to test failures). */
  override: { status: number; body: string } | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const body: unknown = text === '' ? undefined : JSON.parse(text);
        this.seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
        });
        const [status, answer] = this.override
          ? [this.override.status, this.override.body]
          : this.#answer(req.method ?? '', req.url ?? '', req.headers, body);
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(answer);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    after(() => this.server?.close());
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  #answer(
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    body: unknown,
  ): [number, string] {
    const fail = (status: number, message: string): [number, string] => [
      status,
      JSON.stringify({ errors: [message] }),
    ];
    const ok = (data: unknown): [number, string] => [200, JSON.stringify({ data })];
    if (headers['x-vault-token'] !== TOKEN) return fail(403, 'permission denied');
    const input = (body ?? {}) as { plaintext?: string; ciphertext?: string };
    const latest = this.versions.length;
    switch (`${method} ${url}`) {
      case 'GET /v1/team/transit/keys/models':
        return ok({ name: 'models', type: 'aes256-gcm96', latest_version: latest });
      case 'POST /v1/team/transit/keys/models/rotate':
        this.versions.push(randomBytes(32));
        return [204, ''];
      case 'POST /v1/team/transit/encrypt/models':
        return ok({ ciphertext: this.#seal(Buffer.from(input.plaintext ?? '', 'base64')) });
      case 'POST /v1/team/transit/decrypt/models': {
        const plain = this.#open(input.ciphertext ?? '');
        return plain === undefined
          ? fail(400, 'cipher: message authentication failed')
          : ok({ plaintext: plain.toString('base64') });
      }
      case 'POST /v1/team/transit/rewrap/models': {
        const plain = this.#open(input.ciphertext ?? '');
        return plain === undefined
          ? fail(400, 'cipher: message authentication failed')
          : ok({ ciphertext: this.#seal(plain), key_version: latest });
      }
      default:
        return fail(404, `no handler for ${method} ${url}`);
    }
  }

  #seal(plain: Buffer): string {
    const version = this.versions.length;
    const nonce = randomBytes(12);
    const cipher = createCipheriv(
      'aes-256-gcm',
      this.versions[version - 1] ?? Buffer.alloc(32),
      nonce,
    );
    const sealed = Buffer.concat([
      nonce,
      cipher.update(plain),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `vault:v${version}:${sealed.toString('base64')}`;
  }

  #open(ciphertext: string): Buffer | undefined {
    const match = /^vault:v(\d+):(.+)$/.exec(ciphertext);
    const key = match ? this.versions[Number(match[1]) - 1] : undefined;
    if (match === null || key === undefined) return undefined;
    const bytes = Buffer.from(match[2] ?? '', 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(bytes.length - 16));
      return Buffer.concat([
        decipher.update(bytes.subarray(12, bytes.length - 16)),
        decipher.final(),
      ]);
    } catch {
      return undefined;
    }
  }
}

function provider(address: string, token: string | undefined = TOKEN, timeoutMs = 5000) {
  return new VaultTransitProvider({
    address,
    key: 'models',
    mount: 'team/transit',
    token,
    tokenEnv: 'VAULT_TOKEN',
    namespace: 'ml/prod',
    timeoutMs,
  });
}

describe('VaultTransitProvider', () => {
  it('sends the documented Transit request shapes with token and namespace headers', async () => {
    const fake = new FakeTransit();
    const vault = provider(await fake.start());
    const dataKey = randomBytes(32);
    const { kekId, wrapped } = await vault.wrap(dataKey, 'blob|sha256:aa');
    assert.equal(kekId, 'vault:models:v1');
    assert.match(wrapped, /^vault:v1:/);
    assert.deepEqual(await vault.unwrap(wrapped, kekId, 'blob|sha256:aa'), dataKey);
    assert.equal(await vault.primaryId(), 'vault:models:v1');

    const [encrypt, decrypt, read] = [0, 1, 2].map((i) => {
      const seen = fake.seen[i];
      assert.ok(seen);
      return seen;
    }) as [Seen, Seen, Seen];
    assert.equal(encrypt.method, 'POST');
    assert.equal(encrypt.url, '/v1/team/transit/encrypt/models');
    assert.deepEqual(Object.keys(encrypt.body as object), ['plaintext']);
    // 32-byte context tag ‖ 32-byte data key, base64.
    assert.equal(
      Buffer.from((encrypt.body as { plaintext: string }).plaintext, 'base64').length,
      64,
    );
    assert.equal(encrypt.headers['x-vault-token'], TOKEN);
    assert.equal(encrypt.headers['x-vault-namespace'], 'ml/prod');
    assert.equal(encrypt.headers['content-type'], 'application/json');
    assert.deepEqual(decrypt.body, { ciphertext: wrapped });
    assert.equal(decrypt.url, '/v1/team/transit/decrypt/models');
    assert.equal(read.method, 'GET');
    assert.equal(read.url, '/v1/team/transit/keys/models');
  });

  it('binds the context: a key wrapped for one blob does not unwrap for another', async () => {
    const vault = provider(await new FakeTransit().start());
    const { kekId, wrapped } = await vault.wrap(randomBytes(32), 'blob|sha256:aa');
    await assert.rejects(
      vault.unwrap(wrapped, kekId, 'blob|sha256:bb'),
      code('RAMPART_DECRYPT_FAILED'),
    );
    await assert.rejects(
      vault.unwrap(wrapped, 'vault:models:v2', 'blob|sha256:aa'),
      code('RAMPART_DECRYPT_FAILED'),
    );
    const tampered = `${wrapped.slice(0, -6)}AAAA==`;
    await assert.rejects(
      vault.unwrap(tampered, kekId, 'blob|sha256:aa'),
      code('RAMPART_DECRYPT_FAILED'),
    );
  });

  it('rotates with keys/<key>/rotate and re-wraps with rewrap/<key>', async () => {
    const fake = new FakeTransit();
    const vault = provider(await fake.start());
    const dataKey = randomBytes(32);
    const first = await vault.wrap(dataKey, 'ctx');
    assert.deepEqual(await vault.rotate(), { kekId: 'vault:models:v2' });
    const rotate = fake.seen.find((s) => s.url.endsWith('/rotate'));
    assert.ok(rotate);
    assert.equal(rotate.method, 'POST');
    assert.equal(rotate.url, '/v1/team/transit/keys/models/rotate');
    const next = await vault.rewrap(first.wrapped, first.kekId);
    assert.equal(next.kekId, 'vault:models:v2');
    assert.deepEqual(fake.seen.at(-1)?.body, { ciphertext: first.wrapped });
    assert.equal(fake.seen.at(-1)?.url, '/v1/team/transit/rewrap/models');
    assert.deepEqual(await vault.unwrap(next.wrapped, next.kekId, 'ctx'), dataKey);
    assert.deepEqual(await vault.unwrap(first.wrapped, first.kekId, 'ctx'), dataKey);
  });

  it('reports Vault errors with their text but never the token', async () => {
    const fake = new FakeTransit();
    const address = await fake.start();
    await assert.rejects(provider(address, 'wrong-token').primaryId(), (e: unknown) => {
      assert.ok(isRampartError(e, 'RAMPART_REMOTE_FAILED'));
      assert.match(e.message, /HTTP 403: permission denied/);
      assert.ok(!JSON.stringify({ m: e.message, d: e.details }).includes('wrong-token'));
      return true;
    });
    await assert.rejects(provider(address, '').primaryId(), (e: unknown) => {
      assert.ok(isRampartError(e, 'RAMPART_ENCRYPTION_CONFIG_INVALID'));
      assert.match(e.message, /VAULT_TOKEN is not set/);
      return true;
    });
    fake.override = { status: 200, body: 'x'.repeat(100 * 1024) };
    await assert.rejects(provider(address).primaryId(), code('RAMPART_REMOTE_FAILED'));
    fake.override = { status: 200, body: 'not json' };
    await assert.rejects(provider(address).primaryId(), code('RAMPART_REMOTE_FAILED'));
    fake.override = { status: 200, body: '{"data":{"ciphertext":"plain:text"}}' };
    await assert.rejects(
      provider(address).wrap(randomBytes(32), 'c'),
      code('RAMPART_REMOTE_FAILED'),
    );
  });

  it('times out on a server that never answers, and fails on one that is not there', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    after(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const port = (silent.address() as AddressInfo).port;
    await assert.rejects(
      provider(`http://127.0.0.1:${port}`, TOKEN, 200).primaryId(),
      (e: unknown) => {
        assert.ok(isRampartError(e, 'RAMPART_REMOTE_FAILED'));
        assert.match(e.message, /no answer within 200 ms/);
        return true;
      },
    );
    await assert.rejects(provider('http://127.0.0.1:1').primaryId(), code('RAMPART_REMOTE_FAILED'));
    assert.throws(() => provider('ftp://vault'), code('RAMPART_ENCRYPTION_CONFIG_INVALID'));
  });
});

for (const dialect of testDialects()) {
  describe(
    `EncryptedBlobStore over Vault Transit on ${dialect.name}`,
    { skip: dialect.skip },
    () => {
      it('stores, rotates and re-wraps; blob files stay byte-identical', async () => {
        const store = await dialect.open();
        const vault = provider(await new FakeTransit().start());
        const dir = path.join(tempDir(), 'enc');
        const blobs = new EncryptedBlobStore({ dir, store, provider: vault });
        const content = randomBytes(300_000);
        const { digest } = await blobs.put(content);
        const [row] = await store.query<{ provider: string; kek_id: string }>(
          'SELECT provider, kek_id FROM blob_keys',
        );
        assert.deepEqual({ ...row }, { provider: 'vault', kek_id: 'vault:models:v1' });
        await vault.rotate();
        assert.deepEqual(await blobs.rewrapAll(), { rewrapped: 1, unchanged: 0 });
        const [rotated] = await store.query<{ kek_id: string }>('SELECT kek_id FROM blob_keys');
        assert.equal(rotated?.kek_id, 'vault:models:v2');
        assert.deepEqual(await blobs.get(digest), content);
      });
    },
  );
}
