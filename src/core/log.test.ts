import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createLogger } from './log.js';

const now = () => new Date('2026-01-02T03:04:05.000Z');

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, message and fields', () => {
    const lines: string[] = [];
    createLogger({ level: 'info', format: 'json', sink: (l) => lines.push(l), now }).info('hello', {
      n: 1,
    });
    assert.deepEqual(lines, [
      '{"time":"2026-01-02T03:04:05.000Z","level":"info","msg":"hello","n":1}\n',
    ]);
  });

  it('drops lines below the level and keeps child bindings', () => {
    const lines: string[] = [];
    const log = createLogger({
      level: 'warn',
      format: 'json',
      sink: (l) => lines.push(l),
      now,
    }).child({ part: 'x' });
    log.info('quiet');
    log.error('loud');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /"part":"x"/);
  });

  it('redacts fields whose names look like secrets', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', format: 'text', sink: (l) => lines.push(l), now });
    log.info('auth', { token: 'rmp_abc', Authorization: 'Bearer x', apiKey: 'k', user: 'alice' });
    assert.doesNotMatch(lines.join(''), /rmp_abc|Bearer x|=k\b/);
    assert.match(lines.join(''), /user="alice"/);
  });

  it('leaves out fields whose value is undefined, in both formats', () => {
    const lines: string[] = [];
    for (const format of ['json', 'text'] as const) {
      createLogger({ level: 'info', format, sink: (l) => lines.push(l), now }).info('x', {
        reason: undefined,
        status: 401,
      });
    }
    assert.equal(
      lines[0],
      '{"time":"2026-01-02T03:04:05.000Z","level":"info","msg":"x","status":401}\n',
    );
    assert.equal(lines[1], '2026-01-02T03:04:05.000Z INFO x status=401\n');
  });

  it('cannot be tricked into forged lines, spoofed levels or nested secrets', () => {
    const text: string[] = [];
    createLogger({ level: 'debug', format: 'text', sink: (l) => text.push(l), now }).info(
      'request',
      {
        path: '/x\n2026-01-02T03:04:05.000Z ERROR forged',
      },
    );
    assert.equal(text.join('').split('\n').length, 2, 'one line and its newline');
    const json: string[] = [];
    createLogger({ level: 'debug', format: 'json', sink: (l) => json.push(l), now }).info('hi', {
      level: 'error',
      msg: 'spoofed',
      nested: { token: 'rmp_secret', deeper: [{ password: 'pw' }] },
    });
    const record = JSON.parse(json[0] ?? '{}') as Record<string, unknown>;
    assert.equal(record.level, 'info');
    assert.equal(record.msg, 'hi');
    assert.doesNotMatch(json[0] ?? '', /rmp_secret|"pw"/);
  });
});

describe('createLogger JSON lines', () => {
  // The specification both ways of writing a line must meet: time, level, msg, then bindings,
  // then fields (a field replaces a binding of the same name), reserved names prefixed with `_`,
  // secret-looking names redacted at any depth.
  const SECRET = /token|secret|password|passphrase|authorization|cookie|api[-_]?key|private/i;
  const redacted = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map(redacted);
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET.test(k) ? '[redacted]' : redacted(v)]),
    );
  };
  const expected = (bindings: Record<string, unknown>, fields: Record<string, unknown>) => {
    const line: Record<string, unknown> = {
      time: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'm"\n',
    };
    for (const part of [bindings, fields]) {
      for (const [k, v] of Object.entries(part)) {
        line[['time', 'level', 'msg'].includes(k) ? `_${k}` : k] = SECRET.test(k)
          ? '[redacted]'
          : redacted(v);
      }
    }
    return `${JSON.stringify(line)}\n`;
  };
  const key = fc.oneof(
    fc.constantFrom('time', 'level', 'msg', 'token', 'apiKey', '0', '12', 'status', 'model', 'a'),
    fc.string({ maxLength: 6 }),
  );
  const value = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.dictionary(key, fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 2 }),
  );
  const record = fc.dictionary(key, value, { maxKeys: 6 });

  it('writes every line as the specification says, flat or nested, with or without bindings', () => {
    fc.assert(
      fc.property(record, record, (bindings, fields) => {
        const lines: string[] = [];
        const root = createLogger({
          level: 'info',
          format: 'json',
          sink: (l) => lines.push(l),
          now,
        });
        root.child(bindings).info('m"\n', fields);
        root.info('m"\n', fields);
        assert.equal(lines[0], expected(bindings, fields));
        assert.equal(lines[1], expected({}, fields));
      }),
      { numRuns: 500 },
    );
  });
});
