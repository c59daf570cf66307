import { RampartError } from '../core/index.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const ALIAS = /^[a-z][a-z0-9-]{0,62}$/;

/** Which version a reference names. */
export type VersionSelector =
  | { readonly kind: 'latest' }
  | { readonly kind: 'number'; readonly version: number }
  | { readonly kind: 'alias'; readonly alias: string };

/** A parsed `name`, `name@N` or `name@alias`. */
export interface ModelRef {
  readonly name: string;
  readonly selector: VersionSelector;
}

/**
 * Checks a model name: lowercase, no slashes, no `..` — it never becomes a path.
 * @throws RAMPART_MODEL_NAME_INVALID
 */
export function checkModelName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new RampartError(
      'RAMPART_MODEL_NAME_INVALID',
      `model name ${JSON.stringify(name.slice(0, 80))} is not valid`,
    );
  }
  return name;
}

/**
 * Checks an alias name (`production`, `staging`, `challenger`…); never a number.
 * @throws RAMPART_MODEL_NAME_INVALID
 */
export function checkAlias(alias: string): string {
  if (!ALIAS.test(alias)) {
    throw new RampartError(
      'RAMPART_MODEL_NAME_INVALID',
      `alias ${JSON.stringify(alias.slice(0, 80))} is not valid`,
      {
        hint: 'Aliases are 1–63 characters: a lowercase letter, then lowercase letters, digits or "-".',
      },
    );
  }
  return alias;
}

/**
 * Parses `name`, `name@N` or `name@alias`; with `requireVersion`, a bare name is an error.
 * @throws RAMPART_MODEL_NAME_INVALID
 */
export function parseModelRef(text: string, requireVersion = false): ModelRef {
  const at = text.indexOf('@');
  const name = checkModelName(at === -1 ? text : text.slice(0, at));
  if (at === -1) {
    if (requireVersion) {
      throw new RampartError(
        'RAMPART_MODEL_NAME_INVALID',
        `${name.slice(0, 80)} names no version`,
        {
          hint: `Refer to a version as ${name}@<number> or ${name}@<alias>.`,
        },
      );
    }
    return { name, selector: { kind: 'latest' } };
  }
  const rest = text.slice(at + 1);
  if (/^[1-9][0-9]{0,8}$/.test(rest))
    return { name, selector: { kind: 'number', version: Number(rest) } };
  return { name, selector: { kind: 'alias', alias: checkAlias(rest) } };
}

/** `name@version`. */
export function versionLabel(name: string, version: number): string {
  return `${name}@${version}`;
}
