/**
 * The resource order of OpenSSF model signing: paths compare as lists of `/`-separated
 * components, each component by Unicode code point (Python `PurePosixPath` order).
 */

const SLASH = 0x2f;

/**
 * Orders two normalised relative POSIX paths (no empty, `.` or `..` components) the way the
 * OMS reference tool sorts resources; e.g. `A` < `a/b` < `a/b/c` < `a b/c` < `a-b` < `a.txt`.
 * Returns a negative number, zero or a positive number.
 */
export function comparePosixPaths(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return rank(x) - rank(y);
    // Equal code points have equal UTF-16 widths, so one index serves both strings.
    i += x > 0xffff ? 2 : 1;
  }
  // One path is a prefix of the other: the shorter (fewer components, or a shorter last
  // component) sorts first.
  return a.length - b.length;
}

// A component ends at `/`, and a component that ends sorts before any longer one, so `/`
// ranks below every other code point (paths never contain U+0000).
function rank(codePoint: number): number {
  return codePoint === SLASH ? -1 : codePoint;
}
