import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRampartError } from '../../core/index.js';
import { testDialects } from '../../../testkit/dialects.js';
import { openStore } from '../index.js';

describe('PostgresStore connection errors', () => {
  it('reports an unreachable server with its host, never the password', async () => {
    const password = 'hunter2-do-not-leak';
    await assert.rejects(
      openStore({
        kind: 'postgres',
        url: `postgres://rampart:${password}@127.0.0.1:1/db`,
        poolMax: 1,
      }),
      (e) =>
        isRampartError(e, 'RAMPART_STORE_UNAVAILABLE') &&
        e.message.includes('127.0.0.1:1') &&
        !JSON.stringify([e.message, e.hint, e.details]).includes(password),
    );
  });

  it('refuses a malformed connection URL without echoing it', async () => {
    const url = 'postgres://user:secret@[bad';
    await assert.rejects(
      openStore({ kind: 'postgres', url, poolMax: 1 }),
      (e) => isRampartError(e, 'RAMPART_CONFIG_INVALID') && !e.message.includes('secret'),
    );
  });

  it('refuses a schema name that is not a plain identifier', async () => {
    await assert.rejects(
      openStore({
        kind: 'postgres',
        url: 'postgres://127.0.0.1:1/db',
        poolMax: 1,
        schema: 'a; DROP',
      }),
      (e) => isRampartError(e, 'RAMPART_CONFIG_INVALID'),
    );
  });
});

const postgres = testDialects().find((d) => d.name === 'postgres');

describe('PostgresStore schemas', { skip: postgres?.skip }, () => {
  it('keeps the tables of two schemas apart', async () => {
    assert.ok(postgres);
    const first = await postgres.open();
    const second = await postgres.open();
    await first.run("INSERT INTO rampart_meta (key, value) VALUES ('where', 'first')");
    assert.deepEqual(await second.query('SELECT key FROM rampart_meta'), []);
    const schemaOf = async (store: typeof first) =>
      (await store.query<{ s: string }>('SELECT current_schema() AS s'))[0]?.s;
    assert.match((await schemaOf(first)) ?? '', /^rampart_test_/);
    assert.notEqual(await schemaOf(first), await schemaOf(second));
  });

  it('returns bytea as a Buffer', async () => {
    assert.ok(postgres);
    const store = await postgres.open();
    const [row] = await store.query<{ b: Buffer }>('SELECT ?::bytea AS b', [
      new Uint8Array([0, 1, 255]),
    ]);
    assert.deepEqual(row?.b, Buffer.from([0, 1, 255]));
  });
});
