/**
 * The subset of an OSV advisory (schema 1.6) the dependency audit evaluates: id, aliases,
 * summary, severity, withdrawn, and per affected PyPI package its ECOSYSTEM ranges and explicit
 * version list. GIT and SEMVER ranges are ignored: PyPI versions are ordered by PEP 440.
 */
import { RampartError } from '../core/index.js';
import { normalisePackageName } from './names.js';
import { compareVersions, parseVersion, type Pep440Version } from './pep440.js';

/** One range event; exactly one field is set. */
export type RangeEvent =
  | { readonly introduced: string }
  | { readonly fixed: string }
  | { readonly last_affected: string }
  | { readonly limit: string };

/** What an advisory says about one package. */
export interface AffectedPackage {
  /** PEP 503 normalised name. */
  readonly name: string;
  readonly ranges: readonly (readonly RangeEvent[])[];
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
    const ranges = arrayOf(entry.ranges, 'ranges', bad)
      .filter((range) => isRecord(range) && range.type === 'ECOSYSTEM')
      .map((range) => arrayOf((range as Record<string, unknown>).events, 'events', bad))
      .map((events) => events.map((event) => parseEvent(event, bad)));
    const versions = arrayOf(entry.versions, 'versions', bad).map((v) => {
      if (typeof v !== 'string') throw bad('a version is not a string');
      return v;
    });
    // Ecosystem "PyPI" or a variant like "PyPI:3.8"; anything else is another ecosystem.
    const pypi = ecosystem === 'PyPI' || ecosystem.startsWith('PyPI:');
    return pypi ? [{ name: normalisePackageName(name), ranges, versions }] : [];
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
  /** Event versions that are not PEP 440 and could not be ordered. */
  readonly unparseable: readonly string[];
}

/**
 * Whether `version` is affected: listed in `versions`, or inside an ECOSYSTEM range (OSV
 * evaluation: events in version order, `introduced` opens, `fixed` closes at, `last_affected`
 * closes after; a `limit` caps the range).
 */
export function evaluateAffected(entry: AffectedPackage, version: string): RangeVerdict {
  const parsed = parseVersion(version);
  const fixed = entry.ranges.flatMap((events) =>
    events.flatMap((event) => ('fixed' in event ? [event.fixed] : [])),
  );
  const unparseable: string[] = [];
  const listed = entry.versions.some((v) => sameVersion(v, version, parsed));
  if (listed) return { affected: true, fixed, unparseable };
  if (parsed === undefined) return { affected: false, fixed, unparseable };
  const affected = entry.ranges.some((events) => inRange(parsed, events, unparseable));
  return { affected, fixed, unparseable };
}

function inRange(version: Pep440Version, events: readonly RangeEvent[], bad: string[]): boolean {
  const keyed: { event: RangeEvent; at: Pep440Version | 'zero' }[] = [];
  for (const event of events) {
    const text = eventVersion(event);
    if ('introduced' in event && text === '0') {
      keyed.push({ event, at: 'zero' });
      continue;
    }
    const at = parseVersion(text);
    if (at === undefined) {
      bad.push(text);
      // An unordered event cannot be placed: the caller reports the range as not evaluated.
      return false;
    }
    keyed.push({ event, at });
  }
  keyed.sort((x, y) => order(x.at, y.at));
  let affected = false;
  for (const { event, at } of keyed) {
    if (at === 'zero') affected = true;
    else if ('introduced' in event) affected ||= compareVersions(version, at) >= 0;
    else if ('fixed' in event) affected &&= compareVersions(version, at) < 0;
    else if ('last_affected' in event) affected &&= compareVersions(version, at) <= 0;
    else if (compareVersions(version, at) >= 0) return false; // limit
  }
  return affected;
}

function order(a: Pep440Version | 'zero', b: Pep440Version | 'zero'): number {
  if (a === 'zero' || b === 'zero') return a === b ? 0 : a === 'zero' ? -1 : 1;
  return compareVersions(a, b);
}

function sameVersion(listed: string, raw: string, parsed: Pep440Version | undefined): boolean {
  if (listed === raw) return true;
  const other = parseVersion(listed);
  return parsed !== undefined && other !== undefined && compareVersions(parsed, other) === 0;
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
