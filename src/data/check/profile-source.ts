/**
 * A stored profile as the reference of a check. Table files are named by their format
 * (.csv, .jsonl/.ndjson, .parquet, .arrow…), so a `.json` reference is a profile. A profile
 * file is untrusted input: it is read with a byte cap and validated by profileFromJson.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileError, RampartError } from '../../core/index.js';
import { profileFromJson, type DatasetProfile } from '../profile/index.js';

/** A reference given as a profile instead of rows. */
export interface ProfileReference {
  readonly label: string;
  readonly profile: DatasetProfile;
}

/** Largest profile file read (64 MiB covers the largest valid profile, docs/data-profiles.md). */
export const PROFILE_MAX_BYTES = 64 * 1024 * 1024;

/** True when `file` names a profile rather than a table (a `.json` file). */
export function isProfilePath(file: string): boolean {
  return path.extname(file).toLowerCase() === '.json';
}

/**
 * Reads and validates a profile file.
 * @throws RAMPART_LIMIT_EXCEEDED over {@link PROFILE_MAX_BYTES}; RAMPART_PROFILE_INVALID when it
 * is not JSON or not a valid profile; file errors.
 */
export async function readProfileFile(file: string, label: string): Promise<ProfileReference> {
  const info = await stat(file).catch((error: unknown) => {
    throw fileError(error, file);
  });
  if (info.size > PROFILE_MAX_BYTES) {
    throw new RampartError(
      'RAMPART_LIMIT_EXCEEDED',
      `${label}: ${info.size} bytes, more than the ${PROFILE_MAX_BYTES} a profile may have`,
      { hint: 'Give a profile written by `rampart data profile`, or the reference table itself.' },
    );
  }
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw fileError(error, file);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RampartError('RAMPART_PROFILE_INVALID', `${label} is not JSON, so not a profile`, {
      hint: 'A .json reference must be a profile written by `rampart data profile`; name JSON-lines tables .jsonl.',
    });
  }
  return { label, profile: profileFromJson(json) };
}

/** True when a check's reference is a profile. */
export function isProfileReference(reference: object): reference is ProfileReference {
  return 'profile' in reference;
}
