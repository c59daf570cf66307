/**
 * What the simulated unpickler keeps on its stack and memo. Numbers stay plain JS numbers and
 * other scalars are shared sentinels, so the hot loop allocates nothing for them; strings and
 * bytes keep a bounded prefix plus where they sit in the source; containers keep a count and
 * a small sample, never every element.
 */
import type { Verdict } from './policy/index.js';

/** A scalar with no payload worth keeping (None, booleans, floats, big ints, unknowns). */
export interface Atom {
  readonly kind: 'atom';
  readonly text: string;
}

/** A `str` (unicode) or `bytes`/`bytearray` value. */
export interface Text {
  readonly kind: 'str' | 'bytes';
  /** The first bytes (UTF-8 for `str` from binary opcodes, latin-1 otherwise). */
  readonly raw: Uint8Array;
  /** Full length of the payload in bytes. */
  readonly size: number;
  /** Absolute offset of the raw payload in the source, or -1 when it was escaped text. */
  readonly offset: number;
  /** How `raw` decodes to a string. */
  readonly encoding: 'utf-8' | 'latin1';
  /** Decoded text, filled lazily. */
  decoded?: string;
}

/** A callable or class resolved by GLOBAL, STACK_GLOBAL, INST or EXT. */
export interface Global {
  readonly kind: 'global';
  readonly module: string;
  /** Qualified name inside the module; empty for a module object itself. */
  readonly name: string;
  readonly verdict: Verdict;
  readonly offset: number;
  /** Set for EXT1/2/4: the extension code, whose target is unknown. */
  readonly ext?: number;
}

/** How a call result came to be. */
export type CallHow = 'reduce' | 'obj' | 'inst' | 'newobj' | 'newobj_ex';

/** The result of invoking a callable or instantiating a class. */
export interface Call {
  readonly kind: 'call';
  readonly fn: Value;
  readonly args: Value;
  readonly how: CallHow;
  readonly offset: number;
  /** Derived value when the call is understood statically (e.g. `_codecs.encode` bytes). */
  readonly derived?: Value;
  /** State applied by BUILD. */
  state?: Value;
  memo?: boolean;
  used?: boolean;
}

export type ContainerKind = 'list' | 'tuple' | 'dict' | 'set' | 'frozenset';

/** A container: element count, a weight for expansion checks and the first few items. */
export interface Container {
  readonly kind: ContainerKind;
  n: number;
  /** Objects reachable when fully expanded (shared references counted each time). */
  weight: number;
  /** First items; for dicts, alternating key and value. */
  readonly items: Value[];
}

/** An object returned by `persistent_load` (torch storages). */
export interface PersId {
  readonly kind: 'persid';
  readonly pid: Value;
}

export type Obj = Atom | Text | Global | Call | Container | PersId;
export type Value = number | Obj;

function atom(text: string): Atom {
  return Object.freeze({ kind: 'atom', text });
}

export const NONE = atom('None');
export const TRUE = atom('True');
export const FALSE = atom('False');
export const FLOAT = atom('<float>');
export const BIGINT = atom('<int>');
export const UNKNOWN = atom('?');
export const BUFFER = atom('<buffer>');
export const ARRAY = atom('<array>');

/** Items kept per container for evidence and argument inspection. */
export const SAMPLE = 16;

/** A new container holding (a sample of) `items`. */
export function container(
  kind: ContainerKind,
  items: readonly Value[],
  n = items.length,
): Container {
  let weight = 1;
  for (const item of items) weight += weightOf(item);
  return { kind, n, weight, items: items.slice(0, kind === 'dict' ? SAMPLE * 2 : SAMPLE) };
}

/** Objects a value stands for when fully expanded (containers count their contents). */
export function weightOf(value: Value): number {
  return isContainer(value) ? value.weight : 1;
}

/** True for tuples, lists, dicts, sets and frozensets. */
function isContainer(value: Value): value is Container {
  if (typeof value === 'number') return false;
  const kind = value.kind;
  return (
    kind === 'list' || kind === 'tuple' || kind === 'dict' || kind === 'set' || kind === 'frozenset'
  );
}

const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

/** The decoded text of a `str` or `bytes` value (prefix only when the payload was cut). */
export function textOf(value: Text): string {
  value.decoded ??= (value.encoding === 'utf-8' ? utf8 : latin1).decode(value.raw);
  return value.decoded;
}

/** The full string when `value` is a `str` kept whole, else undefined. */
export function stringOf(value: Value): string | undefined {
  if (typeof value === 'number' || value.kind !== 'str') return undefined;
  return value.raw.length === value.size ? textOf(value) : undefined;
}

/** The items of a tuple or list sample, or an empty array. */
export function itemsOf(value: Value): readonly Value[] {
  if (typeof value === 'number') return [];
  return value.kind === 'tuple' || value.kind === 'list' ? value.items : [];
}

/** The value of `key` in a dict sample. */
export function dictGet(value: Value, key: string): Value | undefined {
  if (typeof value === 'number' || value.kind !== 'dict') return undefined;
  for (let i = 0; i + 1 < value.items.length; i += 2) {
    const k = value.items[i];
    if (k !== undefined && stringOf(k) === key) return value.items[i + 1];
  }
  return undefined;
}

/** `module.name` of a global (just the module for a module object). */
export function pathOf(global: Global): string {
  if (global.ext !== undefined) return `<extension ${global.ext}>`;
  return global.name === '' ? global.module : `${global.module}.${global.name}`;
}
