import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { comparePosixPaths } from './path-order.js';

// Reference: Python PurePosixPath order, spelled out the slow way (lists of components, each a
// list of code points).
function referenceCompare(a: string, b: string): number {
  const left = a.split('/').map((part) => Array.from(part, (char) => char.codePointAt(0) ?? 0));
  const right = b.split('/').map((part) => Array.from(part, (char) => char.codePointAt(0) ?? 0));
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]!;
    const y = right[i]!;
    for (let j = 0; j < Math.min(x.length, y.length); j++) {
      if (x[j] !== y[j]) return x[j]! - y[j]!;
    }
    if (x.length !== y.length) return x.length - y.length;
  }
  return left.length - right.length;
}

// Characters chosen to sit around `/` (0x2f), across the BMP and beyond it, including the
// range where UTF-16 order and code point order disagree.
const CHARS = [
  ' ',
  '-',
  '.',
  '0',
  'A',
  'B',
  'a',
  'b',
  '_',
  'ä',
  '\uE000',
  '\uFFFF',
  '😀',
  '𝟘',
  '\uD800',
];
const component = fc
  .array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 4 })
  .map((chars) => chars.join(''));
const posixPath = fc
  .array(component, { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('/'));

describe('comparePosixPaths', () => {
  it('orders the OMS example by components and code points', () => {
    const expected = ['A', 'a/b', 'a/b/c', 'a b/c', 'a-b', 'a.txt', 'ab', 'ä'];
    const shuffled = [...expected].reverse();
    assert.deepEqual(shuffled.sort(comparePosixPaths), expected);
    // Plain JavaScript string order differs, which is why the comparator exists.
    assert.notDeepEqual([...expected].sort(), expected);
  });

  it('orders supplementary characters after every BMP character', () => {
    assert.ok(comparePosixPaths('\uFFFF', '😀') < 0);
    assert.ok(comparePosixPaths('a/\uE000', 'a/😀') < 0);
  });

  it('agrees in sign with the component-by-component reference', () => {
    fc.assert(
      fc.property(posixPath, posixPath, (a, b) => {
        assert.equal(Math.sign(comparePosixPaths(a, b)), Math.sign(referenceCompare(a, b)));
      }),
      { numRuns: 2000 },
    );
  });

  it('is antisymmetric and returns zero only for equal paths', () => {
    fc.assert(
      fc.property(posixPath, posixPath, (a, b) => {
        // Sum, not negation: strict equality tells 0 from -0.
        assert.equal(Math.sign(comparePosixPaths(a, b)) + Math.sign(comparePosixPaths(b, a)), 0);
        assert.equal(comparePosixPaths(a, b) === 0, a === b);
      }),
    );
  });

  it('sorts lists the same way as the reference', () => {
    fc.assert(
      fc.property(fc.array(posixPath, { maxLength: 30 }), (paths) => {
        assert.deepEqual([...paths].sort(comparePosixPaths), [...paths].sort(referenceCompare));
      }),
    );
  });
});
