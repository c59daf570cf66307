/**
 * Where the simulator's results go, and the per-pickle bookkeeping of referenced globals:
 * a denied global that is referenced but never called is RS102, an unknown one RS104, each
 * reported once per pickle when it ends.
 */
import type { FindingInput } from '../types.js';
import { pathOf, type Global } from './values.js';

/** Receives findings and problems (the scan context, or a recorder when sniffing). */
export interface Reporter {
  finding(finding: FindingInput): void;
  problem(code: string, message: string, offset?: number): void;
}

const IDENTIFIER_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Distinct globals tracked per pickle before the list is flushed early. */
const MAX_TRACKED = 10_000;

interface Reference {
  readonly global: Global;
  /** Called, instantiated with a denied class, or mutated: already reported. */
  reported: boolean;
}

/** Globals referenced by the current pickle. */
export class References {
  readonly #map = new Map<string, Reference>();
  readonly #reporter: Reporter;

  constructor(reporter: Reporter) {
    this.#reporter = reporter;
  }

  /** Records a reference to `global`. */
  add(global: Global): void {
    const path = pathOf(global);
    if (this.#map.has(path)) return;
    if (this.#map.size >= MAX_TRACKED) this.flush();
    this.#map.set(path, { global, reported: false });
  }

  /** Marks `global` as already reported by a call finding. */
  reported(global: Global): void {
    const ref = this.#map.get(pathOf(global));
    if (ref) ref.reported = true;
  }

  /** True when a global with a valid dotted module and name was referenced. */
  hasIdentifierGlobal(): boolean {
    for (const { global } of this.#map.values()) {
      if (IDENTIFIER_PATH.test(global.module) && IDENTIFIER_PATH.test(global.name)) return true;
    }
    return false;
  }

  /** Reports every reference not already covered by a call finding, then forgets them. */
  flush(): void {
    for (const { global, reported } of this.#map.values()) {
      if (reported || global.ext !== undefined) continue;
      const callable = pathOf(global);
      const { verdict } = global;
      if (verdict.level === 'deny') {
        this.#reporter.finding({
          rule: 'RS102',
          message: `The pickle imports ${callable}, which ${verdict.reason ?? 'is denied'}; it is never called here but the object is handed to the program that loads it.`,
          offset: global.offset,
          callable,
          evidence: callable,
        });
      } else if (verdict.level === 'unknown') {
        this.#reporter.finding({
          rule: 'RS104',
          message: `The pickle references ${callable}, which is not on the allowlist; it is not called (at most instantiated without its constructor).`,
          offset: global.offset,
          callable,
          evidence: callable,
        });
      }
    }
    this.#map.clear();
  }
}
