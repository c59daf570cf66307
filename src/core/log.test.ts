import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
