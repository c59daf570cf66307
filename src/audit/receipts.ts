/**
 * Audit receipts kept with the objects they concern: the index of the entry that records what
 * happened to a model version, promotion request or dataset version, so anyone can later prove
 * that entry is in the log (`rampart audit proof <index>`).
 */
import type { Executor } from '../store/index.js';

/** One receipt: which action on the object, and the index of its audit entry. */
export interface Receipt {
  readonly action: string;
  readonly index: number;
  readonly at: string;
}

/** Keeps a receipt with an object. */
export async function addReceipt(
  db: Executor,
  input: { type: string; id: string; action: string; index: number; at: string },
): Promise<void> {
  await db.run(
    'INSERT INTO audit_receipts (resource_type, resource_id, action, audit_index, created_at) VALUES (?, ?, ?, ?, ?)',
    [input.type, input.id, input.action, input.index, input.at],
  );
}

/** The receipts kept with an object, oldest first. */
export async function receiptsOf(db: Executor, type: string, id: string): Promise<Receipt[]> {
  const rows = await db.query<{ action: string; audit_index: number; created_at: string }>(
    'SELECT action, audit_index, created_at FROM audit_receipts WHERE resource_type = ? AND resource_id = ? ORDER BY audit_index',
    [type, id],
  );
  return rows.map((row) => ({ action: row.action, index: row.audit_index, at: row.created_at }));
}
