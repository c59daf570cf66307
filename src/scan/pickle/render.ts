/**
 * Decompiles simulated values into short Python-like evidence, e.g. `os.system('echo pwned')`.
 * Strings are truncated and the whole snippet is capped, so evidence stays readable.
 */
import { pathOf, textOf, type Text, type Value } from './values.js';

/** Cap on an evidence snippet. */
const EVIDENCE_MAX = 200;
const STRING_MAX = 80;
const DEPTH_MAX = 4;
const ITEMS_MAX = 6;

function quote(value: Text): string {
  let text = textOf(value);
  const cut = text.length > STRING_MAX || value.raw.length < value.size;
  if (text.length > STRING_MAX) text = text.slice(0, STRING_MAX);
  let body = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === "'" || ch === '\\') body += `\\${ch}`;
    else if (ch === '\n') body += '\\n';
    else if (ch === '\r') body += '\\r';
    else if (ch === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f || (value.kind === 'bytes' && code > 0x7e)) {
      body += `\\x${code.toString(16).padStart(2, '0')}`;
    } else body += ch;
  }
  return `${value.kind === 'bytes' ? 'b' : ''}'${body}${cut ? '…' : ''}'`;
}

function list(items: readonly Value[], total: number, depth: number): string {
  const shown = items.slice(0, ITEMS_MAX).map((item) => renderAt(item, depth + 1));
  if (total > shown.length) shown.push('…');
  return shown.join(', ');
}

function renderAt(value: Value, depth: number): string {
  if (typeof value === 'number') return String(value);
  if (depth > DEPTH_MAX) return '…';
  switch (value.kind) {
    case 'atom':
      return value.text;
    case 'str':
    case 'bytes':
      return quote(value);
    case 'global':
      return pathOf(value);
    case 'persid':
      return `persistent_load(${renderAt(value.pid, depth + 1)})`;
    case 'call': {
      const fn = renderAt(value.fn, depth + 1);
      const args = argsOf(value.args, depth);
      return value.how === 'newobj' || value.how === 'newobj_ex'
        ? `${fn}.__new__(${fn}${args === '' ? '' : `, ${args}`})`
        : `${fn}(${args})`;
    }
    case 'tuple':
      return value.n === 1
        ? `(${list(value.items, 1, depth)},)`
        : `(${list(value.items, value.n, depth)})`;
    case 'list':
      return `[${list(value.items, value.n, depth)}]`;
    case 'set':
      return `{${list(value.items, value.n, depth)}}`;
    case 'frozenset':
      return `frozenset({${list(value.items, value.n, depth)}})`;
    case 'dict': {
      const pairs: string[] = [];
      for (let i = 0; i + 1 < value.items.length && pairs.length < ITEMS_MAX; i += 2) {
        pairs.push(
          `${renderAt(value.items[i] ?? 0, depth + 1)}: ${renderAt(value.items[i + 1] ?? 0, depth + 1)}`,
        );
      }
      if (value.n > pairs.length) pairs.push('…');
      return `{${pairs.join(', ')}}`;
    }
  }
}

function argsOf(args: Value, depth: number): string {
  if (typeof args !== 'number' && args.kind === 'tuple') return list(args.items, args.n, depth);
  return `*${renderAt(args, depth + 1)}`;
}

/** Python-like source for `value`, at most {@link EVIDENCE_MAX} characters. */
export function render(value: Value): string {
  const text = renderAt(value, 0);
  return text.length > EVIDENCE_MAX ? `${text.slice(0, EVIDENCE_MAX - 1)}…` : text;
}
