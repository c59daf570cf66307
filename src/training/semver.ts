/**
 * Semantic Versioning 2.0.0 (semver.org): strict parsing and precedence. npm versions and OSV
 * SEMVER ranges are ordered by it. Build metadata is parsed but never affects precedence.
 */

/** Longest version string accepted. */
export const MAX_SEMVER_LENGTH = 256;

/** A parsed semantic version. Numeric parts stay strings so any length compares exactly. */
export interface SemVer {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** Pre-release identifiers (`alpha`, `1`); empty for a release. */
  readonly prerelease: readonly string[];
  readonly build: readonly string[];
}

// semver.org's regular expression: no leading zeros in numbers or numeric identifiers.
const NUMBER = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUMBER}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = new RegExp(
  `^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})` +
    `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`,
);
const NUMERIC = /^\d+$/;

/** Parses `text` as a semantic version (an optional leading `v` or `=` is allowed, as npm does). */
export function parseSemver(text: string): SemVer | undefined {
  if (text.length > MAX_SEMVER_LENGTH) return undefined;
  const match = SEMVER.exec(text.trim().replace(/^[v=]/, ''));
  if (match === null) return undefined;
  const [, major = '', minor = '', patch = '', pre, build] = match;
  return {
    major,
    minor,
    patch,
    prerelease: pre === undefined ? [] : pre.split('.'),
    build: build === undefined ? [] : build.split('.'),
  };
}

/** Semver precedence: negative when `a` < `b`, 0 when equal (build metadata ignored), positive otherwise. */
export function compareSemver(a: SemVer, b: SemVer): number {
  const core =
    compareNumbers(a.major, b.major) ||
    compareNumbers(a.minor, b.minor) ||
    compareNumbers(a.patch, b.patch);
  if (core !== 0) return core;
  // A pre-release sorts before its release.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    if (a.prerelease.length === b.prerelease.length) return 0;
    return a.prerelease.length === 0 ? 1 : -1;
  }
  const shared = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < shared; i++) {
    const order = compareIdentifiers(a.prerelease[i] ?? '', b.prerelease[i] ?? '');
    if (order !== 0) return order;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

// Numeric identifiers compare as numbers and sort before alphanumeric ones, which compare in ASCII order.
function compareIdentifiers(a: string, b: string): number {
  const numericA = NUMERIC.test(a);
  const numericB = NUMERIC.test(b);
  if (numericA && numericB) return compareNumbers(a, b);
  if (numericA !== numericB) return numericA ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Without leading zeros, a longer number is larger; equal lengths compare as text.
function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return Math.sign(a.length - b.length);
  return a < b ? -1 : a > b ? 1 : 0;
}
