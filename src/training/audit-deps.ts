/**
 * The dependency audit: every dependency of every lockfile must be pinned to an exact version,
 * carry a hash, and not be a version any (non-withdrawn) advisory names. Only the advisory
 * folders of the packages in the lockfiles are read.
 */
import { mapLimit, type RampartError } from '../core/index.js';
import type { AdvisorySource, PackageAdvisories } from './advisory-db.js';
import { versionOrder, type AdvisoryEcosystem, type Ecosystem } from './ecosystem.js';
import type { LockedDependency, Lockfile } from './lockfile.js';
import { evaluateAffected } from './osv.js';

/** Where a finding was declared. */
export interface FindingSite {
  readonly lockfile: string;
  readonly line?: number;
  readonly ecosystem: Ecosystem;
  readonly package: string;
}

/** A dependency with a known advisory. */
export interface VulnerableFinding extends FindingSite {
  readonly kind: 'vulnerable';
  readonly version: string;
  readonly advisory: string;
  /** Other ids of the same advisory (CVE, GHSA). */
  readonly aliases: readonly string[];
  readonly summary: string;
  /** Versions in which the advisory says it is fixed (may be empty). */
  readonly fixed: readonly string[];
  /** CVSS vectors, when the advisory gives them. */
  readonly severity: readonly { readonly type: string; readonly score: string }[];
}

/**
 * A dependency not pinned to one exact version, with no hash to check its files against, or
 * (npm) resolved from git, a file or a tarball URL instead of a registry.
 */
export interface PinningFinding extends FindingSite {
  readonly kind: 'unpinned' | 'unhashed' | 'not-registry';
  readonly version?: string;
  readonly reason: string;
}

/** One thing the audit found. */
export type DependencyFinding = VulnerableFinding | PinningFinding;

/** Something that kept the audit from being complete (an unreadable advisory, an unfollowed include). */
export interface AuditProblem {
  readonly message: string;
  readonly code?: string;
  readonly lockfile?: string;
  readonly line?: number;
  readonly package?: string;
}

/** The outcome of {@link auditDependencies}. */
export interface DependencyAuditReport {
  readonly lockfiles: readonly {
    readonly path: string;
    readonly format: string;
    readonly dependencies: number;
  }[];
  readonly findings: readonly DependencyFinding[];
  readonly problems: readonly AuditProblem[];
  /** Packages whose advisories were read, and advisories skipped as withdrawn. */
  readonly packagesChecked: number;
  readonly withdrawnSkipped: number;
}

// Package folders read at once.
const CONCURRENCY = 16;

/**
 * Audits `lockfiles` against `database`. conda packages are checked for pins and hashes only.
 * Never throws for a finding; problems are reported.
 */
export async function auditDependencies(
  lockfiles: readonly Lockfile[],
  database: AdvisorySource,
): Promise<DependencyAuditReport> {
  const wanted = new Map<string, { ecosystem: AdvisoryEcosystem; name: string }>();
  for (const dep of lockfiles.flatMap((l) => l.dependencies)) {
    const ecosystem = advisoryEcosystemOf(dep);
    if (ecosystem !== undefined && hasVersion(dep))
      wanted.set(keyOf(ecosystem, dep.name), { ecosystem, name: dep.name });
  }
  const names = [...wanted.keys()].sort();
  const loaded = await mapLimit(names, CONCURRENCY, async (key) => {
    const { ecosystem, name } = wanted.get(key) ?? { ecosystem: 'PyPI' as const, name: key };
    return [key, name, await database.advisoriesFor(name, ecosystem)] as const;
  });
  const byName = new Map<string, PackageAdvisories>(loaded.map(([key, , r]) => [key, r]));
  const findings: DependencyFinding[] = [];
  const problems: AuditProblem[] = [];
  let withdrawnSkipped = 0;
  for (const [, name, result] of loaded) {
    withdrawnSkipped += result.withdrawn;
    problems.push(...result.errors.map((error) => problemOf(error, name)));
  }
  for (const lockfile of lockfiles) {
    problems.push(
      ...lockfile.notes.map((n) => ({ message: n.message, lockfile: lockfile.path, line: n.line })),
    );
    for (const dep of lockfile.dependencies) {
      const site = siteOf(lockfile, dep);
      if (dep.notRegistry !== undefined)
        findings.push({
          kind: 'not-registry',
          ...site,
          ...versionOf(dep),
          reason: dep.notRegistry,
        });
      if (dep.unpinned !== undefined)
        findings.push({ kind: 'unpinned', ...site, ...versionOf(dep), reason: dep.unpinned });
      if (dep.hashes.length === 0)
        findings.push({ kind: 'unhashed', ...site, ...versionOf(dep), reason: 'no hash' });
      const ecosystem = advisoryEcosystemOf(dep);
      if (ecosystem === undefined || !hasVersion(dep)) continue;
      const order = versionOrder(ecosystem, 'ECOSYSTEM');
      if (order.parse(dep.version) === undefined) {
        problems.push({
          ...site,
          message: `${dep.name} ${dep.version} is not a ${order.name} version: only exact matches in advisory version lists were checked`,
        });
      }
      const advisories = byName.get(keyOf(ecosystem, dep.name))?.advisories ?? [];
      for (const advisory of advisories) {
        const entries = advisory.affected.filter(
          (a) => a.ecosystem === ecosystem && a.name === dep.name,
        );
        for (const entry of entries) {
          const verdict = evaluateAffected(entry, dep.version);
          if (verdict.unparseable.length > 0) {
            problems.push({
              ...site,
              message: `${advisory.id}: range versions ${verdict.unparseable.join(', ')} could not be ordered: the range could not be evaluated for ${dep.version}`,
            });
          }
          if (!verdict.affected) continue;
          findings.push({
            kind: 'vulnerable',
            ...site,
            version: dep.version,
            advisory: advisory.id,
            aliases: advisory.aliases,
            summary: advisory.summary,
            fixed: verdict.fixed,
            severity: advisory.severity,
          });
          break;
        }
      }
    }
  }
  return {
    lockfiles: lockfiles.map((l) => ({
      path: l.path,
      format: l.format,
      dependencies: l.dependencies.length,
    })),
    findings,
    problems,
    packagesChecked: names.length,
    withdrawnSkipped,
  };
}

/** A problem entry for an error raised while reading a lockfile or an advisory. */
export function problemOf(error: RampartError, packageName?: string): AuditProblem {
  const line = error.details.line;
  const file = error.details.path;
  return {
    message: error.message,
    code: error.code,
    ...(packageName === undefined ? {} : { package: packageName }),
    ...(packageName === undefined && typeof file === 'string' ? { lockfile: file } : {}),
    ...(typeof line === 'number' ? { line } : {}),
  };
}

function advisoryEcosystemOf(dep: LockedDependency): AdvisoryEcosystem | undefined {
  return dep.ecosystem === 'conda' ? undefined : dep.ecosystem;
}

function keyOf(ecosystem: AdvisoryEcosystem, name: string): string {
  return `${ecosystem}\0${name}`;
}

function hasVersion(dep: LockedDependency): dep is LockedDependency & { version: string } {
  return dep.version !== undefined;
}

function versionOf(dep: LockedDependency): { version?: string } {
  return dep.version === undefined ? {} : { version: dep.version };
}

function siteOf(lockfile: Lockfile, dep: LockedDependency): FindingSite {
  return {
    lockfile: lockfile.path,
    ...(dep.line === undefined ? {} : { line: dep.line }),
    ecosystem: dep.ecosystem,
    package: dep.name,
  };
}
