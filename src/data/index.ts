export { addDatasetVersion } from './add.js';
export type { AddDatasetInput, AddDatasetResult } from './add.js';
export { verifyDatasetVersion } from './verify.js';
export type { ProvenanceCheck, VerifyDatasetResult } from './verify.js';
export { datasetLineage, listDatasets, showDatasetVersion } from './inspect.js';
export type { DatasetListing, DatasetVersionView, LineageNode } from './inspect.js';
export { datasetContext, datasetServices, datasetTrustedKey } from './context.js';
export type { AuditSink, DatasetContext, DatasetServices } from './context.js';
export { changedRanges, compareManifests } from './compare.js';
export type { ByteRange, ChangedFile, ManifestDiff } from './compare.js';
export { buildManifest, DEFAULT_CHUNK_SIZE, MANIFEST_FORMAT, manifestDigest } from './manifest.js';
export type { BuildManifestOptions, DatasetFile, DatasetManifest } from './manifest.js';
export { parseManifest } from './manifest-parse.js';
export { checkDatasetName, parseCollectedAt, parseDatasetRef } from './names.js';
export type { DatasetRef, VersionSelector } from './names.js';
export { mayAddDatasetVersion } from './policy.js';
export { DATASET_PROVENANCE_TYPE, openProvenance, signProvenance } from './provenance.js';
export type { DatasetProvenance, ParentRef } from './provenance.js';
export { findVersion, insertVersion, listVersions, nextSequence, parentsOf } from './repository.js';
export type { VersionKey, VersionRecord, VersionSummary } from './repository.js';
export {
  binShares,
  chi2Sf,
  chiSquareContingency,
  chiSquareDrift,
  chiSquareGof,
  contingencyDrift,
  hellingerDrift,
  jensenShannon,
  jensenShannonDrift,
  klDivDrift,
  klDivergence,
  kolmogorovSf,
  ks2samp,
  KS_MAX_EXACT_N,
  normedWasserstein,
  psiDrift,
  wassersteinDistance,
  zTestDrift,
} from './drift/index.js';
export type {
  BinnedShares,
  CategoricalTestResult,
  Category,
  ChiSquareResult,
  ColumnKind,
  ContingencyResult,
  KsResult,
  TestResult,
} from './drift/index.js';
export { openTable } from './table/open.js';
export { DEFAULT_BATCH_ROWS, DEFAULT_INFER_ROWS, DEFAULT_TABLE_LIMITS } from './table/options.js';
export { CELL_INVALID, CELL_MISSING, CELL_PRESENT } from './table/batch.js';
export type { ColumnBatch, ColumnType } from './table/batch.js';
export type {
  ReadTableOptions,
  RowGroupRange,
  TableColumn,
  TableFormat,
  TableLimits,
  TableReader,
} from './table/options.js';
export { NA_STRINGS } from './table/cells.js';
export { MAX_INVALID_SAMPLES, MAX_INVALID_TEXT } from './table/columns.js';
export { detectPoisoning, POISONING_DEFAULTS } from './poisoning/index.js';
export type {
  PoisoningInput,
  PoisoningOptions,
  PoisoningReport,
  PoisoningSignal,
  SignalExample,
  SignalName,
} from './poisoning/index.js';
export {
  distinctCount,
  FREQUENT_CAPACITY,
  FREQUENT_MAX_ITEM_LENGTH,
  histogramFromProfile,
  mergeProfiles,
  PROFILE_FORMAT,
  PROFILE_MAX_COLUMNS,
  ProfileBuilder,
  profileBatches,
  profileTable,
  profileFromJson,
  profileQuantile,
  profileToJson,
  presentCount,
  SKETCH_RELATIVE_ACCURACY,
} from './profile/index.js';
export type {
  ColumnProfile,
  DatasetProfile,
  NumericSummary,
  ProfileJson,
} from './profile/index.js';
export {
  inferSchema,
  parseSchema,
  parseSchemaText,
  SCHEMA_FORMAT,
  UniquenessChecker,
  uniquenessChecker,
  validateProfile,
} from './schema/index.js';
export type {
  ColumnRule,
  DataSchema,
  InferOptions,
  UniquenessResult,
  ValidationFailure,
  ValidationReport,
} from './schema/index.js';
export {
  checkData,
  checkNextVersion,
  collectTable,
  compareTables,
  openTableSource,
  renderCheckHtml,
} from './check/index.js';
export type {
  CheckInput,
  CheckReport,
  CollectedColumn,
  CollectedTable,
  ColumnChart,
  IngestionPolicy,
  ColumnDrift,
  DriftMode,
  DriftReport,
  TableSource,
} from './check/index.js';
export {
  compareProfiles,
  isProfilePath,
  PROFILE_MAX_BYTES,
  readProfileFile,
} from './check/index.js';
export type { ProfileDriftOptions, ProfileReference } from './check/index.js';
