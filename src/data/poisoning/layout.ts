// The column layout both tables are read in: the reference's column order with the label moved
// last, so a row's exact hash is its feature hash extended by the label cell.
import { RampartError } from '../../core/index.js';
import type { ColumnBatch, ColumnValues } from '../table/batch.js';

/** How a column is hashed and checked. */
export type ColumnKind = 'numeric' | 'boolean' | 'string';

/** One column of the layout. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** Columns in hashing order; the label, when given, is the last one. */
export interface Layout {
  readonly columns: readonly ColumnSpec[];
  /** Whether the last column is the label. */
  readonly hasLabel: boolean;
}

/** The hashing kind of a batch column. */
export function kindOf(column: ColumnValues): ColumnKind {
  return column.type === 'number' || column.type === 'integer' ? 'numeric' : column.type;
}

/**
 * The layout of a table from its first batch; throws RAMPART_POISONING_LABEL_MISSING when the
 * label column is absent.
 */
export function layoutOf(batch: ColumnBatch, labelColumn: string | undefined): Layout {
  checkShape(batch, 'reference');
  const specs = batch.names.map((name, i) => ({
    name,
    kind: kindOf(batch.columns[i] as ColumnValues),
  }));
  if (new Set(batch.names).size !== batch.names.length) {
    throw invalid('The reference names a column twice.', { table: 'reference' });
  }
  if (labelColumn === undefined) return { columns: specs, hasLabel: false };
  const at = batch.names.indexOf(labelColumn);
  if (at < 0) throw labelMissing(labelColumn, 'reference');
  const label = specs[at] as ColumnSpec;
  return { columns: [...specs.filter((_, i) => i !== at), label], hasLabel: true };
}

/**
 * The batch's columns in layout order. Throws RAMPART_POISONING_INPUT_INVALID when the batch
 * has other column names or types than the layout (current may order them differently).
 */
export function align(batch: ColumnBatch, layout: Layout, table: string): ColumnValues[] {
  checkShape(batch, table);
  if (batch.names.length !== layout.columns.length) {
    if (layout.hasLabel) {
      const label = (layout.columns[layout.columns.length - 1] as ColumnSpec).name;
      if (!batch.names.includes(label)) throw labelMissing(label, table);
    }
    throw invalid(
      `The ${table} table has ${String(batch.names.length)} columns; the reference has ${String(layout.columns.length)}.`,
      { table },
    );
  }
  return layout.columns.map((spec) => {
    const at = batch.names.indexOf(spec.name);
    if (at < 0) {
      if (layout.hasLabel && spec === layout.columns[layout.columns.length - 1]) {
        throw labelMissing(spec.name, table);
      }
      throw invalid(`The ${table} table has no column "${spec.name}".`, {
        table,
        column: spec.name,
      });
    }
    const column = batch.columns[at] as ColumnValues;
    if (kindOf(column) !== spec.kind) {
      throw invalid(
        `Column "${spec.name}" is ${kindOf(column)} in the ${table} table but ${spec.kind} in the reference.`,
        { table, column: spec.name },
      );
    }
    return column;
  });
}

function checkShape(batch: ColumnBatch, table: string): void {
  const ok =
    Number.isSafeInteger(batch.rows) &&
    batch.rows >= 0 &&
    batch.columns.length === batch.names.length &&
    batch.columns.every((c) => c.values.length === batch.rows && cellStates(c) === batch.rows);
  if (!ok) {
    throw invalid(`A batch of the ${table} table is malformed (column lengths differ from rows).`, {
      table,
      firstRow: batch.firstRow,
    });
  }
}

function cellStates(column: ColumnValues): number {
  return column.type === 'string' ? column.values.length : column.state.length;
}

function invalid(message: string, details: Record<string, unknown>): RampartError {
  return new RampartError('RAMPART_POISONING_INPUT_INVALID', message, { details });
}

function labelMissing(label: string, table: string): RampartError {
  return new RampartError(
    'RAMPART_POISONING_LABEL_MISSING',
    `The label column "${label}" is not in the ${table} table.`,
    { details: { table, column: label } },
  );
}
