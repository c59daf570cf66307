/**
 * The dependency audit: every dependency of every lockfile must be pinned to an exact version,
 * carry a hash, and not be a version any (non-withdrawn) advisory names. Only the advisory
 * folders of the packages in the lockfiles are read.
 */
import { mapLimit, type RampartError } from '../core/index.js';
import type { AdvisoryDatabase } from './advisory-db.js';
import type { LockedDependency, Lockfile } from './lockfile.js';
import { evaluateAffected } from './osv.js';
import { parseVersion } from './pep440.js';

/** Where a finding was declared. */
export interface FindingSite {
  readonly lockfile: string;
  readonly line?: number;
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

/** A dependency not pinned to one exact version, or with no hash to check its files against. */
export interface PinningFinding extends FindingSite {
  readonly kind: 'unpinned' | 'unhashed';
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

/** Audits `lockfiles` against `database`. Never throws for a finding; problems are reported. */
export async function auditDependencies(
  lockfiles: readonly Lockfile[],
  database: AdvisoryDatabase,
): Promise<DependencyAuditReport> {
  const names = [
    ...new Set(lockfiles.flatMap((l) => l.dependencies.filter(hasVersion).map((d) => d.name))),
  ].sort();
  const loaded = await mapLimit(
    names,
    CONCURRENCY,
    async (name) => [name, await database.advisoriesFor(name)] as const,
  );
  const byName = new Map(loaded);
  const findings: DependencyFinding[] = [];
  const problems: AuditProblem[] = [];
  let withdrawnSkipped = 0;
  for (const [name, result] of loaded) {
    withdrawnSkipped += result.withdrawn;
    problems.push(...result.errors.map((error) => problemOf(error, name)));
  }
  for (const lockfile of lockfiles) {
    problems.push(
      ...lockfile.notes.map((n) => ({ message: n.message, lockfile: lockfile.path, line: n.line })),
    );
    for (const dep of lockfile.dependencies) {
      const site = siteOf(lockfile, dep);
      if (dep.unpinned !== undefined)
        findings.push({ kind: 'unpinned', ...site, ...versionOf(dep), reason: dep.unpinned });
      if (dep.hashes.length === 0)
        findings.push({ kind: 'unhashed', ...site, ...versionOf(dep), reason: 'no hash' });
      if (!hasVersion(dep)) continue;
      if (parseVersion(dep.version) === undefined) {
        problems.push({
          ...site,
          message: `${dep.name} ${dep.version} is not a PEP 440 version: only exact matches in advisory version lists were checked`,
        });
      }
      for (const advisory of byName.get(dep.name)?.advisories ?? []) {
        for (const entry of advisory.affected.filter((a) => a.name === dep.name)) {
          const verdict = evaluateAffected(entry, dep.version);
          if (verdict.unparseable.length > 0) {
            problems.push({
              ...site,
              message: `${advisory.id}: range versions ${verdict.unparseable.join(', ')} are not PEP 440: the range could not be evaluated for ${dep.version}`,
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
    package: dep.name,
  };
}
