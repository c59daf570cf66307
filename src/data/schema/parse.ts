/**
 * The data schema document (`format: "rampart.schema/v1"`), read from JSON or YAML. Parsing is
 * strict: unknown keys are refused, and every problem is reported with its path.
 */
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { RampartError } from '../../core/index.js';
import type { ColumnType } from '../table/batch.js';

/** The `format` field of a schema document. */
export const SCHEMA_FORMAT = 'rampart.schema/v1';
/** Largest schema text accepted, in UTF-16 code units. */
export const SCHEMA_MAX_TEXT = 4 * 1024 * 1024;
/** Most columns and most allowed values per column. */
export const SCHEMA_MAX_COLUMNS = 4096;
export const SCHEMA_MAX_ALLOWED = 10_000;

/** An allowed value: strings for string columns, booleans for boolean columns. */
export type AllowedValue = string | boolean;

/** The constraints on one column. Absent fields are not checked. */
export interface ColumnRule {
  readonly type: ColumnType;
  /** The column must be present (default true). */
  readonly required: boolean;
  /** Largest fraction of missing cells (`nullable: false` means 0). */
  readonly max_missing?: number;
  /** Inclusive bounds for numeric columns. */
  readonly min?: number;
  readonly max?: number;
  /** Enumerated domain for string and boolean columns. */
  readonly allowed?: readonly AllowedValue[];
  /** No two present values are equal. */
  readonly unique: boolean;
  /** Fraction of present values that must pass type, range and allowed checks (default 1). */
  readonly mostly: number;
}

/** Table-level constraints. */
export interface DatasetRule {
  readonly min_rows?: number;
  readonly max_rows?: number;
  /** Columns the schema does not name are accepted (default false). */
  readonly allow_extra_columns: boolean;
}

/** A parsed, normalised schema. */
export interface DataSchema {
  readonly format: typeof SCHEMA_FORMAT;
  readonly columns: Readonly<Record<string, ColumnRule>>;
  readonly dataset: DatasetRule;
}

const fraction = z.number().min(0).max(1);
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const rows = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

const columnRule = z
  .strictObject({
    type: z.enum(['number', 'integer', 'boolean', 'string']),
    required: z.boolean().default(true),
    nullable: z.boolean().optional(),
    max_missing: fraction.optional(),
    min: finite.optional(),
    max: finite.optional(),
    allowed: z
      .array(z.union([z.string().max(1024), z.boolean()]))
      .min(1)
      .max(SCHEMA_MAX_ALLOWED)
      .optional(),
    unique: z.boolean().default(false),
    mostly: fraction.default(1),
  })
  .superRefine((rule, context) => {
    const numeric = rule.type === 'number' || rule.type === 'integer';
    const issue = (path: string, message: string): void => {
      context.addIssue({ code: 'custom', path: [path], message });
    };
    if (rule.nullable === false && (rule.max_missing ?? 0) > 0)
      issue('max_missing', 'contradicts nullable: false');
    if (!numeric && (rule.min !== undefined || rule.max !== undefined))
      issue('min', `min/max apply to numeric columns, not ${rule.type}`);
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max)
      issue('min', 'is greater than max');
    if (rule.allowed !== undefined) {
      if (numeric)
        issue('allowed', 'applies to string and boolean columns; use min/max for numbers');
      const want = rule.type === 'boolean' ? 'boolean' : 'string';
      if (rule.allowed.some((value) => typeof value !== want))
        issue('allowed', `values must be ${want}s for a ${rule.type} column`);
    }
    if (rule.unique && rule.type === 'boolean')
      issue('unique', 'a boolean column cannot be unique');
  });

const schemaDocument = z
  .strictObject({
    format: z.literal(SCHEMA_FORMAT),
    columns: z.record(z.string().min(1).max(1024), columnRule),
    dataset: z
      .strictObject({
        min_rows: rows.optional(),
        max_rows: rows.optional(),
        allow_extra_columns: z.boolean().default(false),
      })
      .default({ allow_extra_columns: false }),
  })
  .superRefine((doc, context) => {
    if (Object.keys(doc.columns).length > SCHEMA_MAX_COLUMNS) {
      context.addIssue({
        code: 'custom',
        path: ['columns'],
        message: `more than ${SCHEMA_MAX_COLUMNS} columns`,
      });
    }
    const { min_rows: min, max_rows: max } = doc.dataset;
    if (min !== undefined && max !== undefined && min > max) {
      context.addIssue({
        code: 'custom',
        path: ['dataset', 'min_rows'],
        message: 'is greater than max_rows',
      });
    }
  });

/**
 * Checks and normalises a parsed schema document.
 * @throws RAMPART_SCHEMA_INVALID listing every problem with its path.
 */
export function parseSchema(document: unknown): DataSchema {
  const parsed = schemaDocument.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 20)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RampartError(
      'RAMPART_SCHEMA_INVALID',
      `the schema is not valid: ${problems.join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  const columns: Record<string, ColumnRule> = {};
  for (const [name, rule] of Object.entries(parsed.data.columns)) {
    const { nullable, ...rest } = rule;
    columns[name] = withoutUndefined({
      ...rest,
      max_missing: nullable === false ? 0 : rest.max_missing,
    });
  }
  return { format: SCHEMA_FORMAT, columns, dataset: withoutUndefined(parsed.data.dataset) };
}

/** Drops keys whose value is undefined (zod's optional output has them; our types do not). */
function withoutUndefined<T extends object>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

/**
 * Parses schema text, JSON or YAML (JSON is YAML), then checks it like {@link parseSchema}.
 * @throws RAMPART_SCHEMA_INVALID for unparseable, oversized or invalid text.
 */
export function parseSchemaText(text: string): DataSchema {
  if (text.length > SCHEMA_MAX_TEXT) {
    throw new RampartError(
      'RAMPART_SCHEMA_INVALID',
      `the schema is larger than ${SCHEMA_MAX_TEXT} characters`,
    );
  }
  let document: unknown;
  try {
    // Aliases are capped so a "billion laughs" document cannot expand without bound.
    document = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw new RampartError(
      'RAMPART_SCHEMA_INVALID',
      `the schema is not valid JSON or YAML: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return parseSchema(document);
}
