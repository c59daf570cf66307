export { ProfileBuilder } from './builder.js';
export { profileBatches, profileTable } from './parallel.js';
export { mergeProfiles } from './merge.js';
export {
  PROFILE_MAX_COLUMNS,
  PROFILE_MAX_NAME_LENGTH,
  profileFromJson,
  profileToJson,
} from './json.js';
export type { ProfileJson } from './json.js';
export { distinctCount, histogramFromProfile, profileQuantile } from './query.js';
export { presentCount, PROFILE_FORMAT } from './types.js';
export type { ColumnProfile, DatasetProfile, LengthSummary, NumericSummary } from './types.js';
export { FREQUENT_CAPACITY, FREQUENT_MAX_ITEM_LENGTH, FrequentItems } from './frequent.js';
export type { FrequentItem } from './frequent.js';
export { HLL_LG_K, HyperLogLog } from './hll.js';
export { QuantileSketch, SKETCH_BIN_LIMIT, SKETCH_RELATIVE_ACCURACY } from './quantile-sketch.js';
export { hashNumber, hashString } from './hash.js';
