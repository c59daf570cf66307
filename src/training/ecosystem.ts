/**
 * Package ecosystems the dependency audit knows: how their names are normalised and how their
 * versions are ordered. PyPI uses PEP 503 names and PEP 440 order; npm uses exact names and
 * semver order. conda packages are audited for pins and hashes only: OSV has no conda ecosystem.
 */
import { normalisePackageName } from './names.js';
import { compareVersions, parseVersion } from './pep440.js';
import { compareSemver, parseSemver } from './semver.js';

/** The ecosystem a locked dependency comes from. */
export type Ecosystem = 'PyPI' | 'npm' | 'conda';
/** The ecosystems advisories are evaluated for. */
export type AdvisoryEcosystem = 'PyPI' | 'npm';
/** The OSV range types evaluated (GIT ranges name commits, not releases). */
export type RangeType = 'ECOSYSTEM' | 'SEMVER';

/** A total order over one ecosystem's versions. */
export interface VersionOrder {
  /** The name of the ordering, for messages (`PEP 440`, `semver`). */
  readonly name: string;
  /** A comparable key for `text`, or undefined when it is not a version of this order. */
  parse(text: string): unknown;
  compare(a: unknown, b: unknown): number;
}

const PEP440_ORDER: VersionOrder = {
  name: 'PEP 440',
  parse: parseVersion,
  compare: (a, b) => compareVersions(a as never, b as never),
};
const SEMVER_ORDER: VersionOrder = {
  name: 'semver',
  parse: parseSemver,
  compare: (a, b) => compareSemver(a as never, b as never),
};

/** The advisory ecosystem of an OSV `package.ecosystem` ("PyPI", "PyPI:3.8", "npm"), if evaluated. */
export function advisoryEcosystem(osv: string): AdvisoryEcosystem | undefined {
  if (osv === 'PyPI' || osv.startsWith('PyPI:')) return 'PyPI';
  if (osv === 'npm' || osv.startsWith('npm:')) return 'npm';
  return undefined;
}

/** The name an ecosystem compares packages by: PEP 503 for PyPI, exact for npm and conda. */
export function packageName(ecosystem: Ecosystem, name: string): string {
  return ecosystem === 'PyPI' ? normalisePackageName(name) : name;
}

/**
 * The key a package's advisories are stored under: its name, lower-cased for npm so that file
 * names do not collide on case-insensitive file systems (records are then matched exactly).
 */
export function packageKey(ecosystem: AdvisoryEcosystem, name: string): string {
  return ecosystem === 'PyPI' ? normalisePackageName(name) : name.toLowerCase();
}

/** How versions of a range are ordered: SEMVER ranges by semver, ECOSYSTEM ranges by the ecosystem. */
export function versionOrder(ecosystem: AdvisoryEcosystem, type: RangeType): VersionOrder {
  return type === 'SEMVER' || ecosystem === 'npm' ? SEMVER_ORDER : PEP440_ORDER;
}
