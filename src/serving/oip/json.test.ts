import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { jsonDepth, parseJsonLimited } from './json.js';

function depthOf(value: unknown): number {
  if (Array.isArray(value)) return 1 + Math.max(0, ...value.map(depthOf));
  if (typeof value === 'object' && value !== null) {
    return 1 + Math.max(0, ...Object.values(value).map(depthOf));
  }
  return 0;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('jsonDepth', () => {
  it('measures the nesting of any JSON value, ignoring brackets inside strings', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        assert.equal(jsonDepth(text, 100), depthOf(value));
      }),
    );
    assert.equal(jsonDepth('{"a": "[[[[\\"{{"}', 10), 1);
  });

  it('stops counting once past the limit', () => {
    assert.equal(jsonDepth('['.repeat(100_000), 32), 33);
  });
});

describe('parseJsonLimited', () => {
  it('parses JSON within the depth limit', () => {
    assert.deepEqual(parseJsonLimited(bytes('{"a":[1,[2]]}'), 3), {
      ok: true,
      value: { a: [1, [2]] },
    });
  });

  it('refuses deep nesting, invalid UTF-8 and invalid JSON with a reason', () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assert.deepEqual(parseJsonLimited(bytes(deep), 32), {
      ok: false,
      error: 'the JSON body is nested deeper than 32 levels',
    });
    assert.equal(parseJsonLimited(new Uint8Array([0x7b, 0xff, 0x7d]), 8).ok, false);
    assert.equal(parseJsonLimited(bytes('{"a":'), 8).ok, false);
  });
});
