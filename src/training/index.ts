export { AdvisoryDatabase, MAX_RECORD_BYTES, MAX_RECORDS_PER_PACKAGE } from './advisory-db.js';
export type { AdvisoryDatabaseOptions, PackageAdvisories } from './advisory-db.js';
export { auditDependencies, problemOf } from './audit-deps.js';
export type {
  AuditProblem,
  DependencyAuditReport,
  DependencyFinding,
  FindingSite,
  PinningFinding,
  VulnerableFinding,
} from './audit-deps.js';
export {
  lockfileFormat,
  MAX_DEPENDENCIES,
  MAX_LOCKFILE_BYTES,
  parseLockfile,
  readLockfile,
} from './lockfile.js';
export type { LockedDependency, Lockfile, LockfileFormat } from './lockfile.js';
export { isPackageName, normalisePackageName } from './names.js';
export { evaluateAffected, parseAdvisory } from './osv.js';
export type { Advisory, AffectedPackage, RangeEvent, RangeVerdict } from './osv.js';
export {
  compareVersions,
  formatVersion,
  MAX_VERSION_LENGTH,
  normaliseVersion,
  parseVersion,
} from './pep440.js';
export type { Pep440Version } from './pep440.js';
export { parseTomlSubset } from './toml-subset.js';
export type { TomlDocument, TomlTable, TomlValue } from './toml-subset.js';
