/**
 * The subset of an OSV advisory (schema 1.6) the dependency audit evaluates: id, aliases,
 * summary, severity, withdrawn, and per affected PyPI or npm package its ECOSYSTEM and SEMVER
 * ranges and explicit version list. ECOSYSTEM ranges are ordered by PEP 440 for PyPI and by
 * semver for npm; SEMVER ranges always by semver. GIT ranges (commits) are ignored.
 */
import { RampartError } from '../core/index.js';
import {
  advisoryEcosystem,
  packageName,
  versionOrder,
  type AdvisoryEcosystem,
  type RangeType,
  type VersionOrder,
} from './ecosystem.js';

/** One range event; exactly one field is set. */
export type RangeEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

/** One range of an affected entry. */
export interface OsvRange {
  readonly type: RangeType;
  readonly events: readonly RangeEvent[];
}

/** What an advisory says about one package. */
export interface AffectedPackage {
  readonly ecosystem: AdvisoryEcosystem;
  /** PEP 503 normalised for PyPI; exact for npm. */
  readonly name: string;
  readonly ranges: readonly OsvRange[];
  readonly versions: readonly string[];
}

/** An advisory, reduced to what the audit reports and evaluates. */
export interface Advisory {
  readonly id: string;
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly severity: readonly { readonly type: string; readonly score: string }[];
  readonly withdrawn?: string;
  readonly affected: readonly AffectedPackage[];
}

const MAX_SUMMARY = 300;
const RANGE_TYPES: readonly string[] = ['ECOSYSTEM', 'SEMVER'];
const EVENT_KINDS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

/**
 * Reads an OSV document (already parsed from JSON, or YAML with string scalars).
 * @throws RAMPART_ADVISORY_INVALID naming `source` when the shape is wrong
 */
export function parseAdvisory(doc: unknown, source: string): Advisory {
  const bad = (why: string): RampartError =>
    new RampartError('RAMPART_ADVISORY_INVALID', `${source}: ${why}`, {
      details: { path: source },
    });
  if (!isRecord(doc)) throw bad('not a mapping');
  const id = doc.id;
  if (typeof id !== 'string' || id === '') throw bad('no id');
  const affected = arrayOf(doc.affected, 'affected', bad).flatMap((entry): AffectedPackage[] => {
    if (!isRecord(entry) || !isRecord(entry.package)) throw bad('affected entry without package');
    const { name, ecosystem } = entry.package;
    if (typeof name !== 'string' || typeof ecosystem !== 'string') throw bad('package name');
    const ranges = arrayOf(entry.ranges, 'ranges', bad).flatMap((range): OsvRange[] => {
      if (!isRecord(range) || typeof range.type !== 'string') throw bad('a range has no type');
      if (!RANGE_TYPES.includes(range.type)) return [];
      const events = arrayOf(range.events, 'events', bad).map((event) => parseEvent(event, bad));
      return [{ type: range.type as RangeType, events }];
    });
    const versions = arrayOf(entry.versions, 'versions', bad).map((v) => {
      if (typeof v !== 'string') throw bad('a version is not a string');
      return v;
    });
    // "PyPI", a variant like "PyPI:3.8", or "npm"; other ecosystems are not evaluated.
    const known = advisoryEcosystem(ecosystem);
    if (known === undefined) return [];
    return [{ ecosystem: known, name: packageName(known, name), ranges, versions }];
  });
  const severity = arrayOf(doc.severity, 'severity', bad).flatMap((s) =>
    isRecord(s) && typeof s.type === 'string' && typeof s.score === 'string'
      ? [{ type: s.type, score: s.score }]
      : [],
  );
  const withdrawn = typeof doc.withdrawn === 'string' ? doc.withdrawn.trim() : '';
  return {
    id,
    aliases: arrayOf(doc.aliases, 'aliases', bad).filter((a): a is string => typeof a === 'string'),
    summary: summaryOf(doc),
    severity,
    ...(withdrawn === '' || withdrawn === 'null' ? {} : { withdrawn }),
    affected,
  };
}

