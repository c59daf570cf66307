/** PEP 503 package names: runs of `-`, `_` and `.` become one `-`, letters lower-cased. */

/** Longest package name accepted from a lockfile or an advisory. */
export const MAX_PACKAGE_NAME = 200;

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

/** True when `name` is a valid Python distribution name (PEP 508). */
export function isPackageName(name: string): boolean {
  return name.length <= MAX_PACKAGE_NAME && NAME.test(name);
}

/** The PEP 503 normal form of a distribution name (`Foo_Bar.baz` → `foo-bar-baz`). */
export function normalisePackageName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}
