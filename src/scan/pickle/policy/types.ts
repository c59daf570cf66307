/** Shapes of the pickle policy data. */

/**
 * A denied global. Without `names` the whole module is denied, submodules included
 * (CVE-2025-10157: `asyncio.unix_events` must not escape an `asyncio` entry). With `names`,
 * each name also covers its attributes (`Bdb` covers `Bdb.run`).
 */
export interface DenyRule {
  readonly module: string;
  readonly names?: readonly string[];
  /** Why loading a pickle that reaches this global is dangerous (one short clause). */
  readonly reason: string;
  /** CVE / GHSA / advisory ids or URLs. */
  readonly refs?: readonly string[];
  /** A nested deserialiser: calling it with bytes unpickles them (RS105). */
  readonly loader?: true;
}

/** Splits a space-separated list of names (keeps long policy lists compact and greppable). */
export function words(list: string): readonly string[] {
  return list.split(/\s+/).filter((word) => word !== '');
}
