/**
 * Dataset names, version references (`name`, `name@3`, `name@sha256:<hex>`) and the checks on
 * the free-text provenance fields given at add time.
 */
import { isDigest, RampartError, type Digest } from '../core/index.js';

/** Which version a reference points at: the latest, a sequence number, or a root digest. */
export type VersionSelector =
  | { readonly kind: 'latest' }
  | { readonly kind: 'sequence'; readonly sequence: number }
  | { readonly kind: 'digest'; readonly digest: Digest };

/** A parsed `name[@version]`. */
export interface DatasetRef {
  readonly name: string;
  readonly version: VersionSelector;
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;
const MAX_NAME = 128;
const SEQUENCE = /^[1-9]\d{0,14}$/;
/** Most transforms one version may record. */
export const MAX_TRANSFORMS = 64;
/** Most parents one version may name. */
export const MAX_PARENTS = 64;
const MAX_TEXT = 1024;
const MAX_URI = 2048;
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2}))?$/;

/** Checks a dataset name. @throws RAMPART_DATASET_NAME_INVALID */
export function checkDatasetName(name: string): string {
  if (name.length > MAX_NAME || !NAME.test(name)) {
    throw new RampartError(
      'RAMPART_DATASET_NAME_INVALID',
      `dataset name ${JSON.stringify(name)} is not valid`,
      {
        hint: `Use 1 to ${MAX_NAME} characters: a lowercase letter or digit, then lowercase letters, digits, '.', '_' or '-'.`,
        details: { name },
      },
    );
  }
  return name;
}

/**
 * Parses `name`, `name@N` or `name@sha256:<hex>`; `requireVersion` refuses a bare name.
 * @throws RAMPART_DATASET_NAME_INVALID
 */
export function parseDatasetRef(text: string, requireVersion = false): DatasetRef {
  const at = text.indexOf('@');
  const name = checkDatasetName(at === -1 ? text : text.slice(0, at));
  if (at === -1) {
    if (requireVersion) throw badRef(text, 'names no version');
    return { name, version: { kind: 'latest' } };
  }
  const version = text.slice(at + 1);
  if (SEQUENCE.test(version))
    return { name, version: { kind: 'sequence', sequence: Number(version) } };
  if (isDigest(version)) return { name, version: { kind: 'digest', digest: version } };
  throw badRef(text, 'has a version that is neither a number from 1 nor sha256:<64 hex>');
}

/** The text form of a reference: `name@N`. */
export function versionLabel(name: string, sequence: number): string {
  return `${name}@${sequence}`;
}

/**
 * Normalises an RFC 3339 time (or a plain date, taken as midnight UTC) to ISO 8601 UTC.
 * @throws RAMPART_DATASET_INPUT_INVALID for anything else, including impossible dates.
 */
export function parseCollectedAt(text: string): string {
  const match = RFC3339.exec(text);
  const time = match === null ? Number.NaN : Date.parse(text.replace(' ', 'T'));
  // Date.parse rolls 2024-02-30 over to March; compare the fields to refuse it.
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match ?? [];
  const valid =
    match !== null &&
    Number.isFinite(time) &&
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysIn(Number(year), Number(month)) &&
    Number(hour) < 24 &&
    Number(minute) < 60 &&
    Number(second) < 60;
  if (!valid) {
    throw inputInvalid(`--collected-at ${JSON.stringify(text)} is not an RFC 3339 time`, {
      hint: 'Give a time like 2026-03-01T12:00:00Z or a date like 2026-03-01.',
    });
  }
  return new Date(time).toISOString();
}

/** Checks a source URI (an absolute URI of at most 2048 characters). @throws RAMPART_DATASET_INPUT_INVALID */
export function checkSource(text: string): string {
  if (text.length > MAX_URI || !URL.canParse(text)) {
    throw inputInvalid(`--source ${JSON.stringify(text.slice(0, 80))} is not an absolute URI`, {
      hint: 'Give the origin as a URI, e.g. s3://bucket/raw/2026-03 or https://example.org/export.csv.',
    });
  }
  return text;
}

/** Checks transform descriptions (1 to 1024 characters each, at most 64). @throws RAMPART_DATASET_INPUT_INVALID */
export function checkTransforms(transforms: readonly string[]): string[] {
  if (transforms.length > MAX_TRANSFORMS) {
    throw inputInvalid(`${transforms.length} transforms given; at most ${MAX_TRANSFORMS} allowed`);
  }
  for (const transform of transforms) {
    if (transform.trim() === '' || transform.length > MAX_TEXT) {
      throw inputInvalid(`a --transform must have 1 to ${MAX_TEXT} characters`);
    }
  }
  return [...transforms];
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function badRef(text: string, problem: string): RampartError {
  return new RampartError(
    'RAMPART_DATASET_NAME_INVALID',
    `dataset reference ${JSON.stringify(text)} ${problem}`,
    {
      hint: 'Refer to a version as name@N (e.g. reviews@2) or name@sha256:<hex>.',
      details: { ref: text },
    },
  );
}

function inputInvalid(message: string, options: { hint?: string } = {}): RampartError {
  return new RampartError('RAMPART_DATASET_INPUT_INVALID', message, options);
}
