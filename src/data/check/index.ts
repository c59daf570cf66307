export { checkData } from './check.js';
export type { CheckInput, CheckReport } from './check.js';
export { columnChart } from './chart.js';
export type { ColumnChart } from './chart.js';
export { collectTable, MAX_CHECK_CELLS } from './collect.js';
export type { CollectedColumn, CollectedTable } from './collect.js';
export { compareTables } from './drift.js';
export type { ColumnDrift, DriftMode, DriftOptions, DriftReport } from './drift.js';
export { openTableSource } from './source.js';
export { renderCheckHtml } from './html.js';
export type { TableSource } from './source.js';
export { checkNextVersion } from './gate.js';
export type { IngestionPolicy } from './gate.js';
export { compareProfiles } from './sketch-drift.js';
export type { ProfileDriftOptions } from './sketch-drift.js';
export { sketchDistribution, sketchKs, sketchWasserstein } from './sketch-ks.js';
export type { SketchDistribution, SketchKs, SketchSlot } from './sketch-ks.js';
export {
  isProfilePath,
  isProfileReference,
  PROFILE_MAX_BYTES,
  readProfileFile,
} from './profile-source.js';
export type { ProfileReference } from './profile-source.js';
