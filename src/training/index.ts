export { AdvisoryDatabase, MAX_RECORD_BYTES, MAX_RECORDS_PER_PACKAGE } from './advisory-db.js';
export type { AdvisoryDatabaseOptions, AdvisorySource, PackageAdvisories } from './advisory-db.js';
export { IMPORT_LIMITS, importAdvisories } from './advisory-import.js';
export type {
  ImportOptions,
  ImportResult,
  ImportSource,
  SkippedRecord,
} from './advisory-import.js';
export {
  ADVISORY_STORE_FORMAT,
  advisoriesFolder,
  ImportedAdvisoryDatabase,
  readAdvisoryIndex,
} from './advisory-store.js';
export type { AdvisoryIndex } from './advisory-store.js';
export { isRecordName, walkRecords } from './advisory-walk.js';
export type { RecordEntry, WalkLimits } from './advisory-walk.js';
export { DEPENDENCY_RULES, dependencySarif } from './deps-sarif.js';
export type { AdvisoryEcosystem, Ecosystem, RangeType } from './ecosystem.js';
export { compareSemver, MAX_SEMVER_LENGTH, parseSemver } from './semver.js';
export type { SemVer } from './semver.js';
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
export type { Advisory, AffectedPackage, OsvRange, RangeEvent, RangeVerdict } from './osv.js';
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
export { datasetVariable, PASSED_VARIABLES, runEnvironment } from './env.js';
export type { RunDataset } from './env.js';
export { isolatedCommand, isolationAvailable } from './isolation.js';
export type { IsolatedCommand, Isolation } from './isolation.js';
export { gitState, runCommand } from './process.js';
export type { CommandOutcome, GitState } from './process.js';
export {
  LOCAL_BUILDER_ID,
  runStatement,
  SLSA_PROVENANCE_V1,
  TRAIN_BUILD_TYPE,
} from './provenance.js';
export type { NamedDigest, RunFacts } from './provenance.js';
export { recordRun } from './run.js';
export type { RecordedRun, RunPlan, RunServices } from './run.js';
export { findRun, insertRun, listRuns } from './runs-repo.js';
export type { RunSummary, StoredRun } from './runs-repo.js';
export { datasetCheck, verifyRun } from './verify-run.js';
export type { BrokenLink, RunVerification, VerifyRunServices } from './verify-run.js';
export { executePlan } from './run.js';
export type { Execution } from './run.js';
export { reproduceRun } from './reproduce.js';
export type { OutputComparison, Reproduction } from './reproduce.js';
