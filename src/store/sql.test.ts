import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isRampartError } from '../core/index.js';
import { toNumberedPlaceholders, toSafeNumber } from './sql.js';

describe('toNumberedPlaceholders', () => {
  it('numbers placeholders from 1 in order', () => {
    assert.equal(
      toNumberedPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)'),
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
  });

  it('leaves ? alone inside literals, identifiers, comments and dollar quotes', () => {
    const cases: [string, string][] = [
      ["SELECT 'a?b', ?", "SELECT 'a?b', $1"],
      ["SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"],
      ["SELECT E'\\'?', ?", "SELECT E'\\'?', $1"],
      ['SELECT "col?" FROM t WHERE x = ?', 'SELECT "col?" FROM t WHERE x = $1'],
      ['SELECT ? -- why?\n, ?', 'SELECT $1 -- why?\n, $2'],
      ['SELECT /* a /* nested? */ ? */ ?', 'SELECT /* a /* nested? */ ? */ $1'],
      ['SELECT $$ ? $$, $tag$ ?$$? $tag$, ?', 'SELECT $$ ? $$, $tag$ ?$$? $tag$, $1'],
      ["SELECT name' ?", "SELECT name' ?"],
    ];
    for (const [input, expected] of cases) assert.equal(toNumberedPlaceholders(input), expected);
  });

  it('rewrites exactly the placeholders outside quoted fragments (property)', () => {
    const quoted = fc.oneof(
      fc.string().map((s) => `'${s.replaceAll("'", "''")}'`),
      fc.string().map((s) => `"${s.replaceAll('"', '""')}"`),
      fc.string().map((s) => `/*${s.replace(/[*/]/g, '')}*/`),
      fc.string().map((s) => `--${s.replaceAll('\n', ' ')}\n`),
    );
    const plain = fc.stringMatching(/^[a-z0-9 ,=()]*$/);
    const fragment = fc.oneof(
      quoted.map((text) => ({ text, placeholder: false })),
      plain.map((text) => ({ text: ` ${text} `, placeholder: false })),
      fc.constant({ text: ' ? ', placeholder: true }),
    );
    fc.assert(
      fc.property(fc.array(fragment), (fragments) => {
        let n = 0;
        const expected = fragments.map((f) => (f.placeholder ? ` $${(n += 1)} ` : f.text)).join('');
        assert.equal(toNumberedPlaceholders(fragments.map((f) => f.text).join('')), expected);
      }),
    );
  });
});

describe('toSafeNumber', () => {
  it('converts integers up to ±(2^53 - 1)', () => {
    assert.equal(toSafeNumber(9007199254740991n, 'c'), Number.MAX_SAFE_INTEGER);
    assert.equal(toSafeNumber('-9007199254740991', 'c'), -Number.MAX_SAFE_INTEGER);
  });

  it('refuses integers a double would round', () => {
    for (const value of [9007199254740992n, '-9007199254740993', '18446744073709551615']) {
      assert.throws(
        () => toSafeNumber(value, 'c'),
        (e) => isRampartError(e, 'RAMPART_STORE_QUERY_FAILED'),
      );
    }
  });
});
