import type { Dialect } from '../store.js';

/** One forward-only schema change, applied in a single transaction. */
export interface Migration {
  /** 1, 2, 3, … with no gaps; never renumbered once released. */
  readonly version: number;
  /** A short slug recorded in rampart_migrations. */
  readonly name: string;
  /** The statements to run, in order, one statement per string. */
  readonly statements: Readonly<Record<Dialect, readonly string[]>>;
}

/** Statements that are valid on both dialects as written. */
export function portable(...statements: string[]): Readonly<Record<Dialect, readonly string[]>> {
  return { sqlite: statements, postgres: statements };
}