/** The outcome of checking one version against one affected entry. */
export interface RangeVerdict {
  readonly affected: boolean;
  /** Versions in the entry's `fixed` events, as written. */
  readonly fixed: readonly string[];
  /** Event versions that could not be ordered (not PEP 440 / not semver). */
  readonly unparseable: readonly string[];
}

/**
 * Whether `version` is affected: listed in `versions`, or inside a range (OSV evaluation:
 * events in version order, `introduced` opens, `fixed` closes at, `last_affected` closes
 * after; a `limit` caps the range).
 */
export function evaluateAffected(entry: AffectedPackage, version: string): RangeVerdict {
  const fixed = entry.ranges.flatMap((range) =>
    range.events.flatMap((event) => ('fixed' in event ? [event.fixed] : [])),
  );
  const unparseable: string[] = [];
  const own = versionOrder(entry.ecosystem, 'ECOSYSTEM');
  const listed = entry.versions.some((v) => sameVersion(v, version, own));
  if (listed) return { affected: true, fixed, unparseable };
  const affected = entry.ranges.some((range) => {
    const order = versionOrder(entry.ecosystem, range.type);
    const parsed = order.parse(version);
    return parsed !== undefined && inRange(parsed, range.events, order, unparseable);
  });
  return { affected, fixed, unparseable };
}

function inRange(
  version: unknown,
  events: readonly RangeEvent[],
  order: VersionOrder,
  bad: string[],
): boolean {
  const keyed: { event: RangeEvent; at: unknown }[] = [];
  for (const event of events) {
    const text = eventVersion(event);
    if ('introduced' in event && text === '0') {
      keyed.push({ event, at: ZERO });
      continue;
    }
    const at = order.parse(text);
    if (at === undefined) {
      bad.push(text);
      // An unordered event cannot be placed: the caller reports the range as not evaluated.
      return false;
    }
    keyed.push({ event, at });
  }
  const compare = (a: unknown, b: unknown): number =>
    a === ZERO || b === ZERO ? (a === b ? 0 : a === ZERO ? -1 : 1) : order.compare(a, b);
  keyed.sort((x, y) => compare(x.at, y.at));
  let affected = false;
  for (const { event, at } of keyed) {
    if (at === ZERO) affected = true;
    else if ('introduced' in event) affected ||= compare(version, at) >= 0;
    else if ('fixed' in event) affected &&= compare(version, at) < 0;
    else if ('last_affected' in event) affected &&= compare(version, at) <= 0;
    else if (compare(version, at) >= 0) return false; // limit
  }
  return affected;
}

// `introduced: "0"`: before every version of any ordering.
const ZERO = Symbol('zero');

function sameVersion(listed: string, raw: string, order: VersionOrder): boolean {
  if (listed === raw) return true;
  const a = order.parse(listed);
  const b = order.parse(raw);
  return a !== undefined && b !== undefined && order.compare(a, b) === 0;
}

function eventVersion(event: RangeEvent): string {
  if ('introduced' in event) return event.introduced;
  if ('fixed' in event) return event.fixed;
  if ('last_affected' in event) return event.last_affected;
  return event.limit;
}

function parseEvent(event: unknown, bad: (why: string) => RampartError): RangeEvent {
  if (!isRecord(event)) throw bad('a range event is not a mapping');
  const kinds = EVENT_KINDS.filter((kind) => event[kind] !== undefined);
  const kind = kinds[0];
  const value = kind === undefined ? undefined : event[kind];
  if (kinds.length !== 1 || kind === undefined || typeof value !== 'string') {
    throw bad('a range event must have exactly one of introduced, fixed, last_affected, limit');
  }
  return { [kind]: value } as RangeEvent;
}

function summaryOf(doc: Record<string, unknown>): string {
  const text =
    typeof doc.summary === 'string' && doc.summary.trim() !== '' ? doc.summary : doc.details;
  if (typeof text !== 'string') return '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

function arrayOf(
  value: unknown,
  field: string,
  bad: (why: string) => RampartError,
): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`${field} is not a list`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
