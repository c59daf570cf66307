export {
  parseSchema,
  parseSchemaText,
  SCHEMA_FORMAT,
  SCHEMA_MAX_ALLOWED,
  SCHEMA_MAX_COLUMNS,
  SCHEMA_MAX_TEXT,
} from './parse.js';
export type { AllowedValue, ColumnRule, DataSchema, DatasetRule } from './parse.js';
export { inferSchema } from './infer.js';
export type { InferOptions } from './infer.js';
export { validateProfile } from './validate.js';
export type { ValidationFailure, ValidationReport } from './validate.js';
export { UNIQUE_MAX_VALUES, UniquenessChecker, uniquenessChecker } from './unique.js';
export type { UniquenessResult } from './unique.js';
