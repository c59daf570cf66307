/**
 * PEP 440 versions: parsing (with the spec's normalisations: `alpha` → `a`, `-1` → `.post1`,
 * `_`/`-` separators, a leading `v`, case) and the total order the spec defines. Release
 * numbers are kept as digit strings, so no version is too large to compare exactly.
 */

/** A parsed PEP 440 version. Numbers are digit strings without leading zeros. */
export interface Pep440Version {
  readonly epoch: string;
  readonly release: readonly string[];
  readonly pre?: { readonly label: 'a' | 'b' | 'rc'; readonly number: string };
  readonly post?: string;
  readonly dev?: string;
  /** Local segments, lower-cased, separators dropped. */
  readonly local?: readonly string[];
}

/** Longest version string accepted; real versions are far shorter. */
export const MAX_VERSION_LENGTH = 128;

// The pattern of the PyPA `packaging` library (VERSION_PATTERN), anchored.
const VERSION =
  /^\s*v?(?:(?:(\d+)!)?(\d+(?:\.\d+)*)([-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?(\d+)?)?((?:-(\d+))|(?:[-_.]?(post|rev|r)[-_.]?(\d+)?))?([-_.]?(dev)[-_.]?(\d+)?)?)(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const PRE_LABELS: Readonly<Record<string, 'a' | 'b' | 'rc'>> = {
  alpha: 'a',
  a: 'a',
  beta: 'b',
  b: 'b',
  preview: 'rc',
  pre: 'rc',
  c: 'rc',
  rc: 'rc',
};

/** The version `text` denotes, or undefined when it is not a valid PEP 440 version. */
export function parseVersion(text: string): Pep440Version | undefined {
  if (text.length > MAX_VERSION_LENGTH) return undefined;
  const m = VERSION.exec(text);
  if (m === null) return undefined;
  const [, epoch, release, pre, preLabel, preNumber, post, postDash, , postNumber, dev] = m;
  const devNumber = m[12];
  const local = m[13];
  return {
    epoch: num(epoch),
    release: (release ?? '0').split('.').map(num),
    ...(pre === undefined
      ? {}
      : {
          pre: {
            label: PRE_LABELS[(preLabel ?? '').toLowerCase()] ?? 'rc',
            number: num(preNumber),
          },
        }),
    ...(post === undefined ? {} : { post: num(postDash ?? postNumber) }),
    ...(dev === undefined ? {} : { dev: num(devNumber) }),
    ...(local === undefined ? {} : { local: local.toLowerCase().split(/[-_.]/).map(localPart) }),
  };
}

/** The canonical spelling of a version (`1.0-ALPHA.1` → `1.0a1`). */
export function formatVersion(v: Pep440Version): string {
  let text = v.epoch === '0' ? '' : `${v.epoch}!`;
  text += v.release.join('.');
  if (v.pre !== undefined) text += `${v.pre.label}${v.pre.number}`;
  if (v.post !== undefined) text += `.post${v.post}`;
  if (v.dev !== undefined) text += `.dev${v.dev}`;
  if (v.local !== undefined) text += `+${v.local.join('.')}`;
  return text;
}

/** The canonical spelling of `text`, or undefined when it is not a PEP 440 version. */
export function normaliseVersion(text: string): string | undefined {
  const parsed = parseVersion(text);
  return parsed === undefined ? undefined : formatVersion(parsed);
}

/** Negative, zero or positive as `a` sorts before, equal to or after `b` (PEP 440 order). */
export function compareVersions(a: Pep440Version, b: Pep440Version): number {
  return (
    compareNumbers(a.epoch, b.epoch) ||
    compareRelease(a.release, b.release) ||
    compareNumbers(preKey(a), preKey(b)) ||
    comparePre(a, b) ||
    compareNumbers(postKey(a), postKey(b)) ||
    compareNumbers(devKey(a), devKey(b)) ||
    compareLocal(a.local, b.local)
  );
}

function num(digits: string | undefined): string {
  return digits === undefined ? '0' : digits.replace(/^0+(?=\d)/, '');
}

function localPart(part: string): string {
  return /^\d+$/.test(part) ? num(part) : part;
}

// Digit strings without leading zeros compare by length, then lexically.
function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// Trailing zeros do not count: 1.0 == 1.0.0.
function compareRelease(a: readonly string[], b: readonly string[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compareNumbers(a[i] ?? '0', b[i] ?? '0');
    if (order !== 0) return order;
  }
  return 0;
}

/*
 * The phase of a release before its final: a dev release of the final itself (1.0.dev1) sorts
 * before every pre-release of it, a pre-release before the final. Encoded as 0/1/2.
 */
function preKey(v: Pep440Version): string {
  if (v.pre !== undefined) return '1';
  return v.post === undefined && v.dev !== undefined ? '0' : '2';
}

function comparePre(a: Pep440Version, b: Pep440Version): number {
  if (a.pre === undefined || b.pre === undefined) return 0;
  if (a.pre.label !== b.pre.label) return a.pre.label < b.pre.label ? -1 : 1; // a < b < rc
  return compareNumbers(a.pre.number, b.pre.number);
}

// No post release sorts before any post release: the empty key is shorter than any number.
function postKey(v: Pep440Version): string {
  return v.post === undefined ? '' : v.post;
}

// A dev release sorts before the same version without one: none gets a key longer than any number.
function devKey(v: Pep440Version): string {
  return v.dev === undefined ? 'x'.repeat(MAX_VERSION_LENGTH + 1) : v.dev;
}

// Numeric segments sort after alphanumeric ones; a longer local with an equal prefix sorts later.
function compareLocal(a: readonly string[] | undefined, b: readonly string[] | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    const xNum = /^\d+$/.test(x);
    const yNum = /^\d+$/.test(y);
    if (xNum !== yNum) return xNum ? 1 : -1;
    const order = xNum ? compareNumbers(x, y) : x < y ? -1 : x > y ? 1 : 0;
    if (order !== 0) return order;
  }
  return a.length - b.length;
}
