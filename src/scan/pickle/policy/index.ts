/**
 * The pickle policy: classify a global as ALLOW, DENY or UNKNOWN exactly as the unpickler's
 * `find_class` would resolve it. Deny is checked first and is never overridden (scanners.md
 * §6.1); dotted names are UNKNOWN unless exactly allowlisted.
 */
import { ALLOW } from './allow.js';
import { fixImports, IMPORT_MAPPING } from './compat.js';
import { DENY_IO } from './deny-io.js';
import { DENY_ML } from './deny-ml.js';
import { DENY_SYSTEM } from './deny-system.js';
import type { DenyRule } from './types.js';

export { CALLS_FIRST_ARGUMENT } from './allow.js';
export { fixImports } from './compat.js';
export type { DenyRule } from './types.js';

/** The verdict on one resolved global. */
export interface Verdict {
  readonly level: 'allow' | 'deny' | 'unknown';
  /** For deny: why. */
  readonly reason?: string;
  readonly refs?: readonly string[];
  /** A nested deserialiser (RS105 when called). */
  readonly loader?: boolean;
}

/** Every deny rule, for documentation and tests. */
export const DENY: readonly DenyRule[] = [...DENY_SYSTEM, ...DENY_IO, ...DENY_ML];

const DENY_BY_MODULE = new Map<string, DenyRule[]>();
for (const rule of DENY) {
  const list = DENY_BY_MODULE.get(rule.module) ?? [];
  list.push(rule);
  DENY_BY_MODULE.set(rule.module, list);
}

/** Attributes that reach interpreter internals whatever object they hang off. */
const DANGEROUS_ATTRIBUTES = new Set([
  '__getattribute__',
  '__getattr__',
  '__setattr__',
  '__delattr__',
  '__subclasses__',
  '__globals__',
  '__builtins__',
  '__import__',
  '__dict__',
  '__code__',
  '__closure__',
  '__func__',
  '__self__',
  '__class__',
  '__base__',
  '__bases__',
  '__mro__',
  '__loader__',
  '__spec__',
  '__reduce__',
  '__reduce_ex__',
  '__call__',
]);

const ALLOW_VERDICT: Verdict = Object.freeze({ level: 'allow' });
const UNKNOWN_VERDICT: Verdict = Object.freeze({ level: 'unknown' });

function denied(rule: DenyRule): Verdict {
  return {
    level: 'deny',
    reason: rule.reason,
    ...(rule.refs ? { refs: rule.refs } : {}),
    ...(rule.loader ? { loader: true } : {}),
  };
}

/** Matches `module.name` against the deny rules at every module/attribute split point. */
function denyRule(module: string, name: string): DenyRule | undefined {
  const parts = (name === '' ? module : `${module}.${name}`).split('.');
  for (let i = 1; i <= parts.length; i++) {
    const rules = DENY_BY_MODULE.get(parts.slice(0, i).join('.'));
    if (!rules) continue;
    const rest = parts.slice(i).join('.');
    for (const rule of rules) {
      if (!rule.names) return rule;
      if (rest !== '' && rule.names.some((n) => rest === n || rest.startsWith(`${n}.`))) {
        return rule;
      }
    }
  }
  return undefined;
}

function dunderReason(name: string): string | undefined {
  const parts = name.split('.');
  for (const part of parts) {
    if (DANGEROUS_ATTRIBUTES.has(part)) return `reaches interpreter internals through ${part}`;
    if (parts.length > 1 && part.length > 4 && part.startsWith('__') && part.endsWith('__')) {
      return `walks through the special attribute ${part}`;
    }
  }
  return undefined;
}

/**
 * Classifies the global `module`/`name` as imported by a pickle of `protocol`. Below protocol
 * 3 the unpickler renames Python 2 modules first (`fix_imports`); the deny check also runs on
 * the renamed form for higher protocols, so `__builtin__.eval` is caught either way.
 */
export function classify(module: string, name: string, protocol: number): Verdict {
  const [fixedModule, fixedName] = fixImports(module, name);
  const [resolvedModule, resolvedName] = protocol < 3 ? [fixedModule, fixedName] : [module, name];
  const rule =
    denyRule(resolvedModule, resolvedName) ??
    (IMPORT_MAPPING.has(module) ? denyRule(fixedModule, fixedName) : undefined);
  if (rule) return denied(rule);
  const dunder = dunderReason(resolvedName);
  if (dunder !== undefined) return { level: 'deny', reason: dunder };
  if (ALLOW.get(resolvedModule)?.has(resolvedName)) return ALLOW_VERDICT;
  return UNKNOWN_VERDICT;
}
